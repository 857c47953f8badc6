# pragma version ~=0.4.3
"""
@title GigEscrow
@notice Holds a client's payment for a gig until the freelancer's delivery is
        approved, the review period passes, a milestone is released, the deadline
        is missed, or an arbiter splits it. On settlement it records the objective
        outcome in the reputation registry.
@dev One contract holds every gig; a gig is one storage slot, not a deployment.
     The slot holds a commitment: the keccak256 of the ABI-encoded `Gig` while the
     gig is live (or cancelled), and once it settles between two known parties, a
     commitment to those parties whose low 16 bits are their attestation tickets.
     Callers pass the `Gig` as it stands, rebuilt from this contract's events (the
     SDK does this); any other `Gig` reverts. Everything else lives in events.
     Every function that makes an external call holds the reentrancy lock and
     changes state before the call; `accept` and `deliver` make none.
     Money never gets stuck: a payout the recipient rejects (or that needs more
     than ETH_PAYOUT_GAS) is credited and can be withdrawn to any address, every
     live state has a way out on a timeout, and the registry cannot refuse the
     records of an escrow it once let take gigs.
     Fees are charged on the cumulative amount paid to the freelancer and round
     up, so splitting a payment into milestones saves nothing.
"""

from ethereum.ercs import IERC20
from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from .interfaces import IGigEscrow
from .interfaces import IReputationRegistry
from .interfaces import ITalentMarket

implements: IGigEscrow

initializes: ownable
initializes: ownable_2step[ownable := ownable]
# Two-step ownership; renouncing is not offered: the fee and treasury stay administrable.
exports: (ownable.owner, ownable_2step.pending_owner, ownable_2step.transfer_ownership, ownable_2step.accept_ownership)


flag State:
    OPEN
    ACCEPTED
    DELIVERED
    RELEASED
    CANCELLED
    REFUNDED
    DISPUTED
    RESOLVED


struct Gig:
    client: address
    freelancer: address  # empty while an open gig waits for someone to accept it
    arbiter: address
    token: address  # empty for ETH
    amount: uint256  # what the escrow holds for this gig, as actually received
    paid: uint256  # released to the freelancer so far, before the platform fee
    milestones: DynArray[uint256, MAX_MILESTONES]  # nominal amounts; empty: one payment
    released: uint256  # milestones released so far
    deadline: uint256
    review_period: uint256
    fee_bps: uint256  # platform fee, fixed when the gig is created
    state: State
    delivered_at: uint256
    disputed_at: uint256


# @notice At most this many milestones per gig.
MAX_MILESTONES: constant(uint256) = 16
# @notice At most this many skill tags per gig.
MAX_SKILLS: constant(uint256) = 8
# @notice Basis points in one whole.
BPS: constant(uint256) = 10_000
# @notice The platform fee can never exceed 10%.
MAX_FEE_BPS: constant(uint256) = 1_000
# @notice The shortest review period: a client always has a day to dispute a delivery.
MIN_REVIEW_PERIOD: constant(uint256) = 86_400
# @notice The longest review period a client may ask for.
MAX_REVIEW_PERIOD: constant(uint256) = 90 * 86_400
# @notice Gas an ETH payout may use; a payee that needs more is credited instead.
ETH_PAYOUT_GAS: constant(uint256) = 100_000
# @notice After this long without a ruling, either party may settle a dispute evenly.
ARBITRATION_PERIOD: constant(uint256) = 30 * 86_400
# @notice The low bits of a settled commitment that hold the two attestation tickets.
TICKET_BITS: constant(uint256) = 16
# @notice A ticket's bit that marks its attestation as revoked.
REVOKED: constant(uint8) = 128
# @notice Separates a settled-parties commitment from a `Gig` hash.
SETTLED_DOMAIN: constant(bytes32) = keccak256("GigEscrow.settled")

# @notice Receives the objective outcome of every settled gig.
REGISTRY: public(immutable(IReputationRegistry))

# @notice Receives platform fees.
treasury: public(address)
# @notice Platform fee in basis points for gigs created from now on.
fee_bps: public(uint256)
# @notice The id the next gig gets; ids start at 1, so 0 means "no gig".
next_gig_id: public(uint256)
# @notice Per gig: the commitment described in the header.
gig_commitment: public(HashMap[uint256, bytes32])
# @notice Payouts a recipient rejected, by recipient and token; withdrawable.
credits: public(HashMap[address, HashMap[address, uint256]])
# @notice Per token (empty for ETH): the smallest gig amount; 0 means no minimum.
min_amount: public(HashMap[address, uint256])


