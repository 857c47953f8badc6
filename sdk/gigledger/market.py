"""`GigLedger`'s talent-market calls: profiles, linked accounts, service offers, hiring.

Writes go to the TalentMarket (and, for a hire, the escrow); the terms a hire pays
are read from the chain's own `OfferPosted` log, never from the query API. The
reads that need the whole market (profiles, identities, offers by skill) ask the
query API, which indexes the market's events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable, cast

from web3 import Web3

from gigledger.amounts import TokenUnits, token_units
from gigledger.contracts import abi
from gigledger.eip712 import sign_typed_data
from gigledger.errors import ConfigurationError, GigLedgerError, InvalidArgument, InvalidState
from gigledger.events import GigCreated, OfferPosted, event_topics
from gigledger.gigs import ZERO_ADDRESS, Gig
from gigledger.hashes import as_bytes32
from gigledger.links import SignedLink, typed_link
from gigledger.offers import Offer
from gigledger.profiles import Profile, content_hash, parse_profile
from gigledger.skills import skill_tag
from gigledger.transactions import Receipt

if TYPE_CHECKING:
    from gigledger.client import GigResult
    from gigledger.deployment import Deployment
    from gigledger.logs import LogReader
    from gigledger.transactions import TransactionSender

#: Review period of an offer that names none: three days, as for gigs.
DEFAULT_OFFER_REVIEW = 3 * 86_400
_OFFER_POSTED = event_topics()["OfferPosted"]


class NoMarket(ConfigurationError):
    """The deployment manifest predates the talent market."""

    def __init__(self) -> None:
        super().__init__("this deployment has no TalentMarket; redeploy (`gigledger deploy`) to get one")


class OfferNotFound(GigLedgerError):
    """No offer with that id was ever posted on this market."""

    exit_code = 8

    def __init__(self, offer_id: int) -> None:
        self.offer_id = offer_id
        super().__init__(f"no offer {offer_id} on this market; list offers with `gigledger offer list`")


class OfferTermsChanged(InvalidState):
    """The chain's offer is not the one the client was shown: its hash differs."""

    def __init__(self, offer_id: int, expected: str, actual: str) -> None:
        self.offer_id, self.expected, self.actual = offer_id, expected, actual
        super().__init__(
            f"offer {offer_id} on this chain has terms hashing to {actual}, not the {expected} you were shown; "
            "nothing was sent (another deployment or chain, or a reorganisation replaced the offer): "
            "read it again with `gigledger offer show`"
        )


@dataclass(frozen=True)
class OfferResult:
    """An offer transaction's outcome: the offer, and the receipt."""

    offer: Offer
    receipt: Receipt


@dataclass(frozen=True)
class PublishedProfile:
    """An account's latest profile as the index holds it; `profile` is None when the
    document breaks the rules (then `error` says which)."""

    account: str
    document: str
    content_hash: str
    block_number: int
    transaction_hash: str
    profile: Profile | None
    error: str | None


