"""EIP-712 attestation signatures, made with the SDK's types, for the registry on
titanoboa's chain."""

from __future__ import annotations

from typing import Any

import boa
from eth_account import Account

from gigledger.attestations import ATTESTATION_TYPES, DOMAIN_NAME, DOMAIN_VERSION


def sign_attestation(
    key: bytes,
    registry: Any,
    escrow: str,
    gig_id: int,
    subject: str,
    score: int,
    skill: bytes,
    evidence: bytes,
    nonce: int,
    deadline: int,
) -> bytes:
    """The 65-byte signature r || s || v that `key` makes of this attestation."""
    domain = {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": boa.env.evm.patch.chain_id,
        "verifyingContract": registry.address,
    }
    message = {
        "escrow": escrow,
        "gigId": gig_id,
        "subject": subject,
        "score": score,
        "skill": skill,
        "evidence": evidence,
        "nonce": nonce,
        "deadline": deadline,
    }
    return bytes(Account.sign_typed_data(key, domain, ATTESTATION_TYPES, message).signature)
