"""Attestations signed off-chain (EIP-712) and submitted by anyone: bound to one
chain, one registry, one nonce and a deadline."""

import ape
import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from gigbook import DAY, EVIDENCE_HASH, SKILL, only_log
from money import Money

SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
# The contract's typed data, written out here rather than imported from the SDK
# (gigledger.attestations): it is the spec these tests hold the contract to, so one
# edit to the SDK cannot move the contract's tests along with it.
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


@pytest.fixture
def money() -> Money:
    """Signatures do not care what a gig was paid in: ETH gigs only here."""
    return Money("eth", None)


@pytest.fixture
def domain(chain, registry) -> dict:
    """The registry's EIP-712 domain on this chain."""
    return {
        "name": "GigLedger Reputation",
        "version": "1",
        "chainId": chain.chain_id,
        "verifyingContract": registry.address,
    }


@pytest.fixture
def attestation(released_gig, escrow, registry, freelancer, client, chain) -> dict:
    """The client's attestation about the freelancer on a released gig, ready to sign."""
    return {
        "escrow": escrow.address,
        "gigId": released_gig,
        "subject": freelancer.address,
        "score": 5,
        "skill": SKILL,
        "evidence": EVIDENCE_HASH,
        "nonce": registry.nonces(client),
        "deadline": chain.pending_timestamp + DAY,
    }


def sign(signer, domain: dict, message: dict) -> bytes:
    """`signer`'s EIP-712 signature of `message`, as 65 bytes r || s || v."""
    signed = Account.sign_typed_data(signer.private_key, domain, ATTESTATION_TYPES, message)
    return bytes(signed.signature)


def submit(registry, attester, message: dict, signature: bytes, sender):
    return registry.attest_by_signature(
        attester,
        message["escrow"],
        message["gigId"],
        message["subject"],
        message["score"],
        message["skill"],
        message["evidence"],
        message["deadline"],
        signature,
        sender=sender,
    )


def test_anyone_submits_a_signed_attestation(registry, escrow, domain, attestation, client, freelancer, stranger):
    receipt = submit(registry, client, attestation, sign(client, domain, attestation), stranger)
    assert only_log(receipt, registry.Attested) == {
        "attester": client.address,
        "subject": freelancer.address,
        "gig_id": attestation["gigId"],
        "escrow": escrow.address,
        "score": 5,
        "skill": SKILL,
        "evidence_hash": EVIDENCE_HASH,
    }
    assert registry.nonces(client) == 1
    assert registry.summary(freelancer).score_sum == 5


def test_domain_separator_is_the_eip712_one(registry, domain, attestation):
    assert registry.DOMAIN_SEPARATOR() == encode_typed_data(domain, ATTESTATION_TYPES, attestation).header


def test_signed_attestation_is_revoked_by_its_attester(
    registry, escrow, domain, attestation, client, freelancer, stranger
):
    submit(registry, client, attestation, sign(client, domain, attestation), stranger)
    registry.revoke(escrow, attestation["gigId"], freelancer, sender=client)
    assert registry.summary(freelancer).attestations == 0


def test_signature_cannot_be_replayed(registry, domain, attestation, client, stranger):
    signature = sign(client, domain, attestation)
    submit(registry, client, attestation, signature, stranger)
    with ape.reverts("registry: signature is not the attester's"):
        submit(registry, client, attestation, signature, stranger)


@pytest.mark.parametrize(
    "wrong_domain",
    [
        lambda d, escrow: {**d, "chainId": d["chainId"] + 1},
        lambda d, escrow: {**d, "verifyingContract": escrow.address},
    ],
    ids=["other-chain", "other-contract"],
)
def test_signature_for_another_domain_is_rejected(
    registry, escrow, domain, attestation, client, stranger, wrong_domain
):
    signature = sign(client, wrong_domain(domain, escrow), attestation)
    with ape.reverts("registry: signature is not the attester's"):
        submit(registry, client, attestation, signature, stranger)


def test_changed_attestation_is_rejected(registry, domain, attestation, client, stranger):
    signature = sign(client, domain, attestation)
    with ape.reverts("registry: signature is not the attester's"):
        submit(registry, client, {**attestation, "score": 1}, signature, stranger)


def test_signature_by_someone_else_is_rejected(registry, domain, attestation, client, stranger):
    with ape.reverts("registry: signature is not the attester's"):
        submit(registry, client, attestation, sign(stranger, domain, attestation), stranger)


def test_expired_signature_is_rejected(registry, chain, domain, attestation, client, stranger):
    signature = sign(client, domain, attestation)
    chain.pending_timestamp = attestation["deadline"] + 1
    with ape.reverts("registry: signature expired"):
        submit(registry, client, attestation, signature, stranger)


