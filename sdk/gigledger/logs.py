"""Reading GigLedger's events from a node with eth_getLogs, filtered by indexed topics.

The escrow indexes every gig event by gig id, client and freelancer, and the
registry every attestation event by attester, subject and gig id, so the reads the
SDK needs are topic filters; nothing here scans the whole chain's logs.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from web3 import Web3
from web3.types import FilterParams

from gigledger.deployment import Deployment
from gigledger.events import (
    AttestationRevoked,
    Attested,
    CreditWithdrawn,
    Event,
    GigCreated,
    PaymentCredited,
    decode_logs,
    event_topics,
)
from gigledger.gigs import GIG_EVENTS, Gig, gigs_from_events

#: Blocks per eth_getLogs request; nodes cap how much one request may cover.
BLOCK_RANGE = 50_000


def address_topic(address: str) -> str:
    """An address as an indexed topic."""
    return "0x" + address.lower().removeprefix("0x").rjust(64, "0")


def uint_topic(value: int) -> str:
    """A uint256 as an indexed topic."""
    return "0x" + format(value, "064x")


_TOPICS = event_topics()
GIG_TOPICS = [_TOPICS[e.__name__] for e in GIG_EVENTS]
CREDIT_TOPICS = [_TOPICS[PaymentCredited.__name__], _TOPICS[CreditWithdrawn.__name__]]
ATTESTATION_TOPICS = [_TOPICS[Attested.__name__], _TOPICS[AttestationRevoked.__name__]]


class LogReader:
    """The contracts' events on one deployment."""

    def __init__(self, w3: Web3, deployment: Deployment) -> None:
        self.w3 = w3
        self.deployment = deployment

    def events(self, address: str, topics: Sequence[Any]) -> list[Event]:
        """Decoded events of `address` matching `topics`, from the deployment block on."""
        latest = self.w3.eth.block_number
        events: list[Event] = []
        for start in range(self.deployment.block, latest + 1, BLOCK_RANGE):
            query: FilterParams = {
                "address": Web3.to_checksum_address(address),
                "fromBlock": start,
                "toBlock": min(start + BLOCK_RANGE - 1, latest),
                "topics": list(topics),
            }
            events.extend(decode_logs(self.w3.eth.get_logs(query)))
        return events

    def escrow_events(self, topics: Sequence[Any]) -> list[Event]:
        """Escrow events matching `topics`."""
        return self.events(self.deployment.escrow, topics)

    def gig_events(self, gig_ids: Iterable[int]) -> list[Event]:
        """Every event of the given gigs."""
        ids = [uint_topic(i) for i in gig_ids]
        return self.escrow_events([GIG_TOPICS, ids]) if ids else []

    def gigs(self, gig_ids: Iterable[int]) -> dict[int, Gig]:
        """The given gigs, rebuilt from their events."""
        return gigs_from_events(self.gig_events(gig_ids))

    def gig_ids_of(self, *, client: str | None = None, freelancer: str | None = None) -> set[int]:
        """Ids of gigs with this client and/or freelancer (by any event naming them)."""
        topics: list[object] = [GIG_TOPICS, None, None, None]
        if client:
            topics[2] = address_topic(client)
        if freelancer:
            topics[3] = address_topic(freelancer)
        return {e.gig_id for e in self.escrow_events(topics) if isinstance(e, GIG_EVENTS)}

    def all_gig_ids(self) -> set[int]:
        """Ids of every gig created on this escrow."""
        return {e.gig_id for e in self.escrow_events([_TOPICS["GigCreated"]]) if isinstance(e, GigCreated)}

    def account_events(self, account: str) -> list[Event]:
        """Every event of the account's gigs (as client or freelancer), and its credits."""
        ids = self.gig_ids_of(client=account) | self.gig_ids_of(freelancer=account)
        credits = self.escrow_events([CREDIT_TOPICS, address_topic(account)])
        return self.gig_events(sorted(ids)) + credits

    def attestation_events(self, *, subject: str | None = None, attester: str | None = None) -> list[Event]:
        """Attested and AttestationRevoked events about `subject` and/or by `attester`."""
        topics: list[object] = [ATTESTATION_TOPICS, address_topic(attester) if attester else None]
        topics.append(address_topic(subject) if subject else None)
        return [
            e for e in self.events(self.deployment.registry, topics)
            if isinstance(e, (Attested, AttestationRevoked)) and e.escrow == self.deployment.escrow
        ]
