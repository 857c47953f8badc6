"""The contracts under test, deployed on titanoboa, and the accounts that act on them.

One cast and one deployment serve a whole session; the titanoboa pytest plugin
runs every test and every hypothesis example inside an anchor, so state changes
never leak between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boa
from escrow_model import ZERO_ADDRESS
from eth_account import Account
from eth_account.signers.local import LocalAccount

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
HERE = Path(__file__).resolve().parent
FEE_TOKEN_BPS = 100  # the fee-on-transfer token burns 1% of every transfer
FUNDS = 10**30


@dataclass(frozen=True)
class Cast:
    """Who acts on the contracts: key-holding accounts, a contract party that
    rejects ETH, the treasury, and the owner."""

    signers: tuple[LocalAccount, ...]
    eth_rejecting_party: str
    treasury: str
    owner: str

    @property
    def actors(self) -> tuple[str, ...]:
        """Everyone who may be a client, freelancer, arbiter or stranger."""
        return (*(s.address for s in self.signers), self.eth_rejecting_party)

    def key_of(self, address: str) -> LocalAccount | None:
        return next((s for s in self.signers if s.address == address), None)


@dataclass(frozen=True)
class Contracts:
    """The deployed registry and escrow, and the tokens gigs are paid in."""

    registry: Any
    escrow: Any
    plain_token: Any  # refuses transfers to `blocked`
    fee_token: Any  # burns FEE_TOKEN_BPS of every transfer
    blocked: str

    @property
    def token_addresses(self) -> dict[str, str]:
        """Token kind -> the `token` a gig carries."""
        return {"eth": ZERO_ADDRESS, "erc20": self.plain_token.address, "fee_erc20": self.fee_token.address}


def assemble_cast() -> Cast:
    """Four accounts with keys (so they can sign), a GigParty that rejects ETH, a
    treasury and an owner."""
    signers = tuple(Account.from_key((index + 1).to_bytes(32, "big")) for index in range(4))
    party = boa.load_partial(str(CONTRACTS / "test" / "GigParty.vy")).deploy(ZERO_ADDRESS, True)
    return Cast(signers, party.address, boa.env.generate_address("treasury"), boa.env.generate_address("owner"))


def deploy_contracts(cast: Cast) -> Contracts:
    """Registry and escrow (no fee yet), a plain token that blocks the last signer
    and a fee-on-transfer token; every actor funded and the escrow approved."""
    with boa.env.prank(cast.owner):
        registry = boa.load(str(CONTRACTS / "ReputationRegistry.vy"))
        escrow = boa.load(str(CONTRACTS / "GigEscrow.vy"), registry.address, cast.treasury, 0)
        registry.announce_writer(escrow.address)
    token_deployer = boa.load_partial(str(CONTRACTS / "test" / "MockERC20.vy"))
    plain_token = token_deployer.deploy(0)
    fee_token = token_deployer.deploy(FEE_TOKEN_BPS)
    blocked = cast.signers[-1].address
    plain_token.block_recipient(blocked)
    for actor in cast.actors:
        boa.env.set_balance(actor, FUNDS)
        for token in (plain_token, fee_token):
            token.mint(actor, FUNDS)
            with boa.env.prank(actor):
                token.approve(escrow.address, FUNDS)
    return Contracts(registry, escrow, plain_token, fee_token, blocked)


@dataclass(frozen=True)
class Wallet:
    """A `FickleWallet` (a contract wallet whose ERC-1271 answer can change) and the
    key holder whose signatures it vouches for while in its VOUCHES mode."""

    contract: Any
    holder: LocalAccount

    @property
    def address(self) -> str:
        return str(self.contract.address)


def deploy_wallets(count: int = 3) -> tuple[Wallet, ...]:
    """`count` wallets, each with its own key holder (no other account's key), funded."""
    deployer = boa.load_partial(str(HERE / "FickleWallet.vy"))
    holders = [Account.from_key((101 + index).to_bytes(32, "big")) for index in range(count)]
    wallets = tuple(Wallet(deployer.deploy(holder.address), holder) for holder in holders)
    for wallet in wallets:
        boa.env.set_balance(wallet.address, FUNDS)
    return wallets
