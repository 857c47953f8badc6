"""`GigLedger`: gigs, attestations, reputation and payment history against any EVM node.

    ledger = GigLedger.connect("http://127.0.0.1:8545", account=me, deployment="deployment.json")
    gig = ledger.create_gig(10**18, freelancer=bob, arbiter=carol, deadline=timedelta(days=7)).gig

Every write signs locally, waits for its receipt and returns the gig as the
transaction left it; every read rebuilds state from the contracts' events (or,
for payment history, asks the query API when one is configured).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, cast

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.middleware import ExtraDataToPOAMiddleware

from gigledger.accounts import AccountSource, load_account
from gigledger.amounts import UnitsBook, read_token_metadata
from gigledger.attestations import (
    Attestation,
    SignedAttestation,
    typed_attestation,
)
from gigledger.contracts import abi
from gigledger.deployment import Deployment
from gigledger.eip712 import sign_typed_data
from gigledger.errors import (
    ConfigurationError,
    DeadlineNotPassed,
    GigAlreadySettled,
    GigLedgerError,
    GigOutOfDate,
    InvalidArgument,
    NodeUnreachable,
)
from gigledger.events import AttestationRevoked, Attested, GigCreated
from gigledger.gigs import ZERO_ADDRESS, Gig, GigHistoryError, State
from gigledger.hashes import as_bytes32
from gigledger.logs import LogReader
from gigledger.market import MarketCalls
from gigledger.payments import Payment, account_payments, api_payments
from gigledger.query_api import QueryApiError, QueryApiUnreachable, query_api_get  # noqa: F401 - re-exported
from gigledger.reputation import Reputation, Volume, build_reputation
from gigledger.skills import skill_name, skill_tag
from gigledger.talent import SkillSummary, TalentPage, fetch_skills, fetch_talent
from gigledger.transactions import DEFAULT_TIMEOUT, Receipt, TransactionSender, translate_node_error

#: Environment variables `connect` falls back to.
RPC_ENV = "GIGLEDGER_RPC"
DEPLOYMENT_ENV = "GIGLEDGER_DEPLOYMENT"
API_ENV = "GIGLEDGER_API"
DEFAULT_RPC = "http://127.0.0.1:8545"
#: Review period when the client names none: three days.
DEFAULT_REVIEW_PERIOD = 3 * 86_400
ERC20_ABI = [
    {
        "name": "allowance",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    },
    {
        "name": "approve",
        "type": "function",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "spender", "type": "address"}, {"name": "amount", "type": "uint256"}],
        "outputs": [{"name": "", "type": "bool"}],
    },
]

GigRef = int | Gig
Moment = int | datetime | timedelta


class NoAccount(ConfigurationError):
    """A write was asked of a read-only client."""

    def __init__(self) -> None:
        super().__init__(
            "this needs a signing account: pass account= (a LocalAccount or a keystore path), "
            "or set GIGLEDGER_PRIVATE_KEY"
        )


class GigNotFound(GigLedgerError):
    """No gig with that id exists on this escrow."""

    exit_code = 8

    def __init__(self, gig_id: int) -> None:
        self.gig_id = gig_id
        super().__init__(f"no gig {gig_id} on this escrow; list gigs with `gigledger gig list`")


class NotAParty(GigLedgerError):
    """The account is neither the client nor the freelancer of the gig."""

    exit_code = 3



@dataclass(frozen=True)
class GigResult:
    """A gig transaction's outcome: the gig as it left it, and the receipt."""

    gig: Gig
    receipt: Receipt

    @property
    def gig_id(self) -> int:
        """The gig's id."""
        return self.gig.gig_id

    @property
    def transaction_hash(self) -> str:
        """The transaction's hash."""
        return self.receipt.transaction_hash


@dataclass(frozen=True)
class AttestationResult:
    """An attestation (or revocation) sent, and its receipt."""

    attestation: Attestation
    receipt: Receipt