def test_signature_is_valid_until_its_deadline(registry, chain, domain, attestation, client, stranger):
    signature = sign(client, domain, attestation)
    chain.pending_timestamp = attestation["deadline"]
    submit(registry, client, attestation, signature, stranger)
    assert registry.nonces(client) == 1


def test_signed_attestation_by_an_outsider_is_rejected(registry, domain, attestation, stranger):
    message = {**attestation, "nonce": registry.nonces(stranger)}
    with ape.reverts("escrow: not a settled gig between these parties"):
        submit(registry, stranger, message, sign(stranger, domain, message), stranger)


def test_malleable_signature_is_rejected(registry, domain, attestation, client, stranger):
    signature = sign(client, domain, attestation)
    s = int.from_bytes(signature[32:64], "big")
    twin = signature[:32] + (SECP256K1_ORDER - s).to_bytes(32, "big") + bytes([55 - signature[64]])
    with ape.reverts("registry: malleable signature"):
        submit(registry, client, attestation, twin, stranger)


def test_signature_v_must_be_27_or_28(registry, domain, attestation, client, stranger):
    signature = sign(client, domain, attestation)
    with ape.reverts("registry: bad signature v"):
        submit(registry, client, attestation, signature[:64] + bytes([signature[64] - 27]), stranger)


def test_signature_must_be_65_bytes(registry, domain, attestation, client, stranger):
    with ape.reverts("registry: signature must be 65 bytes"):
        submit(registry, client, attestation, sign(client, domain, attestation)[:64], stranger)


def test_signature_that_recovers_nobody_is_rejected(registry, attestation, client, stranger):
    with ape.reverts("registry: invalid signature"):
        submit(registry, client, attestation, bytes(64) + bytes([27]), stranger)


# ---------------------------------------------------------------- withdrawn signatures


def test_an_attester_invalidates_an_unused_nonce(registry, domain, attestation, client, stranger):
    signature = sign(client, domain, attestation)
    receipt = registry.invalidate_nonce(sender=client)
    assert only_log(receipt, registry.NonceInvalidated) == {"attester": client.address, "nonce": attestation["nonce"]}
    with ape.reverts("registry: signature is not the attester's"):
        submit(registry, client, attestation, signature, stranger)


def test_a_signature_after_an_invalidated_nonce_goes_through(registry, domain, attestation, client, stranger):
    registry.invalidate_nonce(sender=client)
    message = {**attestation, "nonce": registry.nonces(client)}
    submit(registry, client, message, sign(client, domain, message), stranger)
    assert registry.nonces(client) == 2


# ---------------------------------------------------------------- contract wallets (ERC-1271)


@pytest.fixture
def wallet(project, owner, stranger):
    """A contract wallet that vouches for `stranger`'s signatures."""
    return owner.deploy(project.ContractWallet, stranger)


@pytest.fixture
def wallet_gig(gigs, escrow, wallet, stranger, freelancer, arbiter, chain):
    """A gig the wallet paid for as client, released to the freelancer."""
    terms = (freelancer.address, arbiter.address, "0x" + "00" * 20, 10**6, [10**6], chain.pending_timestamp + 7 * DAY, DAY, b"\x11" * 32, [])
    receipt = wallet.forward(escrow, escrow.create_gig.encode_input(*terms), sender=stranger, value=10**6)
    gigs.apply(receipt)
    gig_id = only_log(receipt, escrow.GigCreated)["gig_id"]
    gigs.send("accept", gig_id, sender=freelancer)
    gigs.apply(wallet.forward(escrow, escrow.release_milestone.encode_input(gig_id, gigs[gig_id]), sender=stranger))
    return gig_id


def test_a_contract_wallet_attests_by_erc1271(registry, escrow, domain, wallet, wallet_gig, freelancer, stranger, client):
    message = {**_message(escrow, wallet_gig, freelancer, registry.nonces(wallet)), "deadline": 2**40}
    receipt = submit(registry, wallet, message, sign(stranger, domain, message), client)
    assert only_log(receipt, registry.Attested)["attester"] == wallet.address
    assert registry.summary(freelancer).attestations == 1


def test_a_contract_wallet_refuses_a_signature_it_does_not_vouch_for(registry, escrow, domain, wallet, wallet_gig, freelancer, client):
    message = {**_message(escrow, wallet_gig, freelancer, registry.nonces(wallet)), "deadline": 2**40}
    with ape.reverts("registry: signature is not the attester's"):
        submit(registry, wallet, message, sign(client, domain, message), client)


def _message(escrow, gig_id: int, subject, nonce: int) -> dict:
    return {
        "escrow": escrow.address,
        "gigId": gig_id,
        "subject": subject.address,
        "score": 5,
        "skill": SKILL,
        "evidence": EVIDENCE_HASH,
        "nonce": nonce,
    }