# @notice A gig was created and funded.
event GigCreated:
    gig_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)
    arbiter: address
    token: address
    amount: uint256
    milestones: DynArray[uint256, MAX_MILESTONES]
    deadline: uint256
    review_period: uint256
    fee_bps: uint256
    terms_hash: bytes32
    skills: DynArray[bytes32, MAX_SKILLS]

# @notice A freelancer accepted a gig.
event GigAccepted:
    gig_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)

# @notice The client cancelled a gig nobody had accepted; `refund` went back to them.
event GigCancelled:
    gig_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)
    refund: uint256

# @notice The freelancer delivered; the review period started at `delivered_at`.
event GigDelivered:
    gig_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)
    deliverable_hash: bytes32
    delivered_at: uint256

# @notice Milestone `index` was released: `amount` before the fee, `fee` to the treasury.
event MilestoneReleased:
    gig_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)
    index: uint256
    amount: uint256
    fee: uint256

# @notice The gig was paid out in full: approved, claimed after review, or last milestone.
event GigReleased:
    gig_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)
    amount: uint256
    fee: uint256
    on_time: bool
    claimed: bool

# @notice The deadline passed with nothing delivered (or a dispute over an undelivered
#         gig went stale); `amount` went back to the client.
event GigRefunded:
    gig_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)
    amount: uint256

# @notice A party disputed the gig at `disputed_at`.
event GigDisputed:
    gig_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)
    opened_by: address
    disputed_at: uint256

# @notice A dispute was settled: by the arbiter, or evenly after the arbitration period.
event GigResolved:
    gig_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)
    to_client: uint256
    to_freelancer: uint256
    fee: uint256
    timed_out: bool

# @notice A payout was rejected by its recipient and credited instead.
event PaymentCredited:
    account: indexed(address)
    token: indexed(address)
    amount: uint256

# @notice A credited payout was withdrawn.
event CreditWithdrawn:
    account: indexed(address)
    token: indexed(address)
    recipient: address
    amount: uint256

# @notice The fee for new gigs changed.
event FeeChanged:
    fee_bps: uint256

# @notice The fee recipient changed.
event TreasuryChanged:
    treasury: indexed(address)

# @notice The smallest gig amount in `token` changed; 0: no minimum.
event MinAmountChanged:
    token: indexed(address)
    min_amount: uint256


@deploy
def __init__(registry: IReputationRegistry, treasury: address, fee_bps: uint256):
    """
    @param registry The reputation registry; it must authorise this escrow.
    @param treasury Receives platform fees; may be empty while the fee is zero.
    @param fee_bps Platform fee in basis points, at most 1000.
    """
    assert fee_bps <= MAX_FEE_BPS, "escrow: fee above 10%"
    assert fee_bps == 0 or treasury != empty(address), "escrow: fee needs a treasury"
    ownable.__init__()
    ownable_2step.__init__()
    REGISTRY = registry
    self.treasury = treasury
    self.fee_bps = fee_bps
    self.next_gig_id = 1


# ---------------------------------------------------------------- gig lifecycle


@external
@payable
@nonreentrant
def create_gig(
    freelancer: address,
    arbiter: address,
    token: address,
    amount: uint256,
    milestones: DynArray[uint256, MAX_MILESTONES],
    deadline: uint256,
    review_period: uint256,
    terms_hash: bytes32,
    skills: DynArray[bytes32, MAX_SKILLS],
) -> uint256:
    """
    @notice Creates a gig and funds it with `amount` of `token` (ETH when empty).
    @dev An empty `freelancer` makes an open gig that anyone but the client and the
         arbiter may accept. Non-empty `milestones` must add up to `amount`. For an
         ERC-20 the escrow holds what it actually received (fee-on-transfer tokens).
         The registry must accept gigs from this escrow, so that it will record them.
    @return The new gig's id.
    """
    return self._create_gig(freelancer, arbiter, token, amount, milestones, deadline, review_period, terms_hash, skills)