class GigLedger(MarketCalls):
    """One account's (or a reader's) view of a GigLedger deployment on one chain."""

    def __init__(
        self,
        w3: Web3,
        deployment: Deployment,
        account: LocalAccount | None = None,
        *,
        api_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        rpc_url: str = "",
    ) -> None:
        self.w3 = w3
        self.deployment = deployment
        self.account = account
        self.api_url = api_url.rstrip("/") if api_url else None
        self._units_book: UnitsBook | None = None
        self.rpc_url = rpc_url
        self.escrow = w3.eth.contract(address=Web3.to_checksum_address(deployment.escrow), abi=abi("GigEscrow"))
        self.registry = w3.eth.contract(address=Web3.to_checksum_address(deployment.registry), abi=abi("ReputationRegistry"))
        self.logs = LogReader(w3, deployment)
        self._sender = TransactionSender(w3, account, url=rpc_url, timeout=timeout) if account else None

    # ------------------------------------------------------------ connecting

    @classmethod
    def connect(
        cls,
        rpc_url: str | Web3 | None = None,
        account: AccountSource = None,
        deployment: Deployment | str | Path | None = None,
        *,
        password: str | None = None,
        api_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> GigLedger:
        """Connects to a node and checks the deployment is on its chain.

        `rpc_url` defaults to $GIGLEDGER_RPC (then http://127.0.0.1:8545) and may be a
        ready `Web3`; `deployment` is a `Deployment` or a manifest path, defaulting
        to $GIGLEDGER_DEPLOYMENT; `account` is a LocalAccount, a keystore path (with
        `password`), or None for the key in $GIGLEDGER_PRIVATE_KEY (or read-only).
        Raises NodeUnreachable, WrongChain or DeploymentMismatch.
        """
        w3, url = web3_for(rpc_url)
        manifest = _deployment_for(deployment)
        try:
            manifest.verify(w3)
        except GigLedgerError:
            raise
        except Exception as error:
            translated = translate_node_error(error, "", url)
            if translated is None:
                raise
            raise translated from error
        return cls(
            w3,
            manifest,
            load_account(account, password=password),
            api_url=api_url or os.environ.get(API_ENV) or None,
            timeout=timeout,
            rpc_url=url,
        )

    @property
    def address(self) -> str:
        """The signing account's address."""
        return self.sender.address

    @property
    def sender(self) -> TransactionSender:
        """The transaction sender of the signing account; NoAccount when read-only."""
        if self._sender is None:
            raise NoAccount()
        return self._sender

    # ------------------------------------------------------------ gig lifecycle

    def create_gig(
        self,
        amount: int,
        *,
        arbiter: str,
        deadline: Moment,
        freelancer: str | None = None,
        token: str | None = None,
        milestones: Iterable[int] = (),
        review_period: int | timedelta = DEFAULT_REVIEW_PERIOD,
        terms_hash: str | bytes | None = None,
        skills: Iterable[str] = (),
    ) -> GigResult:
        """Creates and funds a gig of `amount` (wei, or the token's smallest unit).

        No `freelancer` makes an open gig anyone eligible may accept; no `token`
        means ETH. For an ERC-20 the escrow's allowance is raised first when short.
        `deadline` is a unix time, a datetime, or a timedelta from the chain's now.
        """
        token = token or ZERO_ADDRESS
        if token != ZERO_ADDRESS:
            self._ensure_allowance(token, amount)
        call = self.escrow.functions.create_gig(
            freelancer or ZERO_ADDRESS,
            arbiter,
            token,
            amount,
            list(milestones),
            self._timestamp(deadline),
            _seconds(review_period),
            as_bytes32(terms_hash),
            [skill_tag(s) for s in skills],
        )
        receipt = self._transact(call, value=amount if token == ZERO_ADDRESS else 0)
        return GigResult(Gig.created(cast(GigCreated, receipt.event(GigCreated))), receipt)

    def accept(self, gig: GigRef) -> GigResult:
        """Takes the gig on: as its named freelancer, or as anyone eligible for an open gig."""
        return self._gig_call("accept", gig)

    def cancel(self, gig: GigRef) -> GigResult:
        """The client takes back the money of a gig nobody accepted."""
        return self._gig_call("cancel", gig)

    def deliver(self, gig: GigRef, deliverable_hash: str | bytes | None = None) -> GigResult:
        """The freelancer marks the gig delivered (committing to a hash of the work)."""
        return self._gig_call("deliver", gig, as_bytes32(deliverable_hash))

    def approve(self, gig: GigRef) -> GigResult:
        """The client approves the delivery: the rest of the money goes to the freelancer."""
        return self._gig_call("approve", gig)

    def claim(self, gig: GigRef) -> GigResult:
        """The freelancer takes the payment once the review period passed undisputed."""
        return self._gig_call("claim", gig)

    def refund(self, gig: GigRef) -> GigResult:
        """The client takes back what is left once the deadline passed with nothing delivered."""
        return self._gig_call("refund", gig)

    def dispute(self, gig: GigRef) -> GigResult:
        """Either party hands the gig to its arbiter."""
        return self._gig_call("dispute", gig)

    def resolve(self, gig: GigRef, to_freelancer: int) -> GigResult:
        """The arbiter splits what is left: `to_freelancer` (less the fee) and the rest to the client."""
        return self._gig_call("resolve", gig, to_freelancer)

    def resolve_stale_dispute(self, gig: GigRef) -> GigResult:
        """A party settles a dispute evenly when the arbiter has not ruled in time."""
        return self._gig_call("resolve_stale_dispute", gig)

    def release_milestone(self, gig: GigRef) -> GigResult:
        """The client pays the next milestone; the last one settles the gig."""
        return self._gig_call("release_milestone", gig)

    def withdraw(self, token: str | None = None, recipient: str | None = None) -> Receipt:
        """Withdraws payouts that were credited to the account because a transfer was rejected."""
        return self._transact(self.escrow.functions.withdraw(token or ZERO_ADDRESS, recipient or self.address))

    def credits(self, account: str, token: str | None = None) -> int:
        """What `account` may withdraw in `token` (ETH when None)."""
        return self.escrow.functions.credits(account, token or ZERO_ADDRESS).call()

    # ------------------------------------------------------------ attestations

    def attest(
        self, gig: GigRef, score: int, skill: str = "", evidence_hash: str | bytes | None = None
    ) -> AttestationResult:
        """Attests (score 1 to 5, optional skill and evidence hash) about the other party of a settled gig."""
        settled = self._gig(gig)
        subject = self._other_party(settled, self.address)
        call = self.registry.functions.attest(
            self.deployment.escrow, settled.gig_id, subject, score, skill_tag(skill), as_bytes32(evidence_hash)
        )
        return self._attestation_result(self._transact(call))

    def sign_attestation(
        self,
        gig: GigRef,
        score: int,
        skill: str = "",
        evidence_hash: str | bytes | None = None,
        *,
        deadline: Moment = timedelta(days=7),
        nonce: int | None = None,
    ) -> SignedAttestation:
        """Signs an attestation off-chain (EIP-712) for anyone to submit before `deadline`.

        The nonce defaults to the attester's next one in the registry; sign several
        in a row by passing consecutive nonces (they must be submitted in order).
        """
        settled = self._gig(gig)
        subject = self._other_party(settled, self.address)
        fields: dict[str, Any] = dict(
            escrow=self.deployment.escrow,
            gig_id=settled.gig_id,
            subject=subject,
            score=score,
            skill=skill_tag(skill),
            evidence_hash=as_bytes32(evidence_hash),
            nonce=self.registry.functions.nonces(self.address).call() if nonce is None else nonce,
            deadline=self._timestamp(deadline),
        )
        typed = typed_attestation(chain_id=self.deployment.chain_id, registry=self.deployment.registry, **fields)
        signature = sign_typed_data(self.sender.account, typed)
        return SignedAttestation(attester=self.address, signature=signature, **fields)

    def submit_attestation(self, signed: SignedAttestation) -> AttestationResult:
        """Sends someone's signed attestation (this account pays the gas)."""
        call = self.registry.functions.attest_by_signature(
            signed.attester,
            signed.escrow,
            signed.gig_id,
            signed.subject,
            signed.score,
            signed.skill,
            signed.evidence_hash,
            signed.deadline,
            bytes.fromhex(signed.signature.removeprefix("0x")),
        )
        return self._attestation_result(self._transact(call))

    def revoke(self, gig: GigRef, subject: str | None = None) -> AttestationResult:
        """Withdraws this account's attestation about the other party of a gig."""
        settled = self._gig(gig)
        subject = subject or self._other_party(settled, self.address)
        receipt = self._transact(self.registry.functions.revoke(self.deployment.escrow, settled.gig_id, subject))
        return self._attestation_result(receipt)

    def attestation_nonce(self, attester: str) -> int:
        """The nonce `attester`'s next signed attestation must carry."""
        return self.registry.functions.nonces(attester).call()

    def invalidate_nonce(self) -> Receipt:
        """Gives up this account's next signed-attestation nonce: an attestation it signed
        with that nonce (and handed out) can never be submitted."""
        return self._transact(self.registry.functions.invalidate_nonce())

    # ------------------------------------------------------------ administration (the owners')

    def set_min_amount(self, token: str | None, min_amount: int) -> Receipt:
        """As the escrow's owner: the smallest amount a new gig in `token` (ETH when None)
        may have; 0 removes the minimum. Live gigs are not affected."""
        return self._transact(self.escrow.functions.set_min_amount(token or ZERO_ADDRESS, min_amount))

    def min_amount(self, token: str | None = None) -> int:
        """The smallest amount a new gig in `token` (ETH when None) may have; 0: no minimum."""
        return self.escrow.functions.min_amount(token or ZERO_ADDRESS).call()

    def announce_writer(self, writer: str) -> Receipt:
        """As the registry's owner: makes `writer` (an escrow) a writer of objective records,
        from the time its `WriterAnnounced` event names (at once in the genesis period)."""
        return self._transact(self.registry.functions.announce_writer(writer))

    def retire_writer(self, writer: str) -> Receipt:
        """As the registry's owner: `writer` takes no new gigs but still records the outcomes
        of the gigs it holds."""
        return self._transact(self.registry.functions.retire_writer(writer))

    # ------------------------------------------------------------ reads

    def gig(self, gig_id: int) -> Gig:
        """The gig as its events leave it; GigNotFound when there is none."""
        gig = self.logs.gigs([gig_id]).get(gig_id)
        if gig is None:
            raise GigNotFound(gig_id)
        return gig

    def gigs(
        self, *, client: str | None = None, freelancer: str | None = None, state: State | str | None = None
    ) -> list[Gig]:
        """Gigs by client, freelancer and/or state (a State, or a name such as "open"), by id."""
        if client or freelancer:
            ids = self.logs.gig_ids_of(client=client, freelancer=freelancer)
        else:
            ids = self.logs.all_gig_ids()
        wanted = _state(state) if state is not None else None
        gigs = self.logs.gigs(sorted(ids)).values()
        return sorted(
            (
                g
                for g in gigs
                if (wanted is None or g.state & wanted)
                and (not client or g.client.lower() == client.lower())
                and (not freelancer or g.freelancer.lower() == freelancer.lower())
            ),
            key=lambda g: g.gig_id,
        )

    def reputation(self, address: str) -> Reputation:
        """What the chain says about `address`: objective record, attestations, per skill."""
        address = Web3.to_checksum_address(address)
        summary = self.registry.functions.summary(address).call()
        gigs = self.logs.gigs(sorted(self.logs.gig_ids_of(freelancer=address) | self.logs.gig_ids_of(client=address)))
        tokens = {ZERO_ADDRESS} | {g.token for g in gigs.values()}
        units = self.units_book()
        volumes = [
            Volume(t, earned, paid, units.format(earned, t), units.format(paid, t), units.label(t))
            for t in sorted(tokens)
            for earned, paid in [self.registry.functions.volume(address, t).call()]
        ]
        return build_reputation(
            address, summary, self._attestations(subject=address), gigs.values(), volumes
        )

    def talent(
        self, skill: str, *, trusted: list[str] | None = None, offset: int = 0, limit: int = 20
    ) -> TalentPage:
        """Freelancers for ``skill`` ranked by evidence, from the query API (GET /talent);
        ``trusted`` accounts seed the trust score instead of the operator's choice."""
        return fetch_talent(self._api_base("talent"), skill, trusted=trusted, offset=offset, limit=limit)

    def skills(self) -> list[SkillSummary]:
        """Every skill the index knows, with gig and freelancer counts (GET /skills)."""
        return fetch_skills(self._api_base("skills"))

    def units_book(self) -> UnitsBook:
        """Shows amounts in each token's units, reading decimals() and symbol() from the chain once."""
        if self._units_book is None:
            self._units_book = UnitsBook(lambda token: read_token_metadata(self.w3, token))
        return self._units_book

    def payment_history(self, address: str) -> list[Payment]:
        """Money between `address` and the escrow, oldest first: from the query API when one
        is configured, else from the chain's events. Directions are seen from the escrow."""
        address = Web3.to_checksum_address(address)
        if self.api_url:
            return self._api_payments(address)
        return account_payments(address, self.logs.account_events(address))

    def attestations(self, *, subject: str | None = None, attester: str | None = None) -> list[Attestation]:
        """Attestations on this deployment's gigs, about `subject` and/or by `attester`."""
        return list(self._attestations(subject=subject, attester=attester))

    # ------------------------------------------------------------ internals

    def _gig_call(self, function: str, gig: GigRef, *args: Any) -> GigResult:
        current = self._gig(gig)
        if current.state & _FINISHED:
            raise _already_finished(current, function)
        try:
            receipt = self._transact(getattr(self.escrow.functions, function)(current.gig_id, current.as_tuple(), *args))
        except GigOutOfDate as error:
            fresh = self.gig(current.gig_id)
            raise (_already_finished(fresh, function, error.transaction_hash) if fresh.state & _FINISHED else error) from error
        except DeadlineNotPassed as error:
            raise _with_deadline(error, current, function) from error
        return GigResult(self._after(current, receipt), receipt)

    def _after(self, gig: Gig, receipt: Receipt) -> Gig:
        """The gig after the receipt's events, applied as the contract applied them."""
        for event in receipt.events:
            if getattr(event, "gig_id", None) == gig.gig_id and event.address == self.deployment.escrow:
                gig = gig.apply(event)
        return gig

    def _gig(self, gig: GigRef) -> Gig:
        return gig if isinstance(gig, Gig) else self.gig(gig)

    def _transact(self, call: Any, *, value: int = 0) -> Receipt:
        return self.sender.transact(call, value=value)

    def _ensure_allowance(self, token: str, amount: int) -> None:
        erc20 = self.w3.eth.contract(address=Web3.to_checksum_address(token), abi=ERC20_ABI)
        if erc20.functions.allowance(self.address, self.deployment.escrow).call() < amount:
            self._transact(erc20.functions.approve(self.deployment.escrow, amount))

    def _timestamp(self, moment: Moment) -> int:
        """A unix time from an int, a datetime, or a timedelta after the chain's latest block."""
        if isinstance(moment, timedelta):
            return self.w3.eth.get_block("latest")["timestamp"] + int(moment.total_seconds())
        if isinstance(moment, datetime):
            return int(moment.timestamp())
        return int(moment)

    @staticmethod
    def _other_party(gig: Gig, me: str) -> str:
        if me.lower() == gig.client.lower():
            return gig.freelancer
        if me.lower() == gig.freelancer.lower():
            return gig.client
        raise NotAParty(f"{me} is neither the client nor the freelancer of gig {gig.gig_id}")

    def _attestation_result(self, receipt: Receipt) -> AttestationResult:
        for event in receipt.events:
            if isinstance(event, (Attested, AttestationRevoked)):
                return AttestationResult(_attestation(event, revoked=isinstance(event, AttestationRevoked)), receipt)
        raise GigHistoryError(f"transaction {receipt.transaction_hash} emitted no attestation event")

    def _attestations(self, *, subject: str | None = None, attester: str | None = None) -> tuple[Attestation, ...]:
        events = self.logs.attestation_events(subject=subject, attester=attester)
        revoked = {(e.attester, e.subject, e.gig_id) for e in events if isinstance(e, AttestationRevoked)}
        return tuple(
            _attestation(e, revoked=(e.attester, e.subject, e.gig_id) in revoked)
            for e in events
            if isinstance(e, Attested)
        )

    def _api_payments(self, address: str) -> list[Payment]:
        """Every page of GET {api}/accounts/{address}/payments."""
        return api_payments(lambda path, params: self._api_get(f"{self.api_url}{path}", params), address)

    def _api_base(self, what: str) -> str:
        if not self.api_url:
            raise ConfigurationError(f"{what} is served by the query API: pass api_url or set {API_ENV}")
        return self.api_url

    def _api_get(self, url: str, params: dict[str, Any]) -> Any:
        return query_api_get(url, params)


def _attestation(event: Attested | AttestationRevoked, *, revoked: bool) -> Attestation:
    return Attestation(
        attester=event.attester,
        subject=event.subject,
        gig_id=event.gig_id,
        escrow=event.escrow,
        score=event.score,
        skill=skill_name(getattr(event, "skill", "0x" + "00" * 32)),
        evidence_hash=getattr(event, "evidence_hash", "0x" + "00" * 32),
        transaction_hash=event.transaction_hash,
        block_number=event.block_number,
        revoked=revoked,
    )


def _seconds(duration: int | timedelta) -> int:
    return int(duration.total_seconds()) if isinstance(duration, timedelta) else int(duration)


def _state(state: State | str) -> State:
    if isinstance(state, State):
        return state
    try:
        return State[state.upper()]
    except KeyError:
        names = ", ".join(str(s.name).lower() for s in State)
        raise InvalidArgument(f"unknown gig state {state!r}; one of {names}") from None


def web3_for(rpc_url: str | Web3 | None) -> tuple[Web3, str]:
    """A connected Web3 and its URL; NodeUnreachable when nothing answers."""
    if isinstance(rpc_url, Web3):
        return rpc_url, getattr(rpc_url.provider, "endpoint_uri", "") or "in-process provider"
    url = rpc_url or os.environ.get(RPC_ENV) or DEFAULT_RPC
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 10}))
    # Proof-of-authority headers (this project's node, Besu's Clique) carry a seal in an
    # extraData longer than web3's 32-byte check allows; the middleware keeps it readable.
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    try:
        _ = w3.eth.chain_id  # the cheapest call that proves the node answers
    except Exception as error:
        raise NodeUnreachable(url, _first_line(error)) from None
    return w3, url


