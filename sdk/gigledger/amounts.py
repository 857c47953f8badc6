"""Amounts in a token's own units: "1eth", "0.5eth", "250usdc".

A bare number is refused: "1" could mean one ether or one wei, and guessing wrong
escrows 10^18 times too little. The unit must be the token's `symbol()` (any case),
its `decimals()` say where the point goes; ETH also takes "wei" and "gwei". A token
without `symbol()`/`decimals()` takes its smallest unit only, spelt "units".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from web3 import Web3

from gigledger.errors import GigLedgerError
from gigledger.gigs import ZERO_ADDRESS

#: The word a token without metadata takes for its smallest unit.
RAW_UNITS = "units"

_METADATA_ABI = [
    {"name": "symbol", "type": "function", "stateMutability": "view", "inputs": [], "outputs": [{"name": "", "type": "string"}]},
    {"name": "decimals", "type": "function", "stateMutability": "view", "inputs": [], "outputs": [{"name": "", "type": "uint8"}]},
]
_AMOUNT = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([A-Za-z][A-Za-z0-9.\-_]*)?\s*")


class InvalidAmount(GigLedgerError, ValueError):
    """An amount that is not a number followed by one of the token's units."""

    exit_code = 2


@dataclass(frozen=True)
class TokenUnits:
    """How one token's amounts are written: unit name -> decimals of that unit."""

    token: str  # ZERO_ADDRESS for ETH
    symbol: str | None  # None when the token has no symbol()/decimals()
    decimals: int

    @property
    def units(self) -> dict[str, int]:
        if self.token == ZERO_ADDRESS:
            return {"eth": 18, "ether": 18, "gwei": 9, "wei": 0}
        if self.symbol is None:
            return {RAW_UNITS: 0}
        return {self.symbol.lower(): self.decimals}

    def describe(self) -> str:
        """The units this token takes, for an error message."""
        if self.token == ZERO_ADDRESS:
            return "ETH takes eth, gwei or wei (e.g. 1eth, 0.5eth, 20gwei)"
        if self.symbol is None:
            return f"token {self.token} has no symbol()/decimals(); give its smallest unit, e.g. 1000{RAW_UNITS}"
        return f"token {self.token} takes {self.symbol} with {self.decimals} decimals (e.g. 250{self.symbol.lower()})"

    def parse(self, text: str) -> int:
        """The amount in the smallest unit; InvalidAmount for a bare number, another unit, or a fraction of the smallest unit."""
        match = _AMOUNT.fullmatch(text)
        if not match:
            raise InvalidAmount(f"{text!r} is not an amount: {self.describe()}")
        number, unit = match.groups()
        if unit is None:
            raise InvalidAmount(f"{text!r} has no unit, so it could mean anything: {self.describe()}")
        decimals = self.units.get(unit.lower())
        if decimals is None:
            raise InvalidAmount(f"{text!r} is not in this token's units: {self.describe()}")
        try:
            value = Decimal(number).scaleb(decimals)
        except InvalidOperation:
            raise InvalidAmount(f"{text!r} is not an amount: {self.describe()}") from None
        if value != value.to_integral_value():
            raise InvalidAmount(f"{text!r} is finer than the token's smallest unit")
        return int(value)

    def format(self, amount: int) -> str:
        """`amount` (smallest unit) in the token's main unit, trailing zeros trimmed: "1.5 ETH"."""
        if self.symbol is None:
            return f"{amount} {RAW_UNITS}"
        return f"{self._number(amount)} {self.symbol}"

    def argument(self, amount: int) -> str:
        """`amount` as the CLI takes it back: "1.5eth", "250usdc", "1000units"."""
        if self.symbol is None:
            return f"{amount}{RAW_UNITS}"
        return f"{self._number(amount)}{self.symbol.lower()}"

    def _number(self, amount: int) -> str:
        whole = Decimal(amount).scaleb(-self.decimals)
        return format(whole.normalize(), "f") if whole else "0"


ETH = TokenUnits(ZERO_ADDRESS, "ETH", 18)


def token_units(w3: Web3, token: str | None) -> TokenUnits:
    """The units of `token` (ETH when None or empty), read from its symbol() and decimals()."""
    if not token or token == ZERO_ADDRESS:
        return ETH
    address = Web3.to_checksum_address(token)
    erc20 = w3.eth.contract(address=address, abi=_METADATA_ABI)
    try:
        symbol = erc20.functions.symbol().call()
        decimals = erc20.functions.decimals().call()
    except Exception:  # no such function, a reverting or non-standard token: raw units only
        return TokenUnits(address, None, 0)
    if not isinstance(symbol, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9.\-_]{0,31}", symbol):
        return TokenUnits(address, None, 0)
    return TokenUnits(address, symbol, int(decimals))
