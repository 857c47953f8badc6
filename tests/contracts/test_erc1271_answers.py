"""How the registry reads a contract wallet's ERC-1271 answer: only ERC-1271's magic
value, encoded as the bytes4 it is (left-aligned, zero-padded), vouches for a
signature; anything else, a revert, or running out of gas refuses it, and leaves
the attester's nonce where it was."""

from __future__ import annotations

import boa
import pytest
from deployed import Cast, Contracts, Wallet
from escrow_model import DAY, ZERO_ADDRESS, Model
from eth_account import Account
from signed_attestations import sign_attestation
from wallet_model import Mode

HASH = b"\x5a" * 32
SKILL = b"solidity".ljust(32, b"\0")
STRANGER = Account.from_key((99).to_bytes(32, "big"))


@pytest.fixture
def wallet(wallets: tuple[Wallet, ...]) -> Wallet:
    return wallets[0]


@pytest.fixture
def freelancer(cast: Cast) -> str:
    return cast.signers[0].address


@pytest.fixture
def gig_id(contracts: Contracts, cast: Cast, wallet: Wallet, freelancer: str) -> int:
    """An ETH gig the wallet paid for as client, approved: the wallet may attest about the freelancer."""
    model = Model(boa.env.evm.patch.timestamp, cast.treasury, set(), {})
    deadline = model.now + DAY
    gig_id, _ = model.create_gig(wallet.address, freelancer, cast.signers[1].address, ZERO_ADDRESS, 10**6, [], deadline, DAY, 10**6)
    with boa.env.prank(wallet.address):
        contracts.escrow.create_gig(freelancer, cast.signers[1].address, ZERO_ADDRESS, 10**6, [], deadline, DAY, HASH, [], value=10**6)
    for operation, caller, args in (("accept", freelancer, ()), ("deliver", freelancer, (HASH,)), ("approve", wallet.address, ())):
        gig = model.gigs[gig_id].gig
        with boa.env.prank(caller):
            getattr(contracts.escrow, operation)(gig_id, gig.as_tuple(), *args)
        getattr(model, operation)(gig_id, caller)
    return gig_id


def _submit(contracts: Contracts, wallet: Wallet, gig_id: int, subject: str, key: bytes) -> None:
    registry = contracts.registry
    deadline = boa.env.evm.patch.timestamp + DAY
    nonce = registry.nonces(wallet.address)
    signature = sign_attestation(key, registry, contracts.escrow.address, gig_id, subject, 5, SKILL, HASH, nonce, deadline)
    registry.attest_by_signature(wallet.address, contracts.escrow.address, gig_id, subject, 5, SKILL, HASH, deadline, signature)


@pytest.mark.parametrize("mode", [Mode.VOUCHES, Mode.VOUCHES_FOR_ANYTHING], ids=lambda mode: mode.name)
def test_the_magic_value_vouches(contracts: Contracts, wallet: Wallet, gig_id: int, freelancer: str, mode: Mode) -> None:
    wallet.contract.set_mode(int(mode))
    _submit(contracts, wallet, gig_id, freelancer, wallet.holder.key)
    assert contracts.registry.summary(freelancer)[6:] == (1, 5)
    assert contracts.registry.nonces(wallet.address) == 1


@pytest.mark.parametrize(
    "mode",
    [Mode.REFUSES, Mode.REVERTS, Mode.ANSWERS_GARBAGE, Mode.ANSWERS_RIGHT_ALIGNED, Mode.BURNS_GAS],
    ids=lambda mode: mode.name,
)
def test_any_other_answer_refuses(contracts: Contracts, wallet: Wallet, gig_id: int, freelancer: str, mode: Mode) -> None:
    wallet.contract.set_mode(int(mode))
    with boa.reverts("registry: signature is not the attester's"):
        _submit(contracts, wallet, gig_id, freelancer, wallet.holder.key)
    assert contracts.registry.nonces(wallet.address) == 0


def test_a_wallet_echoing_its_calldata_does_not_vouch_for_a_strangers_signature(
    contracts: Contracts, wallet: Wallet, gig_id: int, freelancer: str
) -> None:
    wallet.contract.set_mode(int(Mode.ECHOES_CALLDATA))
    with boa.reverts("registry: signature is not the attester's"):
        _submit(contracts, wallet, gig_id, freelancer, STRANGER.key)