@internal
@payable
def _create_gig(
    freelancer: address,
    arbiter: address,
    token: address,
    amount: uint256,
    milestones: DynArray[uint256, MAX_MILESTONES],
    deadline: uint256,
    review_period: uint256,
    terms_hash: bytes32,
    skills: DynArray[bytes32, MAX_SKILLS],
) -> uint256:
    """
    @dev The caller is the client and pays; `create_gig` and `hire` share this path.
    """
    assert amount > 0, "escrow: zero amount"
    assert amount >= self.min_amount[token], "escrow: amount below the minimum"
    assert freelancer != msg.sender, "escrow: client cannot be the freelancer"
    assert arbiter != empty(address), "escrow: arbiter required"
    assert arbiter != msg.sender and arbiter != freelancer, "escrow: arbiter must be a third party"
    assert deadline > block.timestamp, "escrow: deadline in the past"
    assert review_period >= MIN_REVIEW_PERIOD, "escrow: review period too short"
    assert review_period <= MAX_REVIEW_PERIOD, "escrow: review period too long"
    if len(milestones) > 0:
        total: uint256 = 0
        for m: uint256 in milestones:
            assert m > 0, "escrow: zero milestone"
            total += m
        assert total == amount, "escrow: milestones do not add up to amount"
    assert staticcall REGISTRY.accepts_gigs_from(self), "escrow: registry does not take gigs from this escrow"

    gig_id: uint256 = self.next_gig_id
    self.next_gig_id = gig_id + 1
    fee_bps: uint256 = self.fee_bps
    held: uint256 = amount
    if token == empty(address):
        assert msg.value == amount, "escrow: value does not match amount"
    else:
        assert msg.value == 0, "escrow: ETH sent with a token gig"
        assert token.is_contract, "escrow: token is not a contract"
        held = self._pull(token, amount)

    gig: Gig = Gig(
        client=msg.sender,
        freelancer=freelancer,
        arbiter=arbiter,
        token=token,
        amount=held,
        paid=0,
        milestones=milestones,
        released=0,
        deadline=deadline,
        review_period=review_period,
        fee_bps=fee_bps,
        state=State.OPEN,
        delivered_at=0,
        disputed_at=0,
    )
    self.gig_commitment[gig_id] = keccak256(abi_encode(gig))
    log GigCreated(
        gig_id=gig_id,
        client=msg.sender,
        freelancer=freelancer,
        arbiter=arbiter,
        token=token,
        amount=held,
        milestones=milestones,
        deadline=deadline,
        review_period=review_period,
        fee_bps=fee_bps,
        terms_hash=terms_hash,
        skills=skills,
    )
    return gig_id


@external
def accept(gig_id: uint256, gig: Gig):
    """
    @notice Takes the gig on: the named freelancer, or anyone eligible for an open gig.
    """
    self._check(gig_id, gig)
    assert gig.state == State.OPEN, "escrow: gig is not open"
    if gig.freelancer == empty(address):
        assert msg.sender != gig.client, "escrow: client cannot be the freelancer"
        assert msg.sender != gig.arbiter, "escrow: arbiter cannot be the freelancer"
    else:
        assert msg.sender == gig.freelancer, "escrow: caller is not the freelancer"
    assert block.timestamp < gig.deadline, "escrow: deadline passed"
    accepted: Gig = gig
    accepted.freelancer = msg.sender
    accepted.state = State.ACCEPTED
    self._store(gig_id, accepted)
    log GigAccepted(gig_id=gig_id, client=gig.client, freelancer=msg.sender)


@external
@nonreentrant
def cancel(gig_id: uint256, gig: Gig):
    """
    @notice The client takes back the money of a gig nobody has accepted.
    """
    self._check(gig_id, gig)
    assert msg.sender == gig.client, "escrow: caller is not the client"
    assert gig.state == State.OPEN, "escrow: gig is not open"
    cancelled: Gig = gig
    cancelled.state = State.CANCELLED
    self._store(gig_id, cancelled)
    log GigCancelled(gig_id=gig_id, client=gig.client, freelancer=gig.freelancer, refund=gig.amount)
    self._pay(gig.token, gig.client, gig.amount)


