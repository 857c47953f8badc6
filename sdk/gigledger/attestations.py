"""Attestations: what one party of a settled gig says about the other.

An attestation is sent directly (`attest`) or signed off-chain here (EIP-712) and
submitted by anyone (`attest_by_signature`). The signed message binds the chain id
and the registry (the EIP-712 domain) and the attester's nonce, so it cannot be
replayed on another chain, another registry, or twice.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The registry's EIP-712 domain name and version.
DOMAIN_NAME = "GigLedger Reputation"
DOMAIN_VERSION = "1"

ATTESTATION_TYPES = {
    "Attestation": [
        {"name": "escrow", "type": "address"},
        {"name": "gigId", "type": "uint256"},
        {"name": "subject", "type": "address"},
        {"name": "score", "type": "uint8"},
        {"name": "skill", "type": "bytes32"},
        {"name": "evidence", "type": "bytes32"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}


@dataclass(frozen=True)
class SignedAttestation:
    """An attestation its attester signed; anyone may submit it before `deadline`."""

    attester: str
    escrow: str
    gig_id: int
    subject: str
    score: int
    skill: str  # bytes32, 0x-hex
    evidence_hash: str  # bytes32, 0x-hex
    nonce: int
    deadline: int
    signature: str  # 65 bytes r || s || v, 0x-hex

    def to_json(self) -> dict:
        """A JSON-ready dict, to hand the signed attestation to whoever submits it."""
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict) -> SignedAttestation:
        """The inverse of `to_json`."""
        return cls(**data)


@dataclass(frozen=True)
class Attestation:
    """An attestation on chain, as the registry's events record it."""

    attester: str
    subject: str
    gig_id: int
    escrow: str
    score: int
    skill: str  # readable name when it is one, else bytes32 hex
    evidence_hash: str
    transaction_hash: str
    block_number: int
    revoked: bool = False


def typed_attestation(
    *,
    chain_id: int,
    registry: str,
    escrow: str,
    gig_id: int,
    subject: str,
    score: int,
    skill: str,
    evidence_hash: str,
    nonce: int,
    deadline: int,
) -> dict:
    """The EIP-712 typed data of an attestation, as `eth_account.messages.encode_typed_data` takes it."""
    return {
        "types": ATTESTATION_TYPES,
        "primaryType": "Attestation",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": registry,
        },
        "message": {
            "escrow": escrow,
            "gigId": gig_id,
            "subject": subject,
            "score": score,
            "skill": bytes.fromhex(skill.removeprefix("0x")),
            "evidence": bytes.fromhex(evidence_hash.removeprefix("0x")),
            "nonce": nonce,
            "deadline": deadline,
        },
    }

