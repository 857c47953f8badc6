"""The gigs table's rows as the SDK's `Gig`, and back.

The one mapping between the table and the gig: the projection writes rows with it
and the queries read them with it, so a column added to the table is added here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gigledger.gigs import Gig, State


@dataclass
class GigRow:
    """A gig as its row holds it: the gig itself, and when it was created and last changed."""

    gig: Gig
    created_block: int
    created_at: int
    updated_block: int
    updated_at: int

    def as_row(self) -> dict[str, Any]:
        """The row's values, as `db.gigs` stores them."""
        gig = self.gig
        return {
            "gig_id": gig.gig_id,
            "client": gig.client,
            "freelancer": gig.freelancer,
            "arbiter": gig.arbiter,
            "token": gig.token,
            "amount": gig.amount,
            "paid": gig.paid,
            "milestones": [str(m) for m in gig.milestones],
            "released": gig.released,
            "deadline": gig.deadline,
            "review_period": gig.review_period,
            "fee_bps": gig.fee_bps,
            "terms_hash": gig.terms_hash,
            "skills": list(gig.skills),
            "state": gig.state.name,
            "delivered_at": gig.delivered_at,
            "disputed_at": gig.disputed_at,
            "deliverable_hash": gig.deliverable_hash,
            "on_time": gig.on_time,
            "created_block": self.created_block,
            "created_at": self.created_at,
            "updated_block": self.updated_block,
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_row(cls, row: Any) -> GigRow:
        """A `db.gigs` row (anything with its columns as attributes) as a gig."""
        gig = Gig(
            gig_id=row.gig_id,
            client=row.client,
            freelancer=row.freelancer,
            arbiter=row.arbiter,
            token=row.token,
            amount=row.amount,
            paid=row.paid,
            milestones=tuple(int(m) for m in row.milestones),
            released=row.released,
            deadline=row.deadline,
            review_period=row.review_period,
            fee_bps=row.fee_bps,
            state=State[row.state],
            delivered_at=row.delivered_at,
            disputed_at=row.disputed_at,
            terms_hash=row.terms_hash,
            skills=tuple(row.skills),
            deliverable_hash=row.deliverable_hash,
            on_time=row.on_time,
        )
        return cls(gig, row.created_block, row.created_at, row.updated_block, row.updated_at)