@external
def deliver(gig_id: uint256, gig: Gig, deliverable_hash: bytes32):
    """
    @notice Marks the gig delivered; the review period starts now. Late delivery is
            allowed until the client takes a refund, and is recorded as late.
    """
    self._check(gig_id, gig)
    assert msg.sender == gig.freelancer, "escrow: caller is not the freelancer"
    assert gig.state == State.ACCEPTED, "escrow: gig is not accepted"
    delivered: Gig = gig
    delivered.state = State.DELIVERED
    delivered.delivered_at = block.timestamp
    self._store(gig_id, delivered)
    log GigDelivered(
        gig_id=gig_id,
        client=gig.client,
        freelancer=gig.freelancer,
        deliverable_hash=deliverable_hash,
        delivered_at=block.timestamp,
    )


@external
@nonreentrant
def approve(gig_id: uint256, gig: Gig):
    """
    @notice The client approves the delivery; the rest of the money goes to the freelancer.
    """
    self._check(gig_id, gig)
    assert msg.sender == gig.client, "escrow: caller is not the client"
    assert gig.state == State.DELIVERED, "escrow: gig is not delivered"
    self._release(gig_id, gig, False)


@external
@nonreentrant
def claim(gig_id: uint256, gig: Gig):
    """
    @notice The freelancer takes the payment once the review period passed undisputed.
    """
    self._check(gig_id, gig)
    assert msg.sender == gig.freelancer, "escrow: caller is not the freelancer"
    assert gig.state == State.DELIVERED, "escrow: gig is not delivered"
    assert block.timestamp >= gig.delivered_at + gig.review_period, "escrow: review period not over"
    self._release(gig_id, gig, True)


@external
@nonreentrant
def release_milestone(gig_id: uint256, gig: Gig):
    """
    @notice The client pays the next milestone; the last one settles the gig.
    @dev For a fee-on-transfer token each milestone pays its share of what was
         actually received; the last pays whatever is left.
    """
    self._check(gig_id, gig)
    assert msg.sender == gig.client, "escrow: caller is not the client"
    assert gig.state in (State.ACCEPTED | State.DELIVERED), "escrow: gig is not in progress"
    count: uint256 = len(gig.milestones)
    assert count > 0, "escrow: gig has no milestones"
    if gig.released + 1 == count:
        self._release(gig_id, gig, False)
        return
    nominal_total: uint256 = 0
    for m: uint256 in gig.milestones:
        nominal_total += m
    amount: uint256 = gig.amount * gig.milestones[gig.released] // nominal_total
    fee: uint256 = self._fee(gig.fee_bps, gig.paid, gig.paid + amount)
    progressed: Gig = gig
    progressed.paid = gig.paid + amount
    progressed.released = gig.released + 1
    self._store(gig_id, progressed)
    log MilestoneReleased(
        gig_id=gig_id, client=gig.client, freelancer=gig.freelancer, index=gig.released, amount=amount, fee=fee
    )
    self._pay_with_fee(gig.token, gig.freelancer, amount, fee)


@external
@nonreentrant
def refund(gig_id: uint256, gig: Gig):
    """
    @notice The deadline passed with nothing delivered: the client gets back what is
            left, and the freelancer's missed deadline is recorded.
    """
    self._check(gig_id, gig)
    assert msg.sender == gig.client, "escrow: caller is not the client"
    assert gig.state == State.ACCEPTED, "escrow: gig is not accepted"
    assert block.timestamp > gig.deadline, "escrow: deadline not passed"
    self._refund(gig_id, gig)


@external
@nonreentrant
def dispute(gig_id: uint256, gig: Gig):
    """
    @notice Either party hands the gig to the arbiter: while it is in progress, or
            during the review period after delivery. A freelancer who let the
            deadline pass without delivering cannot: the client's refund, and the
            missed deadline on record, come first.
    """
    self._check(gig_id, gig)
    assert msg.sender == gig.client or msg.sender == gig.freelancer, "escrow: caller is not a party"
    assert gig.state in (State.ACCEPTED | State.DELIVERED), "escrow: gig is not in progress"
    if gig.state == State.ACCEPTED and msg.sender == gig.freelancer:
        assert block.timestamp <= gig.deadline, "escrow: deadline passed"
    if gig.state == State.DELIVERED:
        assert block.timestamp < gig.delivered_at + gig.review_period, "escrow: review period over"
    disputed: Gig = gig
    disputed.state = State.DISPUTED
    disputed.disputed_at = block.timestamp
    self._store(gig_id, disputed)
    log GigDisputed(
        gig_id=gig_id, client=gig.client, freelancer=gig.freelancer, opened_by=msg.sender, disputed_at=block.timestamp
    )
    extcall REGISTRY.record_dispute_opened(msg.sender)


