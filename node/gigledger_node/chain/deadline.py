"""Time budgets for EVM execution: a deadline the interpreter checks while code runs.

Gas bounds how much work a message may do, but py-evm runs in Python: ordinary
opcodes at millions of gas a second, and some precompiles (pure-Python pairings,
multi-scalar multiplications, BLAKE2 rounds) at under 0.1M gas a second, priced
for native code. Gas alone then lets one message hold the node for minutes. So
every execution the node does for someone else runs before a :class:`Deadline`:
an eth_call or eth_estimateGas (calls.py, ``rpc.evmtimeout``) and each
transaction while a block is built (producer.py).

The interpreter (vm.py) checks its state's deadline on every jump and every
call or create, the only ways EVM code can run for long, so the check costs a
clock read per loop iteration and nothing on straight-line code; the expensive
precompiles check it between their units of work (precompiles.py). A deadline
that passes raises :class:`DeadlinePassed`, which is not a py-evm ``VMError``:
it is never turned into a failed computation, it unwinds the whole message and
the caller decides (the call fails with geth's timeout error, the block is built
without the transaction). A state carries :data:`NO_DEADLINE` unless told
otherwise, so importing or replaying blocks is never cut off.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class DeadlinePassed(Exception):
    """Execution ran past its time budget (``budget`` seconds); geth's wording."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        super().__init__(f"execution aborted (timeout = {go_duration(budget)})")


def go_duration(seconds: float) -> str:
    """A duration the way Go prints one: 5s, 1.5s, 250ms."""
    return f"{seconds:g}s" if seconds >= 1 else f"{seconds * 1000:g}ms"


@dataclass(frozen=True)
class Deadline:
    """A point in ``time.monotonic()`` after which execution stops."""

    at: float
    budget: float  # seconds, for the error message

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """The deadline ``seconds`` from now."""
        return cls(time.monotonic() + seconds, seconds)

    def check(self) -> None:
        """Raise :class:`DeadlinePassed` if the deadline has passed."""
        if time.monotonic() > self.at:
            raise DeadlinePassed(self.budget)


NO_DEADLINE = Deadline(math.inf, math.inf)


def deadline_of(computation: Any) -> Deadline:
    """The deadline of the state ``computation`` runs on (NO_DEADLINE on a plain py-evm state)."""
    return getattr(computation.state, "deadline", NO_DEADLINE)


def checking_deadline(opcode: Callable[..., None]) -> Callable[..., None]:
    """``opcode``, checking the computation's deadline before it runs."""

    def checked(computation: Any) -> None:
        computation.state.deadline.check()
        opcode(computation=computation)

    checked.mnemonic = opcode.mnemonic  # type: ignore[attr-defined]
    return checked