class MarketCalls:
    """The talent-market half of `GigLedger` (which provides the attributes below)."""

    if TYPE_CHECKING:
        w3: Web3
        deployment: Deployment
        api_url: str | None
        logs: LogReader
        escrow: Any

        @property
        def address(self) -> str: ...
        @property
        def sender(self) -> TransactionSender: ...
        def _transact(self, call: Any, *, value: int = 0) -> Receipt: ...
        def _ensure_allowance(self, token: str, amount: int) -> None: ...
        def _timestamp(self, moment: int | datetime | timedelta) -> int: ...
        def _api_get(self, url: str, params: dict[str, Any]) -> Any: ...

    @property
    def market(self) -> Any:
        """The TalentMarket contract (web3); NoMarket when the deployment has none."""
        if self.deployment.market is None:
            raise NoMarket()
        return self.w3.eth.contract(address=Web3.to_checksum_address(self.deployment.market), abi=abi("TalentMarket"))

    def token_units(self, token: str | None = None) -> TokenUnits:
        """How amounts of `token` (ETH when None) are written and parsed."""
        return token_units(self.w3, token)

    # ------------------------------------------------------------ profiles

    def set_profile(self, profile: Profile) -> Receipt:
        """Publishes this account's profile; the latest one is its current one."""
        return self._transact(self.market.functions.set_profile(profile.to_json()))

    # ------------------------------------------------------------ linked accounts

    def sign_link(
        self, other: str, *, deadline: int | datetime | timedelta = timedelta(days=7), nonce: int | None = None
    ) -> SignedLink:
        """This account's consent to be linked with `other`, for `other` (or anyone) to submit."""
        other = Web3.to_checksum_address(other)
        if other == self.address:
            raise InvalidArgument("an account cannot be linked to itself")
        nonce = self.market.functions.nonces(self.address).call() if nonce is None else nonce
        expiry = self._timestamp(deadline)
        typed = typed_link(
            chain_id=self.deployment.chain_id,
            market=self.market.address,
            account=self.address,
            other=other,
            nonce=nonce,
            deadline=expiry,
        )
        signature = sign_typed_data(self.sender.account, typed)
        return SignedLink(account=self.address, other=other, nonce=nonce, deadline=expiry, signature=signature)

    def link(self, consent: SignedLink) -> Receipt:
        """Links this account with the one that signed `consent` (which must name this account)."""
        if Web3.to_checksum_address(consent.other) != self.address:
            raise InvalidArgument(f"this consent links {consent.account} with {consent.other}, not with {self.address}")
        signature = bytes.fromhex(consent.signature.removeprefix("0x"))
        call = self.market.functions.link(self.address, consent.account, consent.deadline, b"", signature)
        return self._transact(call)

    def unlink(self, other: str) -> Receipt:
        """Ends this account's link with `other`."""
        return self._transact(self.market.functions.unlink(Web3.to_checksum_address(other)))

    def is_linked(self, first: str, second: str) -> bool:
        """Whether the two accounts are linked now, on chain."""
        return self.market.functions.is_linked(first, second).call()

    # ------------------------------------------------------------ offers

    def post_offer(
        self,
        price: int,
        *,
        arbiter: str,
        delivery_time: int | timedelta,
        token: str | None = None,
        review_period: int | timedelta = DEFAULT_OFFER_REVIEW,
        terms_hash: str | bytes | None = None,
        skills: Iterable[str] = (),
    ) -> OfferResult:
        """Offers a service for `price` (smallest unit of `token`, ETH when None)."""
        call = self.market.functions.post_offer(
            token or ZERO_ADDRESS,
            price,
            _seconds(delivery_time),
            _seconds(review_period),
            arbiter,
            as_bytes32(terms_hash),
            [skill_tag(s) for s in skills],
        )
        receipt = self._transact(call)
        return OfferResult(Offer.posted(cast(OfferPosted, receipt.event(OfferPosted))), receipt)

    def offer(self, offer_id: int) -> Offer:
        """The offer's terms from its `OfferPosted` log; OfferNotFound when there is none."""
        events = self.logs.events(self.market.address, [_OFFER_POSTED, "0x" + format(offer_id, "064x")])
        if not events or not isinstance(events[0], OfferPosted):
            raise OfferNotFound(offer_id)
        return Offer.posted(events[0])

    def offer_is_open(self, offer: Offer) -> bool:
        """Whether the market still holds this offer's exact terms open."""
        return self.market.functions.offer_hash(offer.offer_id).call() == self.market.functions.hash_offer(offer.as_tuple()).call()

    def withdraw_offer(self, offer_id: int) -> Receipt:
        """Takes this account's offer down."""
        offer = self.offer(offer_id)
        return self._transact(self.market.functions.withdraw_offer(offer.offer_id, offer.as_tuple()))

    def hire(self, offer_id: int, *, max_price: int | None = None, offer_hash: str | None = None) -> GigResult:
        """Hires from an open offer: one call creates and funds a gig on its exact terms.

        The gig starts open with the offer's freelancer named; their `accept` starts
        the work, and until then this client may `cancel`. Before anything is sent,
        `max_price` (smallest unit of the offer's own token) refuses an offer that costs
        more, and `offer_hash` (`Offer.hash`, as the explorer shows it) refuses one
        whose terms are not exactly those the client was shown.
        """
        from gigledger.client import GigResult

        offer = self.offer(offer_id)
        if offer_hash is not None and offer.hash() != offer_hash.strip().lower():
            raise OfferTermsChanged(offer_id, offer_hash.strip().lower(), offer.hash())
        if max_price is not None and offer.price > max_price:
            units = self.token_units(offer.token)
            raise InvalidArgument(
                f"offer {offer_id} costs {units.format(offer.price)}, more than the {units.format(max_price)} you allowed"
            )
        if not self.offer_is_open(offer):
            raise InvalidState(f"market: offer {offer_id} is not open (withdrawn or hired)")
        eth = offer.token == ZERO_ADDRESS
        if not eth:
            self._ensure_allowance(offer.token, offer.price)
        call = self.escrow.functions.hire(self.market.address, offer.offer_id, offer.as_tuple())
        receipt = self._transact(call, value=offer.price if eth else 0)
        return GigResult(Gig.created(cast(GigCreated, receipt.event(GigCreated))), receipt)

    # ------------------------------------------------------------ reads through the query API

    def profile(self, account: str) -> PublishedProfile | None:
        """The account's latest profile, from the query API; None when it published none."""
        record = self._market_api(f"/accounts/{Web3.to_checksum_address(account)}/profile")["profile"]
        return None if record is None else published_profile(record)

    def identity(self, account: str) -> dict[str, Any]:
        """The account's identity from the query API: its linked accounts and the union of
        their records, with each account's share."""
        return self._market_api(f"/identities/{Web3.to_checksum_address(account)}")

    def offers(self, *, skill: str | None = None, state: str = "open") -> list[dict[str, Any]]:
        """Offers from the query API, newest first: open ones by default, optionally for one skill."""
        rows: list[dict[str, Any]] = []
        offset: int | None = 0
        while offset is not None:
            params: dict[str, Any] = {"state": state, "offset": offset, "limit": 100}
            if skill:
                params["skill"] = skill
            page = self._market_api("/offers", params)
            rows.extend(page["items"])
            offset = page.get("next_offset")
        return rows

    def _market_api(self, path: str, params: dict[str, Any] | None = None) -> Any:
        if not self.api_url:
            raise ConfigurationError("this read needs the query API: pass api_url= or set GIGLEDGER_API (or --api)")
        return self._api_get(f"{self.api_url}{path}", params or {})


def published_profile(data: dict[str, Any]) -> PublishedProfile:
    """A `PublishedProfile` from the query API's JSON, its hash checked against its document."""
    document = data["document"]
    if content_hash(document) != data["content_hash"]:
        raise GigLedgerError(f"the query API's profile of {data['account']} does not match its content hash")
    try:
        profile, error = parse_profile(document), None
    except ValueError as invalid:
        profile, error = None, str(invalid)
    return PublishedProfile(
        account=data["account"],
        document=document,
        content_hash=data["content_hash"],
        block_number=data["block_number"],
        transaction_hash=data["transaction_hash"],
        profile=profile,
        error=error,
    )


def _seconds(duration: int | timedelta) -> int:
    return int(duration.total_seconds()) if isinstance(duration, timedelta) else int(duration)
