"""Token amounts in a token's own units: 1100000000000000000 wei is "1.1" ETH.

On chain every amount is an integer of the token's smallest unit; people read and
write whole tokens. `format_units` is the one place that shifts the decimal point
(exactly, no floats, trailing zeros trimmed) for the CLI, the API and the explorer.

Writing: a bare number is refused, since "1" could mean one ether or one wei and a
wrong guess escrows 10^18 times too little. The unit must be the token's `symbol()`
(any case); its `decimals()` say where the point goes; ETH also takes "wei" and
"gwei". A token without believable `symbol()`/`decimals()` takes its smallest unit
only, spelt "units".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from web3 import Web3

from gigledger.errors import GigLedgerError
from gigledger.gigs import ZERO_ADDRESS

#: ETH's decimals (wei per ether = 10**18).
ETH_DECIMALS = 18
#: Largest decimals believed; a token claiming more is shown in raw units.
MAX_DECIMALS = 36
#: Longest symbol shown.
MAX_SYMBOL = 16
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


def format_units(raw: int, decimals: int) -> str:
    """``raw`` smallest units as whole tokens: format_units(1_500_000, 6) == "1.5"."""
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, not {decimals}")
    sign, digits = ("-", str(-raw)) if raw < 0 else ("", str(raw))
    if decimals == 0:
        return sign + digits
    digits = digits.rjust(decimals + 1, "0")
    whole, fraction = digits[:-decimals], digits[-decimals:].rstrip("0")
    return f"{sign}{whole}.{fraction}" if fraction else sign + whole


def believable_decimals(value: int | None) -> int | None:
    """A token's `decimals()` answer if an honest token could give it, else None (show raw units)."""
    return value if value is not None and 0 <= value <= MAX_DECIMALS else None


def believable_symbol(text: str | None, token: str) -> str | None:
    """A token's `symbol()` answer if it is short printable text and does not pass a
    contract off as ETH; else None (show the address)."""
    text = (text or "").strip()
    if not text or len(text) > MAX_SYMBOL or not text.isprintable():
        return None
    if text.upper() == "ETH" and token != ZERO_ADDRESS:
        return None
    return text


@dataclass(frozen=True)
class TokenUnits:
    """How one token's amounts are written: unit name -> decimals of that unit."""

    token: str  # ZERO_ADDRESS for ETH
    symbol: str | None  # None when the token has no believable symbol()/decimals()
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

    @property
    def name(self) -> str:
        """The token as a sentence names it: "ETH", "USDC (0x…)", "token 0x… (no symbol)"."""
        if self.token == ZERO_ADDRESS:
            return "ETH"
        if self.symbol is None:
            return f"token {self.token} (no symbol()/decimals())"
        return f"{self.symbol} ({self.token})"

    def unit_in(self, text: str) -> str | None:
        """The unit ``text`` is written in ("usdc" of "250usdc"), None when it names none or is no amount."""
        match = _AMOUNT.fullmatch(text)
        return match.group(2).lower() if match and match.group(2) else None

    def takes(self, unit: str) -> bool:
        """Whether ``unit`` is one of this token's units (any case)."""
        return unit.lower() in self.units

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
        return f"{format_units(amount, self.decimals)} {self.symbol}"

    def argument(self, amount: int) -> str:
        """`amount` as the CLI takes it back: "1.5eth", "250usdc", "1000units"."""
        if self.symbol is None:
            return f"{amount}{RAW_UNITS}"
        return f"{format_units(amount, self.decimals)}{self.symbol.lower()}"


ETH = TokenUnits(ZERO_ADDRESS, "ETH", ETH_DECIMALS)


def read_token_metadata(w3: Web3, token: str) -> tuple[int | None, str | None]:
    """A token's (decimals, symbol) as its contract answers them, None for each it does not."""
    erc20 = w3.eth.contract(address=Web3.to_checksum_address(token), abi=_METADATA_ABI)
    answers: list[int | str | None] = []
    for function in (erc20.functions.decimals, erc20.functions.symbol):
        try:
            answers.append(function().call())
        except Exception:  # no such function, a reverting or non-standard token
            answers.append(None)
    decimals, symbol = answers
    return (decimals if isinstance(decimals, int) else None), (symbol if isinstance(symbol, str) else None)


def token_units(w3: Web3, token: str | None) -> TokenUnits:
    """The units of `token` (ETH when None or empty), read from its symbol() and decimals()."""
    if not token or token == ZERO_ADDRESS:
        return ETH
    address = Web3.to_checksum_address(token)
    return units_of(address, *read_token_metadata(w3, address))


def units_of(token: str, decimals: int | None, symbol: str | None) -> TokenUnits:
    """The units of ``token`` given what its `decimals()` and `symbol()` answered (the
    index's cached answers give the same units the CLI reads from the chain)."""
    if token == ZERO_ADDRESS:
        return ETH
    decimals, symbol = believable_decimals(decimals), believable_symbol(symbol, token)
    if decimals is None or symbol is None or not re.fullmatch(r"[A-Za-z][A-Za-z0-9.\-_]*", symbol):
        return TokenUnits(token, None, 0)
    return TokenUnits(token, symbol, decimals)


class UnitsBook:
    """Shows amounts of many tokens in each one's units, reading `decimals()` and `symbol()`
    once per token. ``read(token)`` returns (decimals, symbol) as the token answers them."""

    def __init__(self, read: Callable[[str], tuple[int | None, str | None]]) -> None:
        self._read = read
        self._known: dict[str, tuple[int | None, str | None]] = {ZERO_ADDRESS: (ETH_DECIMALS, "ETH")}

    def describe(self, token: str) -> tuple[int | None, str | None]:
        """The token's believable (decimals, symbol)."""
        if token not in self._known:
            decimals, symbol = self._read(token)
            self._known[token] = (believable_decimals(decimals), believable_symbol(symbol, token))
        return self._known[token]

    def format(self, raw: int, token: str) -> str:
        """``raw`` in whole tokens ("1.1"), or as raw units when the decimals are unknown."""
        decimals, _ = self.describe(token)
        return str(raw) if decimals is None else format_units(raw, decimals)

    def label(self, token: str) -> str:
        """What follows a formatted amount: the symbol, the address, or "units of 0x…"."""
        decimals, symbol = self.describe(token)
        return f"{RAW_UNITS} of {token}" if decimals is None else symbol or token

    def show(self, raw: int, token: str) -> str:
        """``raw`` with its unit: "1.1 ETH", "250.5 USDC", "42 units of 0x…" when decimals are unknown."""
        return f"{self.format(raw, token)} {self.label(token)}"
