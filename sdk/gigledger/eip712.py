"""EIP-712 signing: one place for the signature the registry and the market verify."""

from __future__ import annotations

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount


def sign_typed_data(account: LocalAccount, typed: dict) -> str:
    """The account's 65-byte signature (v = 27 or 28, low s) over EIP-712 typed data
    (as `encode_typed_data(full_message=...)` takes it), as 0x-hex."""
    signed = account.sign_message(encode_typed_data(full_message=typed))
    return "0x" + bytes(signed.signature).hex()
