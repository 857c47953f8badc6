"""Linked accounts: two addresses that both agreed to be one identity.

Each account agrees by sending `link` itself or by an EIP-712 `Link` signature
naming the other account, its nonce in the market and a deadline. The domain binds
the chain id and the market's address, the nonce binds one use: a signature cannot
be replayed on another chain, another market, or after an unlink.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The market's EIP-712 domain name and version.
DOMAIN_NAME = "GigLedger Market"
DOMAIN_VERSION = "1"

LINK_TYPES = {
    "Link": [
        {"name": "account", "type": "address"},
        {"name": "other", "type": "address"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}


@dataclass(frozen=True)
class SignedLink:
    """`account`'s consent to be linked with `other`; valid until `deadline`, once."""

    account: str
    other: str
    nonce: int
    deadline: int
    signature: str  # 65 bytes r || s || v, 0x-hex

    def to_json(self) -> dict:
        """A JSON-ready dict, to hand the consent to the other account."""
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict) -> SignedLink:
        """The inverse of `to_json`."""
        return cls(**{key: data[key] for key in ("account", "other", "nonce", "deadline", "signature")})


def typed_link(*, chain_id: int, market: str, account: str, other: str, nonce: int, deadline: int) -> dict:
    """The EIP-712 typed data of a link consent, as `encode_typed_data` takes it."""
    return {
        "types": LINK_TYPES,
        "primaryType": "Link",
        "domain": {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id, "verifyingContract": market},
        "message": {"account": account, "other": other, "nonce": nonce, "deadline": deadline},
    }

