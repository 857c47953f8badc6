"""Token amounts in a token's own units: 1100000000000000000 wei is "1.1" ETH.

On chain every amount is an integer of the token's smallest unit; people read
whole tokens. `format_units` is the one place that shifts the decimal point,
exactly (no floats) and with trailing zeros trimmed, for the CLI, the API and
the explorer alike.
"""

from __future__ import annotations

#: ETH's decimals (wei per ether = 10**18).
ETH_DECIMALS = 18
#: The token address that stands for ETH.
ETH = "0x0000000000000000000000000000000000000000"


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


#: Largest decimals believed; a token claiming more is shown in raw units.
MAX_DECIMALS = 36
#: Longest symbol shown.
MAX_SYMBOL = 16


def believable_decimals(value: int | None) -> int | None:
    """A token's `decimals()` answer if an honest token could give it, else None (show raw units)."""
    return value if value is not None and 0 <= value <= MAX_DECIMALS else None


def believable_symbol(text: str | None, token: str) -> str | None:
    """A token's `symbol()` answer if it is short printable text and does not pass a
    contract off as ETH; else None (show the address)."""
    text = (text or "").strip()
    if not text or len(text) > MAX_SYMBOL or not text.isprintable():
        return None
    if text.upper() == "ETH" and token != ETH:
        return None
    return text


class TokenUnits:
    """Shows amounts in each token's units, reading `decimals()` and `symbol()` once per token.

    `read(token)` returns (decimals, symbol) as the token contract answers them (or
    None for each it does not answer); ETH needs no call.
    """

    def __init__(self, read) -> None:
        self._read = read
        self._known: dict[str, tuple[int | None, str | None]] = {ETH: (ETH_DECIMALS, "ETH")}

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
        return f"units of {token}" if decimals is None else symbol or token

    def show(self, raw: int, token: str) -> str:
        """``raw`` with its unit: "1.1 ETH", "250.5 USDC", "42 units of 0x…" when decimals are unknown."""
        return f"{self.format(raw, token)} {self.label(token)}"
