"""eth_createAccessList: the accounts and storage slots a message touches (EIP-2930).

As geth does, the message is run, every account and slot it warms is recorded,
and it is run again with that list until the list stops changing (a list can
change what the message does, through gas). The sender, the recipient (or the
created contract), the block's coinbase and the precompiles are warm anyway and
are left out, unless the message reads the recipient's storage: an account whose
slots are listed is listed too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import rlp
from eth.abc import BlockHeaderAPI, ComputationAPI, StateAPI
from eth.exceptions import Revert
from eth.vm.forks.prague.computation import PRAGUE_PRECOMPILES
from eth_typing import Address
from eth_utils import keccak

from gigledger_node.chain import calls
from gigledger_node.chain.calls import AccessList, CallLimits, CallRequest
from gigledger_node.chain.chain import Ledger

MAX_ROUNDS = 10  # geth stops when the list is stable; this bounds a list that never is
REFUND_QUOTIENT = 5  # EIP-3529: at most a fifth of the gas used is refunded


@dataclass(frozen=True)
class AccessListResult:
    access_list: tuple[tuple[bytes, tuple[int, ...]], ...]
    gas_used: int
    error: str | None  # why the message failed with this list, if it did


@dataclass
class _Touched:
    """Accounts and slots a run marked warm, in first-touch order."""

    accounts: dict[bytes, None] = field(default_factory=dict)
    slots: dict[bytes, dict[int, None]] = field(default_factory=dict)

    def watch(self, state: StateAPI) -> None:
        mark_address, mark_storage = state.mark_address_warm, state.mark_storage_warm

        def address_warmed(address: Address) -> None:
            self.accounts.setdefault(address)
            mark_address(address)

        def storage_warmed(address: Address, slot: int) -> None:
            self.slots.setdefault(address, {}).setdefault(slot)
            mark_storage(address, slot)

        state.mark_address_warm = address_warmed  # type: ignore[method-assign]
        state.mark_storage_warm = storage_warmed  # type: ignore[method-assign]

    def access_list(self, excluded: set[bytes]) -> tuple[tuple[bytes, tuple[int, ...]], ...]:
        listed = [a for a in self.accounts if a not in excluded or a in self.slots]
        listed += [a for a in self.slots if a not in self.accounts]
        return tuple((a, tuple(sorted(self.slots.get(a, {})))) for a in listed)


def create_access_list(
    ledger: Ledger, request: CallRequest, at: BlockHeaderAPI, timestamp: int | None,
    limits: CallLimits = CallLimits(),
) -> AccessListResult:
    """The access list of ``request`` in the context :func:`calls.call` describes, within
    the same gas cap and (for all its rounds together) the same time budget."""
    gas = limits.gas(request.gas, at.gas_limit)
    run = calls._runner(ledger, request, at, timestamp, limits)
    excluded = _always_warm(ledger, request, at)
    access_list: AccessList = ()
    for _ in range(MAX_ROUNDS):
        touched = _Touched()
        computation = run(gas, access_list, touched.watch)
        found = touched.access_list(excluded)
        if found == access_list:
            break
        access_list = found
    return AccessListResult(found, _gas_used(computation, gas), _error(computation))


def _always_warm(ledger: Ledger, request: CallRequest, at: BlockHeaderAPI) -> set[bytes]:
    recipient = request.to or _created_address(request.sender, ledger.state_at(at).get_nonce(Address(request.sender)))
    return {request.sender, recipient, at.coinbase, *PRAGUE_PRECOMPILES}


def _created_address(sender: bytes, nonce: int) -> bytes:
    return keccak(rlp.encode([sender, nonce]))[12:]


def _gas_used(computation: ComputationAPI, gas: int) -> int:
    """What the transaction would be charged: all but the gas left, less the refund."""
    used = gas - computation.get_gas_remaining()
    return used - min(computation.get_gas_refund(), used // REFUND_QUOTIENT)


def _error(computation: ComputationAPI) -> str | None:
    if not computation.is_error:
        return None
    if isinstance(computation.error, Revert):
        return str(calls.ExecutionReverted(computation.output))
    return str(computation.error) or type(computation.error).__name__
