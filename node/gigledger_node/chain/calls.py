"""Read-only execution: eth_call and eth_estimateGas semantics on a committed state.

A call runs in a "costless" state (base fee 0, gas price charged as 0, the sender's
real nonce) after the chosen block and is thrown away: in that block's own context,
as geth does, or in the next block at the time that block would carry (the RPC
layer decides which from the block tag). A revert
becomes :class:`ExecutionReverted` carrying the revert bytes, so the RPC layer
can answer the way geth does and client libraries can decode the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eth.abc import BlockHeaderAPI, ComputationAPI, StateAPI
from eth.exceptions import Revert
from eth.vm.spoof import SpoofTransaction
from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import ValidationError

from gigledger_node.chain.chain import Ledger
from gigledger_node.chain.txpool import calldata_floor_gas

AccessList = Sequence[tuple[bytes, Sequence[int]]]  # EIP-2930: (address, storage slots)
ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)


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


def call(ledger: Ledger, request: CallRequest, at: BlockHeaderAPI, timestamp: int | None) -> bytes:
    """The return data of ``request`` executed on the state after block ``at``: in a
    new block at ``timestamp`` on top of it, or with None in ``at``'s own context."""
    computation = _execute(ledger, request, at, timestamp, request.gas or at.gas_limit)
    _raise_if_failed(computation)
    return computation.output


def estimate_gas(ledger: Ledger, request: CallRequest, at: BlockHeaderAPI, timestamp: int | None) -> int:
    """The least gas limit with which ``request`` succeeds, in the context that
    :func:`call` describes (binary search, as geth)."""
    cap = request.gas or at.gas_limit
    first = _execute(ledger, request, at, timestamp, cap)
    _raise_if_failed(first)
    low = first.get_gas_used() - 1
    high = cap
    # Most messages succeed with what they used plus the 63/64 rule's margin:
    # try that first so the search usually spans a few hundred gas, not millions.
    optimistic = min(cap, (first.get_gas_used() + first.get_gas_refund()) * 64 // 63)
    if _succeeds(ledger, request, at, timestamp, optimistic):
        high = optimistic
    while low + 1 < high:
        middle = (low + high) // 2
        if _succeeds(ledger, request, at, timestamp, middle):
            high = middle
        else:
            low = middle
    # Execution never charges the EIP-7623 calldata floor; the block does.
    return max(high, calldata_floor_gas(request.data))


def _succeeds(ledger: Ledger, request: CallRequest, at: BlockHeaderAPI, timestamp: int | None, gas: int) -> bool:
    try:
        return not _execute(ledger, request, at, timestamp, gas).is_error
    except CallFailed:
        return False


def _execute(
    ledger: Ledger, request: CallRequest, at: BlockHeaderAPI, timestamp: int | None, gas: int,
    access_list: AccessList = (), observe: Callable[[StateAPI], None] | None = None,
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
    state = vm.build_state(vm.chaindb.db, context.copy(base_fee_per_gas=0), vm.chain_context, vm.previous_hashes)
    fields = dict(nonce=state.get_nonce(request.sender), gas_price=request.gas_price, gas=gas,
                  to=request.to, value=request.value, data=request.data)
    if access_list:
        builder = vm.get_transaction_builder()
        unsigned = builder.new_unsigned_access_list_transaction(ledger.chain_id, access_list=access_list, **fields)
    else:
        unsigned = vm.create_unsigned_transaction(**fields)
    if observe is not None:
        observe(state)
    try:
        return state.costless_execute_transaction(
            SpoofTransaction(unsigned, from_=request.sender)
        )
    except ValidationError as error:
        raise CallFailed(str(error)) from error


def _raise_if_failed(computation: ComputationAPI) -> None:
    if not computation.is_error:
        return
    if isinstance(computation.error, Revert):
        raise ExecutionReverted(computation.output)
    raise CallFailed(str(computation.error) or type(computation.error).__name__)
