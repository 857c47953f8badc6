"""Everything a query can refuse: a caller's mistake, or nothing indexed under a key.

The API maps `NotFound` to 404 and every other `QueryError` to 400; the explorer
renders the same errors as pages. The message is for the caller.
"""

from __future__ import annotations


class QueryError(Exception):
    """Base of everything a query can refuse; the message is for the caller."""


class InvalidAddress(QueryError, ValueError):
    """Not a 0x-prefixed 20-byte hex address (or a mixed-case one with a bad checksum)."""


class InvalidPaging(QueryError, ValueError):
    """Offset below zero, or a limit outside 1..MAX_LIMIT."""


class InvalidFilter(QueryError, ValueError):
    """A filter value the index does not know, such as an unknown gig state."""


class NotFound(QueryError, LookupError):
    """Nothing is indexed under that key."""


class UnknownGig(NotFound):
    """No gig with that id has been indexed."""


class UnknownTransaction(NotFound):
    """No indexed event came from that transaction."""


class UnknownBlock(NotFound):
    """The index holds no event in a block of that number."""


class NothingFound(NotFound):
    """A search matched no account, gig, transaction or block."""


class IndexNotStarted(NotFound):
    """The indexer has not run against this database yet."""