@external
@nonreentrant
def resolve(gig_id: uint256, gig: Gig, to_freelancer: uint256):
    """
    @notice The arbiter splits what is left: `to_freelancer` to the freelancer (less
            the fee), the rest to the client.
    """
    self._check(gig_id, gig)
    assert msg.sender == gig.arbiter, "escrow: caller is not the arbiter"
    assert gig.state == State.DISPUTED, "escrow: gig is not disputed"
    assert to_freelancer <= gig.amount - gig.paid, "escrow: split exceeds what is held"
    self._resolve(gig_id, gig, to_freelancer, False)


@external
@nonreentrant
def resolve_stale_dispute(gig_id: uint256, gig: Gig):
    """
    @notice When the arbiter has not ruled within the arbitration period, either
            party may settle the dispute: a delivered gig by splitting what is left
            evenly; an undelivered one, once its deadline has passed too, as a
            refund to the client with the missed deadline on record (a freelancer
            gains nothing by disputing instead of delivering).
    """
    self._check(gig_id, gig)
    assert msg.sender == gig.client or msg.sender == gig.freelancer, "escrow: caller is not a party"
    assert gig.state == State.DISPUTED, "escrow: gig is not disputed"
    assert block.timestamp >= gig.disputed_at + ARBITRATION_PERIOD, "escrow: arbitration period not over"
    if gig.delivered_at == 0:
        assert block.timestamp > gig.deadline, "escrow: deadline not passed"
        self._refund(gig_id, gig)
        return
    self._resolve(gig_id, gig, (gig.amount - gig.paid) // 2, True)


@external
@nonreentrant
def withdraw(token: address, recipient: address = msg.sender):
    """
    @notice Withdraws the caller's credited payouts of `token` to `recipient`.
    @dev A contract that rejects ETH names another recipient.
    """
    amount: uint256 = self.credits[msg.sender][token]
    assert amount > 0, "escrow: nothing to withdraw"
    assert recipient != empty(address), "escrow: empty recipient"
    self.credits[msg.sender][token] = 0
    log CreditWithdrawn(account=msg.sender, token=token, recipient=recipient, amount=amount)
    # The caller pays for this transfer, so it may give the recipient all its gas.
    assert self._transfer(token, recipient, amount, msg.gas), "escrow: withdrawal transfer failed"


# ---------------------------------------------------------------- attestation tickets


@external
def use_attestation_ticket(gig_id: uint256, attester: address, subject: address, score: uint8):
    """
    @notice Spends `attester`'s one attestation about `subject` on a settled gig.
    @dev Only the registry calls this; the ticket keeps the score for revocation.
    """
    assert msg.sender == REGISTRY.address, "escrow: caller is not the registry"
    assert score > 0 and score < REVOKED, "escrow: bad score"
    commitment: uint256 = convert(self.gig_commitment[gig_id], uint256)
    offset: uint256 = self._ticket_shift(commitment, attester, subject)
    assert (commitment >> offset) & 255 == 0, "escrow: party already attested"
    self.gig_commitment[gig_id] = convert(commitment | (convert(score, uint256) << offset), bytes32)


@external
def revoke_attestation_ticket(gig_id: uint256, attester: address, subject: address) -> uint8:
    """
    @notice Marks `attester`'s attestation on a settled gig revoked.
    @return The score it had given.
    """
    assert msg.sender == REGISTRY.address, "escrow: caller is not the registry"
    commitment: uint256 = convert(self.gig_commitment[gig_id], uint256)
    offset: uint256 = self._ticket_shift(commitment, attester, subject)
    ticket: uint256 = (commitment >> offset) & 255
    assert ticket != 0 and ticket < convert(REVOKED, uint256), "escrow: no attestation to revoke"
    self.gig_commitment[gig_id] = convert(commitment | (convert(REVOKED, uint256) << offset), bytes32)
    return convert(ticket, uint8)


# ---------------------------------------------------------------- views


@external
@pure
def hash_gig(gig: Gig) -> bytes32:
    """
    @notice The commitment a live gig's slot holds; lets a client check its rebuilt `Gig`.
    """
    return keccak256(abi_encode(gig))


@external
@view
def is_settled_between(gig_id: uint256, client: address, freelancer: address) -> bool:
    """
    @notice Whether the gig settled between these two parties (who may then attest).
    """
    commitment: uint256 = convert(self.gig_commitment[gig_id], uint256)
    return commitment >> TICKET_BITS == self._parties(client, freelancer) >> TICKET_BITS


# ---------------------------------------------------------------- administration


@external
def set_fee(fee_bps: uint256):
    """
    @notice Sets the platform fee for gigs created from now on; live gigs keep theirs.
    """
    ownable._check_owner()
    assert fee_bps <= MAX_FEE_BPS, "escrow: fee above 10%"
    assert fee_bps == 0 or self.treasury != empty(address), "escrow: fee needs a treasury"
    self.fee_bps = fee_bps
    log FeeChanged(fee_bps=fee_bps)


@external
def set_treasury(treasury: address):
    """
    @notice Sets where platform fees go.
    """
    ownable._check_owner()
    # Live gigs keep the fee they were created with, so a treasury, once set, stays set.
    assert treasury != empty(address), "escrow: empty treasury"
    self.treasury = treasury
    log TreasuryChanged(treasury=treasury)


@external
def set_min_amount(token: address, min_amount: uint256):
    """
    @notice Sets the smallest amount a new gig in `token` (empty for ETH) may have;
            0 disables it. Live gigs are not affected.
    """
    ownable._check_owner()
    self.min_amount[token] = min_amount
    log MinAmountChanged(token=token, min_amount=min_amount)


# ---------------------------------------------------------------- hiring from an offer


@external
@payable
@nonreentrant
def hire(market: ITalentMarket, offer_id: uint256, offer: ITalentMarket.Offer) -> uint256:
    """
    @notice Hires from an open offer of `market` in one call: creates and funds a gig
            with the offer's exact terms (its price, due `delivery_time` from now)
            for its freelancer, and closes the offer. The caller is the client.
    @dev The gig starts OPEN with the freelancer named, exactly as `create_gig`
         would make it: `market` is the caller's word, not this escrow's, so a hire
         grants nothing a plain gig does not. The freelancer's `accept` starts the
         work; until then the client may cancel and nothing is recorded against
         either. The market refuses terms other than the ones its freelancer posted.
    @return The new gig's id.
    """
    gig_id: uint256 = self._create_gig(
        offer.freelancer,
        offer.arbiter,
        offer.token,
        offer.price,
        [],
        block.timestamp + offer.delivery_time,
        offer.review_period,
        offer.terms_hash,
        offer.skills,
    )
    extcall market.take_offer(offer_id, offer, msg.sender, gig_id)
    return gig_id


# ---------------------------------------------------------------- internals


@internal
@view
def _check(gig_id: uint256, gig: Gig):
    assert keccak256(abi_encode(gig)) == self.gig_commitment[gig_id], "escrow: gig does not match its commitment"


@internal
def _store(gig_id: uint256, gig: Gig):
    self.gig_commitment[gig_id] = keccak256(abi_encode(gig))


@internal
def _settle(gig_id: uint256, client: address, freelancer: address):
    """
    @dev Replaces the gig's commitment by its parties' one, with both tickets unused.
    """
    self.gig_commitment[gig_id] = convert(self._parties(client, freelancer), bytes32)


@internal
@pure
def _parties(client: address, freelancer: address) -> uint256:
    digest: uint256 = convert(keccak256(abi_encode(SETTLED_DOMAIN, client, freelancer)), uint256)
    return (digest >> TICKET_BITS) << TICKET_BITS


@internal
@view
def _ticket_shift(commitment: uint256, attester: address, subject: address) -> uint256:
    """
    @dev The client's ticket is the lowest byte, the freelancer's the next one.
    """
    parties: uint256 = (commitment >> TICKET_BITS) << TICKET_BITS
    if parties == self._parties(attester, subject):
        return 0
    assert parties == self._parties(subject, attester), "escrow: not a settled gig between these parties"
    return 8


@internal
def _release(gig_id: uint256, gig: Gig, claimed: bool):
    """
    @dev Pays out everything not yet paid, settles, and records the completion.
    """
    amount: uint256 = gig.amount - gig.paid
    fee: uint256 = self._fee(gig.fee_bps, gig.paid, gig.amount)
    on_time: bool = block.timestamp <= gig.deadline
    if gig.delivered_at != 0:
        on_time = gig.delivered_at <= gig.deadline
    self._settle(gig_id, gig.client, gig.freelancer)
    log GigReleased(
        gig_id=gig_id,
        client=gig.client,
        freelancer=gig.freelancer,
        amount=amount,
        fee=fee,
        on_time=on_time,
        claimed=claimed,
    )
    extcall REGISTRY.record_completion(gig.client, gig.freelancer, gig.token, gig.amount, on_time)
    self._pay_with_fee(gig.token, gig.freelancer, amount, fee)


@internal
def _refund(gig_id: uint256, gig: Gig):
    """
    @dev Nothing was delivered in time: what is left goes back to the client, and the
         freelancer's missed deadline is recorded.
    """
    remaining: uint256 = gig.amount - gig.paid
    self._settle(gig_id, gig.client, gig.freelancer)
    log GigRefunded(gig_id=gig_id, client=gig.client, freelancer=gig.freelancer, amount=remaining)
    extcall REGISTRY.record_missed_deadline(gig.client, gig.freelancer, gig.token, gig.paid)
    self._pay(gig.token, gig.client, remaining)


@internal
@pure
def _fee(fee_bps: uint256, paid_before: uint256, paid_after: uint256) -> uint256:
    """
    @dev The fee on a payment that brings the freelancer's total from `paid_before`
         to `paid_after`: the fee on the new total, rounded up, less the fee already
         charged on the old one. It never exceeds the payment (fee_bps < BPS).
    """
    if fee_bps == 0:
        return 0
    return self._fee_on(paid_after, fee_bps) - self._fee_on(paid_before, fee_bps)


@internal
@pure
def _fee_on(total: uint256, fee_bps: uint256) -> uint256:
    return (total * fee_bps + BPS - 1) // BPS


@internal
def _resolve(gig_id: uint256, gig: Gig, to_freelancer: uint256, timed_out: bool):
    to_client: uint256 = gig.amount - gig.paid - to_freelancer
    fee: uint256 = self._fee(gig.fee_bps, gig.paid, gig.paid + to_freelancer)
    self._settle(gig_id, gig.client, gig.freelancer)
    log GigResolved(
        gig_id=gig_id,
        client=gig.client,
        freelancer=gig.freelancer,
        to_client=to_client,
        to_freelancer=to_freelancer,
        fee=fee,
        timed_out=timed_out,
    )
    extcall REGISTRY.record_resolution(
        gig.client, gig.freelancer, gig.token, to_client, to_freelancer, gig.paid + to_freelancer
    )
    self._pay(gig.token, gig.client, to_client)
    self._pay_with_fee(gig.token, gig.freelancer, to_freelancer, fee)


@internal
def _pull(token: address, amount: uint256) -> uint256:
    """
    @dev Takes `amount` of `token` from the caller; returns what actually arrived.
    """
    before: uint256 = staticcall IERC20(token).balanceOf(self)
    assert extcall IERC20(token).transferFrom(msg.sender, self, amount, default_return_value=True), "escrow: token transfer failed"
    received: uint256 = staticcall IERC20(token).balanceOf(self) - before
    assert received > 0, "escrow: zero amount received"
    return received


@internal
def _pay_with_fee(token: address, recipient: address, amount: uint256, fee: uint256):
    self._pay(token, recipient, amount - fee)
    if fee > 0:
        self._pay(token, self.treasury, fee)


@internal
def _pay(token: address, recipient: address, amount: uint256):
    """
    @dev Pays out, or credits the recipient when the transfer is rejected.
    """
    if amount == 0:
        return
    if not self._transfer(token, recipient, amount, ETH_PAYOUT_GAS):
        self.credits[recipient][token] += amount
        log PaymentCredited(account=recipient, token=token, amount=amount)


@internal
def _transfer(token: address, recipient: address, amount: uint256, eth_gas: uint256) -> bool:
    """
    @dev Never reverts: a rejected transfer returns False. An ETH transfer gets at
         most `eth_gas`.
    """
    if token == empty(address):
        return raw_call(recipient, b"", value=amount, gas=eth_gas, revert_on_failure=False)
    success: bool = False
    response: Bytes[32] = b""
    success, response = raw_call(
        token,
        abi_encode(recipient, amount, method_id=method_id("transfer(address,uint256)")),
        max_outsize=32,
        revert_on_failure=False,
    )
    if not success:
        return False
    return len(response) == 0 or convert(response, bool)
