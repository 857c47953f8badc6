"""GigLedger SDK: settle freelance gigs on an EVM chain and read verifiable reputation.

    from gigledger import GigLedger
    ledger = GigLedger.connect("http://127.0.0.1:8545", account=me, deployment="deployment.json")
"""

from gigledger.attestations import Attestation, SignedAttestation
from gigledger.client import AttestationResult, GigLedger, GigNotFound, GigResult, NoAccount, NotAParty
from gigledger.deployment import Deployment, deploy
from gigledger.errors import (
    ConfigurationError,
    ContractError,
    DeadlineNotPassed,
    DeadlinePassed,
    DeploymentMismatch,
    GigAlreadySettled,
    GigLedgerError,
    GigOutOfDate,
    InsufficientFunds,
    InvalidArgument,
    InvalidState,
    NodeError,
    NodeUnreachable,
    NotAuthorized,
    PaymentFailed,
    SenderNotAllowed,
    TransactionTimeout,
    WrongChain,
)
from gigledger.gigs import Gig, State
from gigledger.hashes import hash_content
from gigledger.payments import Payment
from gigledger.reputation import Reputation
from gigledger.transactions import Receipt

__all__ = [
    "Attestation",
    "AttestationResult",
    "ConfigurationError",
    "ContractError",
    "DeadlineNotPassed",
    "DeadlinePassed",
    "Deployment",
    "DeploymentMismatch",
    "Gig",
    "GigLedger",
    "GigLedgerError",
    "GigNotFound",
    "GigAlreadySettled",
    "GigOutOfDate",
    "GigResult",
    "InsufficientFunds",
    "InvalidArgument",
    "InvalidState",
    "NoAccount",
    "NodeError",
    "NodeUnreachable",
    "NotAParty",
    "NotAuthorized",
    "Payment",
    "PaymentFailed",
    "Receipt",
    "Reputation",
    "SenderNotAllowed",
    "SignedAttestation",
    "State",
    "TransactionTimeout",
    "WrongChain",
    "deploy",
    "hash_content",
]
