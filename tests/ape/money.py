"""The token kinds a gig can be paid in, behind one interface.

Curve-style: the money-moving tests run once per kind (ETH, a plain ERC-20, an
ERC-20 that burns a share of every transfer), so that accounting by what actually
arrived is tested wherever money moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from ape import chain
from gigbook import BPS, ZERO_ADDRESS

# Marks for tests that hold for one kind only; the rest run for every kind.
ETH_ONLY = pytest.mark.parametrize("money", ["eth"], indirect=True)
TOKENS_ONLY = pytest.mark.parametrize("money", ["erc20", "fee_erc20"], indirect=True)


@dataclass(frozen=True)
class Money:
    """One token kind: how to fund a gig with it, and what a transfer of it delivers."""

    kind: str
    token: Any | None  # the MockERC20; None for ETH
    transfer_fee_bps: int = 0

    @property
    def address(self) -> str:
        """The `token` a gig in this money carries: empty for ETH."""
        return ZERO_ADDRESS if self.token is None else self.token.address

    def balance(self, account: Any) -> int:
        """What `account` holds of this money."""
        address = getattr(account, "address", account)
        if self.token is None:
            return chain.provider.get_balance(address)
        return self.token.balanceOf(address)

    def balance_before_gas(self, account: Any, *receipts: Any) -> int:
        """`account`'s balance plus the gas it paid for `receipts` (ETH), so payouts to
        the sender of a transaction can be compared exactly."""
        spent = sum(r.total_fees_paid for r in receipts if r.sender == account.address)
        return self.balance(account) + (spent if self.token is None else 0)

    def fund(self, payer: Any, spender: Any, amount: int) -> int:
        """Gives `payer` `amount` and lets `spender` take it; returns the ETH value to send."""
        if self.token is None:
            return amount
        self.token.mint(payer, amount, sender=payer)
        self.token.approve(spender, amount, sender=payer)
        return 0

    def arriving(self, amount: int) -> int:
        """What reaches the recipient of a transfer of `amount`."""
        return amount - amount * self.transfer_fee_bps // BPS
