"""What can go wrong when using GigLedger, one type per thing, each saying what to do.

Contract reverts become a `ContractError` subclass chosen by the contract's reason
string (which the caller can still read as `.reason`); node and transport failures
have their own types. Every type derives from `GigLedgerError`.
"""

from __future__ import annotations

from typing import Any


class GigLedgerError(Exception):
    """Anything the SDK reports; `exit_code` is what the CLI exits with for it."""

    exit_code = 1


# ---------------------------------------------------------------- contract reverts


class ContractError(GigLedgerError):
    """The contract refused the call; `reason` is its revert reason (may be empty)."""

    exit_code = 3

    def __init__(self, reason: str, transaction_hash: str | None = None) -> None:
        self.reason = reason
        self.transaction_hash = transaction_hash
        where = f" (transaction {transaction_hash})" if transaction_hash else ""
        super().__init__(f"{reason or 'the contract reverted without a reason'}{where}")


class NotAuthorized(ContractError):
    """The sender may not do this: not the client, freelancer, arbiter or owner asked for."""


class InvalidState(ContractError):
    """The gig (or attestation) is not in a state that allows this call."""


class GigOutOfDate(InvalidState):
    """The gig changed since it was read; read it again (`gig(id)`) and retry."""


class GigAlreadySettled(GigOutOfDate):
    """The gig is settled (released, refunded or resolved) or cancelled: nothing is left to do to it.

    `transaction_hash` is set when a transaction was sent and reverted because of it.
    """

    def __init__(self, gig_id: int, state: str, action: str, transaction_hash: str | None = None) -> None:
        self.gig_id = gig_id
        self.state = state
        if (action, state) == ("approve", "released"):
            message = f"gig {gig_id} is already approved: its payment was released"
        else:
            message = f"gig {gig_id} is already {state}: nothing left to {action.replace('_', ' ')}"
        super().__init__(message, transaction_hash)


class DeadlinePassed(ContractError):
    """Too late: the deadline, review period or signature validity is over."""


class DeadlineNotPassed(ContractError):
    """Too early: the deadline, review period or arbitration period is not over yet."""


class InvalidArgument(ContractError):
    """An argument the contract rejects: amounts, milestones, parties, scores, signatures."""


class PaymentFailed(ContractError):
    """A token transfer into or out of the escrow failed (allowance, balance, blocklist)."""


#: Revert reason fragments, most specific first, and the error each means.
_REASONS: tuple[tuple[str, type[ContractError]], ...] = (
    ("does not match its commitment", GigOutOfDate),
    ("review period not over", DeadlineNotPassed),
    ("arbitration period not over", DeadlineNotPassed),
    ("deadline not passed", DeadlineNotPassed),
    ("deadline passed", DeadlinePassed),
    ("deadline in the past", DeadlinePassed),
    ("review period over", DeadlinePassed),
    ("signature expired", DeadlinePassed),
    ("caller is not", NotAuthorized),
    ("cannot be the freelancer", NotAuthorized),
    ("is not a writer", NotAuthorized),
    ("does not take gigs from this escrow", NotAuthorized),
    ("signature is not the attester's", NotAuthorized),
    ("not a settled gig between these parties", NotAuthorized),
    ("link not signed by both accounts", NotAuthorized),
    ("gig is not", InvalidState),
    ("offer is not open", InvalidState),
    ("offer terms do not match", InvalidState),
    ("accounts already linked", InvalidState),
    ("accounts not linked", InvalidState),
    ("already attested", InvalidState),
    ("no attestation to revoke", InvalidState),
    ("nothing to withdraw", InvalidState),
    ("has no milestones", InvalidState),
    ("transfer failed", PaymentFailed),
    ("zero amount received", PaymentFailed),
)


def error_for_revert(reason: str, transaction_hash: str | None = None) -> ContractError:
    """The typed error for a contract's revert reason."""
    for fragment, error_type in _REASONS:
        if fragment in reason:
            return error_type(reason, transaction_hash)
    if reason.startswith(("escrow:", "registry:", "market:")):
        return InvalidArgument(reason, transaction_hash)
    return ContractError(reason, transaction_hash)


# ---------------------------------------------------------------- node and transport


class SenderNotAllowed(GigLedgerError):
    """A permissioned node refused the sender (JSON-RPC error -32007)."""

    exit_code = 4
    rpc_code = -32007

    def __init__(self, sender: str, message: str = "Sender account not authorized to send transactions") -> None:
        self.sender = sender
        super().__init__(
            f"the node refused sender {sender}: {message}. "
            "Ask the node's operator to add it to the allowlist (perm_addAccountsToAllowlist)."
        )


class InsufficientFunds(GigLedgerError):
    """The sender cannot pay for the transaction's value and gas."""

    exit_code = 4

    def __init__(self, sender: str, message: str) -> None:
        self.sender = sender
        super().__init__(f"{sender} cannot pay for this transaction ({message}); fund the account and retry.")


class NodeError(GigLedgerError):
    """The node answered with a JSON-RPC error the SDK has no better name for."""

    exit_code = 5

    def __init__(self, message: str, code: int | None = None) -> None:
        self.code = code
        super().__init__(f"the node returned an error{f' {code}' if code is not None else ''}: {message}")


class NodeUnreachable(GigLedgerError):
    """Nothing answers JSON-RPC at the given URL."""

    exit_code = 5

    def __init__(self, url: str, cause: Any = None) -> None:
        self.url = url
        detail = f" ({cause})" if cause else ""
        super().__init__(
            f"cannot reach a node at {url}{detail}. Start one (`gigledger-node start --dev`) "
            "or point --rpc / GIGLEDGER_RPC at a running node."
        )


class WrongChain(GigLedgerError):
    """The deployment manifest belongs to another chain than the node's."""

    exit_code = 6

    def __init__(self, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"the deployment manifest is for chain {expected} but the node is on chain {actual}. "
            "Point --rpc at the node the manifest was deployed to, or deploy again (`gigledger deploy`)."
        )


class DeploymentMismatch(GigLedgerError):
    """The manifest's addresses do not hold GigLedger's contracts on this chain."""

    exit_code = 6

    def __init__(self, contract: str, address: str, chain_id: int, problem: str) -> None:
        self.contract = contract
        self.address = address
        super().__init__(
            f"{contract} at {address} on chain {chain_id} {problem}. The chain may have been reset "
            "or the manifest is from another deployment: deploy again (`gigledger deploy`)."
        )


class TransactionTimeout(GigLedgerError):
    """A sent transaction was not mined in time; it may still be mined later."""

    exit_code = 7

    def __init__(self, transaction_hash: str, timeout: float) -> None:
        self.transaction_hash = transaction_hash
        self.timeout = timeout
        super().__init__(
            f"transaction {transaction_hash} was not mined within {timeout:g}s. It may still be mined: "
            "check the node is producing blocks, then look the transaction up before resending, "
            "or allow longer with --timeout."
        )


class ConfigurationError(GigLedgerError):
    """Missing or unusable settings: no account, no deployment manifest, a bad keystore."""

    exit_code = 2
