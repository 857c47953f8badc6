"""Read-only execution: eth_call and eth_estimateGas semantics on a committed state.

A call runs in a "costless" state (base fee 0, gas price charged as 0, the sender's
real nonce) after the chosen block and is thrown away: in that block's own context,
as geth does, or in the next block at the time that block would carry (the RPC
layer decides which from the block tag). A revert
becomes :class:`ExecutionReverted` carrying the revert bytes, so the RPC layer
can answer the way geth does and client libraries can decode the reason.

Calls are bounded the way geth bounds them, since anyone may send one: gas is
capped (``rpc.gascap``, 50M) and a call or estimate that runs past its time
budget (``rpc.evmtimeout``, 5 s) is cut off with geth's "execution aborted
(timeout = 5s)". The deadline is the interpreter's (deadline.py): checked on
every jump, call or create and between the units of work of the expensive
precompiles, so a call is cut off within one pairing of its budget however it
spends its gas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eth.abc import BlockHeaderAPI, ComputationAPI, StateAPI, VirtualMachineAPI
from eth.exceptions import Revert
from eth.vm.spoof import SpoofTransaction
from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_typing import Address
from eth_utils import ValidationError

from gigledger_node.chain.chain import Ledger
from gigledger_node.chain.deadline import Deadline, DeadlinePassed
from gigledger_node.chain.txpool import calldata_floor_gas

AccessList = Sequence[tuple[bytes, Sequence[int]]]  # EIP-2930: (address, storage slots)
ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)


@dataclass(frozen=True)
class CallLimits:
    """How much one eth_call or eth_estimateGas may use (geth's rpc.gascap, rpc.evmtimeout)."""

    gas_cap: int = 50_000_000
    timeout: float = 5.0

    def gas(self, requested: int | None, default: int) -> int:
        """The gas a call runs with: what was asked (else ``default``), at most the cap."""
        return min(requested or default, self.gas_cap)


@dataclass(frozen=True)
class CallRequest:
    """A message to execute; ``to`` empty means contract creation."""

    sender: bytes = b"\0" * 20
    to: bytes = b""
    gas: int | None = None
    gas_price: int = 0
    value: int = 0
    data: bytes = b""


class CallFailed(Exception):
    """The message could not run or halted without a revert (geth code -32000)."""


class CallTimeout(CallFailed):
    """The call ran past its time budget and was cut off (geth's wording, the deadline's)."""


class ExecutionReverted(CallFailed):
    """The message reverted; ``data`` is the revert payload."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        reason = revert_reason(data)
        super().__init__(f"execution reverted: {reason}" if reason else "execution reverted")


def revert_reason(data: bytes) -> str | None:
    """The human reason in a revert payload (Error(string) or Panic(uint256))."""
    try:
        if data[:4] == ERROR_SELECTOR:
            return decode(["string"], data[4:])[0]
        if data[:4] == PANIC_SELECTOR:
            return f"panic code {decode(['uint256'], data[4:])[0]:#x}"
    except (DecodingError, ValueError, OverflowError):
        return None
    return None


def call(
    ledger: Ledger, request: CallRequest, at: BlockHeaderAPI, timestamp: int | None,
    limits: CallLimits = CallLimits(),
) -> bytes:
    """The return data of ``request`` executed on the state after block ``at``: in a
    new block at ``timestamp`` on top of it, or with None in ``at``'s own context."""
    run = _runner(ledger, request, at, timestamp, limits)
    computation = run(limits.gas(request.gas, at.gas_limit))
    _raise_if_failed(computation)
    return computation.output


def estimate_gas(
    ledger: Ledger, request: CallRequest, at: BlockHeaderAPI, timestamp: int | None,
    limits: CallLimits = CallLimits(),
) -> int:
    """The least gas limit with which ``request`` succeeds, in the context that
    :func:`call` describes (binary search, as geth); the whole search shares one
    time budget."""
    run = _runner(ledger, request, at, timestamp, limits)
    cap = limits.gas(request.gas, at.gas_limit)
    first = run(cap)
    _raise_if_failed(first)
    low = first.get_gas_used() - 1
    high = cap
    # Most messages succeed with what they used plus the 63/64 rule's margin:
    # try that first so the search usually spans a few hundred gas, not millions.
    optimistic = min(cap, (first.get_gas_used() + first.get_gas_refund()) * 64 // 63)
    if _succeeds(run, optimistic):
        high = optimistic
    while low + 1 < high:
        middle = (low + high) // 2
        if _succeeds(run, middle):
            high = middle
        else:
            low = middle
    # Execution never charges the EIP-7623 calldata floor; the block does.
    return max(high, calldata_floor_gas(request.data))


def _succeeds(run: Callable[[int], ComputationAPI], gas: int) -> bool:
    try:
        return not run(gas).is_error
    except CallTimeout:
        raise
    except CallFailed:
        return False


def _runner(
    ledger: Ledger, request: CallRequest, at: BlockHeaderAPI, timestamp: int | None, limits: CallLimits
) -> Callable[..., ComputationAPI]:
    """Runs ``request`` with a given gas limit (and optionally an access list and an
    observer, see :func:`_execute`), all runs before one shared deadline."""
    deadline = Deadline.after(limits.timeout)
    return lambda gas, *extra: _execute(ledger, request, at, timestamp, gas, deadline, *extra)


def _execute(
    ledger: Ledger, request: CallRequest, at: BlockHeaderAPI, timestamp: int | None, gas: int,
    deadline: Deadline, access_list: AccessList = (), observe: Callable[[StateAPI], None] | None = None,
) -> ComputationAPI:
    """Run ``request``; with an ``access_list`` as an EIP-2930 message, and ``observe``
    shown the state first (accesslists.py records what the message touches)."""
    # Not py-evm's in_costless_state: it always opens a block at the wall clock, while a
    # dev chain's clock may be ahead, and a historical call must see its block's time.
    if timestamp is None:
        vm = ledger.chain.get_vm(at)
        context = at
    else:
        vm = ledger.vm_on_top_of(at, timestamp=max(timestamp, at.timestamp + 1))
        context = vm.get_header()
    state = _timed_state(vm, context.copy(base_fee_per_gas=0), deadline)
    fields: dict[str, Any] = dict(nonce=state.get_nonce(Address(request.sender)), gas_price=request.gas_price, gas=gas,
                                  to=Address(request.to), value=request.value, data=request.data)
    if access_list:
        builder: Any = vm.get_transaction_builder()  # Berlin's and later builders have this; the ABC does not
        unsigned = builder.new_unsigned_access_list_transaction(ledger.chain_id, access_list=access_list, **fields)
    else:
        unsigned = vm.create_unsigned_transaction(**fields)
    if observe is not None:
        observe(state)
    try:
        return state.costless_execute_transaction(
            SpoofTransaction(unsigned, from_=request.sender)  # type: ignore[arg-type]
        )
    except ValidationError as error:
        raise CallFailed(str(error)) from error
    except DeadlinePassed as passed:
        raise CallTimeout(str(passed)) from None


def _timed_state(vm: VirtualMachineAPI, header: BlockHeaderAPI, deadline: Deadline) -> StateAPI:
    """``vm.build_state`` on ``header``, its interpreter stopping at ``deadline``."""
    context = vm.create_execution_context(header, vm.previous_hashes or (), vm.chain_context)  # type: ignore[attr-defined]
    state: Any = vm.get_state_class()(vm.chaindb.db, context, header.state_root)
    state.deadline = deadline
    return state


def _raise_if_failed(computation: ComputationAPI) -> None:
    if not computation.is_error:
        return
    if isinstance(computation.error, Revert):
        raise ExecutionReverted(computation.output)
    raise CallFailed(str(computation.error) or type(computation.error).__name__)
