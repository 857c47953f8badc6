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
