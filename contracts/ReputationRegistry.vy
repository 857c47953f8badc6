# pragma version ~=0.4.3
"""
@title ReputationRegistry
@notice Evidence of how accounts behaved on real gigs: objective records written by
        writers (escrows) when gigs settle, and attestations that the two parties
        of a settled gig give each other (directly, or by an EIP-712 or ERC-1271
        signature that anyone may submit), which their attester may revoke.
@dev Not a scoring model: it keeps counts and sums; apps weigh them. Each account's
     counters share one slot (eight 32-bit fields, saturating); volume is kept per
     token. Every write logs what it recorded and which writer recorded it, so an
     indexer can rebuild every account's record from logs alone and weigh writers
     as it sees fit. Which party may still attest about a gig is the escrow's
     attestation ticket, so nobody outside a settled gig can attest about it.
     Settlement never depends on the owner's later choices: a writer, once in
     effect, can always record (retiring it only stops it taking new gigs), and a
     new writer takes effect WRITER_DELAY after an event announces it, except
     those announced within GENESIS_PERIOD of deployment (the deployment's own).
     The registry cannot tell an honest escrow's tickets from a fake one's: a
     writer's attestations are labelled with it in `Attested`, and readers weigh
     them by whom they trust.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from .interfaces import IGigEscrow
from .interfaces import IReputationRegistry

implements: IReputationRegistry

initializes: ownable
initializes: ownable_2step[ownable := ownable]
# Two-step ownership; renouncing is not offered: a registry without an owner could
# never take a new escrow.
exports: (ownable.owner, ownable_2step.pending_owner, ownable_2step.transfer_ownership, ownable_2step.accept_ownership)


struct Summary:
    completed: uint256  # gigs paid out to this account as freelancer
    on_time: uint256  # of those, delivered by the deadline
    missed_deadlines: uint256  # accepted gigs refunded because nothing was delivered in time
    disputes_opened: uint256
    disputes_won: uint256  # the arbiter gave this account more than half
    disputes_lost: uint256  # the arbiter gave the other party more than half
    attestations: uint256  # attestations received and not revoked
    score_sum: uint256  # sum of their scores (1 to 5 each)


struct Volume:
    earned: uint256  # received as freelancer, before fees
    paid: uint256  # paid out as client


# @notice Field positions in an account's packed counters, 32 bits each.
COMPLETED: constant(uint256) = 0
ON_TIME: constant(uint256) = 1
MISSED_DEADLINES: constant(uint256) = 2
DISPUTES_OPENED: constant(uint256) = 3
DISPUTES_WON: constant(uint256) = 4
DISPUTES_LOST: constant(uint256) = 5
ATTESTATIONS: constant(uint256) = 6
SCORE_SUM: constant(uint256) = 7
# @notice Width and largest value of one counter.
FIELD_BITS: constant(uint256) = 32
FIELD_MAX: constant(uint256) = 2**32 - 1
# @notice Volume packs earned in the high half, paid in the low half; each saturates at HALF_MAX.
HALF_BITS: constant(uint256) = 128
HALF_MAX: constant(uint256) = 2**128 - 1
# @notice Attestation scores run from 1 to 5.
MIN_SCORE: constant(uint8) = 1
MAX_SCORE: constant(uint8) = 5
# @notice A new writer's records take effect this long after it was announced.
WRITER_DELAY: constant(uint256) = 7 * 86_400
# @notice Writers announced this soon after deployment take effect at once.
GENESIS_PERIOD: constant(uint256) = 86_400
# @notice Marks a retired writer in `writers`.
RETIRED: constant(uint256) = 1 << 255
# @notice ERC-1271's answer for a valid signature as the ABI word it comes in:
#         bytes4(keccak256("isValidSignature(bytes32,bytes)")), then 28 zero bytes.
ERC1271_MAGIC: constant(bytes32) = 0x1626ba7e00000000000000000000000000000000000000000000000000000000
# @notice The longest signature a contract wallet may submit.
MAX_SIGNATURE_BYTES: constant(uint256) = 1024
# @notice Signatures with s above half the curve order are malleable copies.
SECP256K1_HALF_ORDER: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168
# @notice EIP-712 domain and message types.
DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
ATTESTATION_TYPEHASH: constant(bytes32) = keccak256(
    "Attestation(address escrow,uint256 gigId,address subject,uint8 score,bytes32 skill,bytes32 evidence,uint256 nonce,uint256 deadline)"
)
NAME_HASH: constant(bytes32) = keccak256("GigLedger Reputation")
VERSION_HASH: constant(bytes32) = keccak256("1")

# @notice When the registry was deployed; starts GENESIS_PERIOD.
DEPLOYED_AT: public(immutable(uint256))

# @notice Per writer (escrow): when its writes take effect (0: never announced),
#         with RETIRED set once retired.
writers: public(HashMap[address, uint256])
# @notice Per account: the eight packed counters of `Summary`.
counters: HashMap[address, uint256]
# @notice Per account and token (empty for ETH): earned and paid, packed.
volumes: HashMap[address, HashMap[address, uint256]]
# @notice Per attester: the nonce the next signed attestation must carry.
nonces: public(HashMap[address, uint256])


# @notice The owner announced a writer; its writes take effect at `effective_at`.
event WriterAnnounced:
    writer: indexed(address)
    effective_at: uint256

# @notice The owner retired a writer: it settles its gigs but takes no new ones.
event WriterRetired:
    writer: indexed(address)

# @notice `writer` recorded a gig paid out in full to `freelancer`.
event CompletionRecorded:
    writer: indexed(address)
    freelancer: indexed(address)
    client: address
    token: address
    paid: uint256
    on_time: bool

# @notice `writer` recorded an accepted gig refunded because nothing was delivered in time.
event MissedDeadlineRecorded:
    writer: indexed(address)
    freelancer: indexed(address)
    client: address
    token: address
    earned: uint256

# @notice `writer` recorded that `opener` disputed a gig.
event DisputeOpenedRecorded:
    writer: indexed(address)
    opener: indexed(address)

# @notice `writer` recorded a settled dispute.
event ResolutionRecorded:
    writer: indexed(address)
    client: indexed(address)
    freelancer: indexed(address)
    token: address
    to_client: uint256
    to_freelancer: uint256
    earned: uint256

# @notice `attester` gave up its signed-attestation nonce `nonce` unused.
event NonceInvalidated:
    attester: indexed(address)
    nonce: uint256

# @notice `attester` attested about `subject` for gig `gig_id` of `escrow`.
event Attested:
    attester: indexed(address)
    subject: indexed(address)
    gig_id: indexed(uint256)
    escrow: address
    score: uint8
    skill: bytes32
    evidence_hash: bytes32

# @notice `attester` revoked its attestation about `subject` for gig `gig_id`.
event AttestationRevoked:
    attester: indexed(address)
    subject: indexed(address)
    gig_id: indexed(uint256)
    escrow: address
    score: uint8


@deploy
def __init__():
    ownable.__init__()
    ownable_2step.__init__()
    DEPLOYED_AT = block.timestamp


# ---------------------------------------------------------------- objective records


@external
def record_completion(client: address, freelancer: address, token: address, paid: uint256, on_time: bool):
    """
    @notice Records a gig paid out in full.
    """
    self._only_writer()
    record: uint256 = self._bump(self.counters[freelancer], COMPLETED)
    if on_time:
        record = self._bump(record, ON_TIME)
    self.counters[freelancer] = record
    self._add_volume(freelancer, client, token, paid)
    log CompletionRecorded(writer=msg.sender, freelancer=freelancer, client=client, token=token, paid=paid, on_time=on_time)


@external
def record_missed_deadline(client: address, freelancer: address, token: address, earned: uint256):
    """
    @notice Records an accepted gig refunded because nothing was delivered in time;
            `earned` is what milestones had already paid the freelancer.
    """
    self._only_writer()
    self.counters[freelancer] = self._bump(self.counters[freelancer], MISSED_DEADLINES)
    if earned > 0:
        self._add_volume(freelancer, client, token, earned)
    log MissedDeadlineRecorded(writer=msg.sender, freelancer=freelancer, client=client, token=token, earned=earned)


@external
def record_dispute_opened(opener: address):
    """
    @notice Records that `opener` disputed a gig.
    """
    self._only_writer()
    self.counters[opener] = self._bump(self.counters[opener], DISPUTES_OPENED)
    log DisputeOpenedRecorded(writer=msg.sender, opener=opener)


@external
def record_resolution(
    client: address, freelancer: address, token: address, to_client: uint256, to_freelancer: uint256, earned: uint256
):
    """
    @notice Records a settled dispute: whoever got more than half of the split won;
            an even split has no winner. `earned` is all the freelancer got on the gig.
    @dev An even split of an odd amount leaves one side a single indivisible unit
         ahead (a stale dispute always splits evenly); that is not a win.
    """
    self._only_writer()
    if to_freelancer > to_client + 1:
        self.counters[freelancer] = self._bump(self.counters[freelancer], DISPUTES_WON)
        self.counters[client] = self._bump(self.counters[client], DISPUTES_LOST)
    elif to_client > to_freelancer + 1:
        self.counters[client] = self._bump(self.counters[client], DISPUTES_WON)
        self.counters[freelancer] = self._bump(self.counters[freelancer], DISPUTES_LOST)
    self._add_volume(freelancer, client, token, earned)
    log ResolutionRecorded(
        writer=msg.sender,
        client=client,
        freelancer=freelancer,
        token=token,
        to_client=to_client,
        to_freelancer=to_freelancer,
        earned=earned,
    )


# ---------------------------------------------------------------- attestations


@external
def attest(escrow: address, gig_id: uint256, subject: address, score: uint8, skill: bytes32, evidence_hash: bytes32):
    """
    @notice Attests about the other party of a gig you settled with: once per gig.
    """
    self._attest(msg.sender, escrow, gig_id, subject, score, skill, evidence_hash)


@external
def attest_by_signature(
    attester: address,
    escrow: address,
    gig_id: uint256,
    subject: address,
    score: uint8,
    skill: bytes32,
    evidence_hash: bytes32,
    deadline: uint256,
    signature: Bytes[MAX_SIGNATURE_BYTES],
):
    """
    @notice Submits an attestation that `attester` signed off-chain (EIP-712); anyone
            may submit it, before `deadline`, once. A contract wallet's signature is
            checked by the wallet (ERC-1271).
    @dev The domain binds chain id and this contract, the nonce binds one use.
    """
    assert block.timestamp <= deadline, "registry: signature expired"
    nonce: uint256 = self.nonces[attester]
    digest: bytes32 = keccak256(
        concat(
            b"\x19\x01",
            self._domain_separator(),
            keccak256(
                abi_encode(ATTESTATION_TYPEHASH, escrow, gig_id, subject, score, skill, evidence_hash, nonce, deadline)
            ),
        )
    )
    assert self._signed_by(attester, digest, signature), "registry: signature is not the attester's"
    self.nonces[attester] = nonce + 1
    self._attest(attester, escrow, gig_id, subject, score, skill, evidence_hash)


@external
def invalidate_nonce():
    """
    @notice Gives up your next signed-attestation nonce, so that an attestation you
            signed with it but want withdrawn can never be submitted.
    """
    nonce: uint256 = self.nonces[msg.sender]
    self.nonces[msg.sender] = nonce + 1
    log NonceInvalidated(attester=msg.sender, nonce=nonce)


@external
def revoke(escrow: address, gig_id: uint256, subject: address):
    """
    @notice Withdraws your attestation about `subject` on a gig; you cannot attest again.
    """
    assert self._is_writer(escrow), "registry: escrow is not a writer"
    score: uint8 = extcall IGigEscrow(escrow).revoke_attestation_ticket(gig_id, msg.sender, subject)
    record: uint256 = self._drop(self.counters[subject], ATTESTATIONS, 1)
    self.counters[subject] = self._drop(record, SCORE_SUM, convert(score, uint256))
    log AttestationRevoked(attester=msg.sender, subject=subject, gig_id=gig_id, escrow=escrow, score=score)


# ---------------------------------------------------------------- views


@external
@view
def summary(account: address) -> Summary:
    """
    @notice An account's objective record and the attestations it received.
    """
    record: uint256 = self.counters[account]
    return Summary(
        completed=self._field(record, COMPLETED),
        on_time=self._field(record, ON_TIME),
        missed_deadlines=self._field(record, MISSED_DEADLINES),
        disputes_opened=self._field(record, DISPUTES_OPENED),
        disputes_won=self._field(record, DISPUTES_WON),
        disputes_lost=self._field(record, DISPUTES_LOST),
        attestations=self._field(record, ATTESTATIONS),
        score_sum=self._field(record, SCORE_SUM),
    )


@external
@view
def volume(account: address, token: address) -> Volume:
    """
    @notice What `account` earned and paid in `token` (empty for ETH) on settled gigs.
    """
    packed: uint256 = self.volumes[account][token]
    return Volume(earned=packed >> HALF_BITS, paid=packed & HALF_MAX)


@external
@view
def is_writer(writer: address) -> bool:
    """
    @notice Whether `writer`'s records and attestation tickets are in effect.
    """
    return self._is_writer(writer)


@external
@view
def accepts_gigs_from(escrow: address) -> bool:
    """
    @notice Whether `escrow` may take new gigs: a writer in effect, not retired.
    """
    status: uint256 = self.writers[escrow]
    return status != 0 and status <= block.timestamp


@external
@view
def DOMAIN_SEPARATOR() -> bytes32:
    """
    @notice The EIP-712 domain separator signed attestations must use on this chain.
    """
    return self._domain_separator()


# ---------------------------------------------------------------- administration


@external
def announce_writer(writer: address) -> uint256:
    """
    @notice Makes `writer` (an escrow) a writer: it may record outcomes and vouch for
            settled gigs from WRITER_DELAY on (at once within GENESIS_PERIOD of
            deployment). A writer stays one for good.
    @return When its writes take effect.
    """
    ownable._check_owner()
    assert writer != empty(address), "registry: empty writer"
    assert self.writers[writer] == 0, "registry: writer already announced"
    effective_at: uint256 = block.timestamp
    if block.timestamp >= DEPLOYED_AT + GENESIS_PERIOD:
        effective_at += WRITER_DELAY
    self.writers[writer] = effective_at
    log WriterAnnounced(writer=writer, effective_at=effective_at)
    return effective_at


@external
def retire_writer(writer: address):
    """
    @notice Stops `writer` taking new gigs; it still records the outcome of the gigs
            it holds, so retiring never strands their money.
    """
    ownable._check_owner()
    status: uint256 = self.writers[writer]
    assert status != 0, "registry: not a writer"
    assert status & RETIRED == 0, "registry: writer already retired"
    self.writers[writer] = status | RETIRED
    log WriterRetired(writer=writer)


# ---------------------------------------------------------------- internals


@internal
@view
def _is_writer(writer: address) -> bool:
    status: uint256 = self.writers[writer]
    return status != 0 and status & ~RETIRED <= block.timestamp


@internal
@view
def _only_writer():
    assert self._is_writer(msg.sender), "registry: caller is not a writer in effect"


@internal
def _attest(
    attester: address, escrow: address, gig_id: uint256, subject: address, score: uint8, skill: bytes32, evidence_hash: bytes32
):
    assert self._is_writer(escrow), "registry: escrow is not a writer"
    assert score >= MIN_SCORE and score <= MAX_SCORE, "registry: score must be 1 to 5"
    record: uint256 = self._bump(self.counters[subject], ATTESTATIONS)
    self.counters[subject] = self._add(record, SCORE_SUM, convert(score, uint256))
    log Attested(
        attester=attester, subject=subject, gig_id=gig_id, escrow=escrow, score=score, skill=skill, evidence_hash=evidence_hash
    )
    extcall IGigEscrow(escrow).use_attestation_ticket(gig_id, attester, subject, score)


@internal
def _add_volume(freelancer: address, client: address, token: address, amount: uint256):
    """
    @dev Saturates at 2**128 - 1 instead of reverting: a revert here would block the
         settlement that records it and leave the gig's money stuck in the escrow.
    """
    added: uint256 = min(amount, HALF_MAX)
    packed: uint256 = self.volumes[freelancer][token]
    earned: uint256 = min((packed >> HALF_BITS) + added, HALF_MAX)
    self.volumes[freelancer][token] = (earned << HALF_BITS) | (packed & HALF_MAX)
    packed = self.volumes[client][token]
    paid: uint256 = min((packed & HALF_MAX) + added, HALF_MAX)
    self.volumes[client][token] = (packed >> HALF_BITS << HALF_BITS) | paid


@internal
@pure
def _field(record: uint256, field: uint256) -> uint256:
    return (record >> (field * FIELD_BITS)) & FIELD_MAX


@internal
@pure
def _add(record: uint256, field: uint256, amount: uint256) -> uint256:
    """
    @dev Saturates at FIELD_MAX, like volumes: a revert would block the settlement
         that records it.
    """
    value: uint256 = min(self._field(record, field) + amount, FIELD_MAX)
    offset: uint256 = field * FIELD_BITS
    return (record & ~(FIELD_MAX << offset)) | (value << offset)


@internal
@pure
def _bump(record: uint256, field: uint256) -> uint256:
    return self._add(record, field, 1)


@internal
@pure
def _drop(record: uint256, field: uint256, amount: uint256) -> uint256:
    offset: uint256 = field * FIELD_BITS
    return record - (min(amount, self._field(record, field)) << offset)


@internal
@view
def _domain_separator() -> bytes32:
    return keccak256(abi_encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, chain.id, self))


@internal
@view
def _signed_by(signer: address, digest: bytes32, signature: Bytes[MAX_SIGNATURE_BYTES]) -> bool:
    """
    @dev A contract answers for its own signatures (ERC-1271); an account's is recovered.
    """
    if not signer.is_contract:
        return self._recover(digest, signature) == signer
    success: bool = False
    response: Bytes[32] = b""
    success, response = raw_call(
        signer,
        abi_encode(digest, signature, method_id=method_id("isValidSignature(bytes32,bytes)")),
        max_outsize=32,
        is_static_call=True,
        revert_on_failure=False,
    )
    # The whole word, as Solidity's bytes4 decoding and OpenZeppelin's SignatureChecker
    # compare it: a fallback that echoes its calldata starts with the magic value too.
    return success and len(response) == 32 and convert(response, bytes32) == ERC1271_MAGIC


@internal
@pure
def _recover(digest: bytes32, signature: Bytes[MAX_SIGNATURE_BYTES]) -> address:
    assert len(signature) == 65, "registry: signature must be 65 bytes"
    r: uint256 = convert(slice(signature, 0, 32), uint256)
    s: uint256 = convert(slice(signature, 32, 32), uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    assert s <= SECP256K1_HALF_ORDER, "registry: malleable signature"
    assert v == 27 or v == 28, "registry: bad signature v"
    signer: address = ecrecover(digest, v, r, s)
    assert signer != empty(address), "registry: invalid signature"
    return signer