def _deployment_for(deployment: Deployment | str | Path | None) -> Deployment:
    if isinstance(deployment, Deployment):
        return deployment
    path = deployment or os.environ.get(DEPLOYMENT_ENV)
    if not path:
        raise ConfigurationError(
            "no deployment manifest: pass deployment= or set GIGLEDGER_DEPLOYMENT "
            "(`gigledger deploy` writes one)"
        )
    try:
        return Deployment.load(path)
    except (OSError, ValueError, KeyError) as error:
        raise ConfigurationError(f"cannot read deployment manifest {path}: {error}") from None


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__


#: States in which no gig call is left to make.
_FINISHED = State.RELEASED | State.REFUNDED | State.RESOLVED | State.CANCELLED
def _already_finished(gig: Gig, function: str, transaction_hash: str | None = None) -> GigAlreadySettled:
    return GigAlreadySettled(gig.gig_id, (gig.state.name or str(gig.state)).lower(), function, transaction_hash)


def _with_deadline(error: DeadlineNotPassed, gig: Gig, function: str) -> DeadlineNotPassed:
    """The contract's "too early", with the time it becomes possible (UTC)."""
    opens = {"refund": gig.deadline, "claim": gig.delivered_at + gig.review_period}.get(function)
    if not opens:
        return error
    when = datetime.fromtimestamp(opens, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return DeadlineNotPassed(f"{error.reason}: {function} is possible from {when}", error.transaction_hash)
