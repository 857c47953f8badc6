# pragma version ~=0.4.3
"""
@title TalentMarket
@notice Where freelancers say who they are and what they offer: profiles, linked
        accounts (one identity over several addresses) and service offers that a
        client hires from in one call through the escrow.
@dev Not a reputation store: records stay in ReputationRegistry, and an identity's
     reputation is the union of its accounts' records, computed off chain. Profiles
     live only in events. A link stores one flag per pair, so that only a live link
     can be unlinked; an offer stores only the hash of its terms while it is open.
     Offers cannot be edited: new terms are a new offer, so a client's hire always
     names the exact terms it pays for, and a hire consumes its offer (the freelancer
     committed to one engagement, not to an unbounded queue of deadlines).
"""

from .interfaces import ITalentMarket

implements: ITalentMarket


# @notice At most this many skill tags per offer, as on a gig.
MAX_SKILLS: constant(uint256) = 8
# @notice A profile's longest UTF-8 JSON document, in bytes.
MAX_PROFILE: constant(uint256) = 4096
# @notice The longest review period an offer may ask for (the escrow's limit).
MAX_REVIEW_PERIOD: constant(uint256) = 90 * 86_400
# @notice The longest delivery time an offer may promise.
MAX_DELIVERY_TIME: constant(uint256) = 365 * 86_400
# @notice Signatures with s above half the curve order are malleable copies.
SECP256K1_HALF_ORDER: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168
# @notice EIP-712 domain and message types.
DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
LINK_TYPEHASH: constant(bytes32) = keccak256("Link(address account,address other,uint256 nonce,uint256 deadline)")
NAME_HASH: constant(bytes32) = keccak256("GigLedger Market")
VERSION_HASH: constant(bytes32) = keccak256("1")

# @notice The escrow whose `hire` alone may take an open offer.
ESCROW: public(immutable(address))

# @notice The id the next offer gets; ids start at 1, so 0 means "no offer".
next_offer_id: public(uint256)
# @notice Per open offer: keccak256 of its ABI-encoded `Offer`; empty once withdrawn or hired.
offer_hash: public(HashMap[uint256, bytes32])
# @notice Per pair of accounts (see `_pair`): whether they are linked now.
pair_linked: HashMap[bytes32, bool]
# @notice Per account: the nonce the next link signature it gives must carry.
nonces: public(HashMap[address, uint256])


# @notice `account` published a profile; `content_hash` is keccak256 of `profile`'s bytes.
# @dev `profile` is UTF-8 JSON: name, headline, skills (names), links, optional rate
#      {amount, token} and availability. The contract does not parse it; readers do.
event ProfileUpdated:
    account: indexed(address)
    content_hash: bytes32
    profile: String[MAX_PROFILE]

# @notice Two accounts, both having agreed, became one identity. `first` < `second`.
event AccountsLinked:
    first: indexed(address)
    second: indexed(address)

# @notice `by`, one of the two, ended their link. `first` < `second`.
event AccountsUnlinked:
    first: indexed(address)
    second: indexed(address)
    by: indexed(address)

# @notice `freelancer` offered a service on these terms; hire it through the escrow.
event OfferPosted:
    offer_id: indexed(uint256)
    freelancer: indexed(address)
    token: address
    price: uint256
    delivery_time: uint256
    review_period: uint256
    arbiter: address
    terms_hash: bytes32
    skills: DynArray[bytes32, MAX_SKILLS]

# @notice The freelancer took the offer down.
event OfferWithdrawn:
    offer_id: indexed(uint256)
    freelancer: indexed(address)

# @notice `client` hired from the offer; the escrow's gig `gig_id` holds the payment.
event OfferHired:
    offer_id: indexed(uint256)
    gig_id: indexed(uint256)
    client: indexed(address)


@deploy
def __init__(escrow: address):
    """
    @param escrow The GigEscrow whose `hire` takes offers from this market.
    """
    assert escrow.is_contract, "market: escrow is not a contract"
    ESCROW = escrow
    self.next_offer_id = 1


# ---------------------------------------------------------------- profiles


@external
def set_profile(profile: String[MAX_PROFILE]):
    """
    @notice Publishes the caller's profile; the latest one is the current one.
    """
    assert len(profile) > 0, "market: empty profile"
    log ProfileUpdated(account=msg.sender, content_hash=keccak256(profile), profile=profile)


# ---------------------------------------------------------------- linked accounts


@external
def link(first: address, second: address, deadline: uint256, first_signature: Bytes[65], second_signature: Bytes[65]):
    """
    @notice Makes `first` and `second` one identity. Each agrees either by being
            the caller (its signature may then be empty) or by its EIP-712 `Link`
            signature naming the other, its nonce and `deadline`; anyone may submit.
    @dev The domain binds chain id and this contract; a signature's nonce binds one use.
    """
    assert first != empty(address) and second != empty(address), "market: empty account"
    assert first != second, "market: cannot link an account to itself"
    pair: bytes32 = self._pair(first, second)
    assert not self.pair_linked[pair], "market: accounts already linked"
    self._consent(first, second, deadline, first_signature)
    self._consent(second, first, deadline, second_signature)
    self.pair_linked[pair] = True
    low: address = empty(address)
    high: address = empty(address)
    low, high = self._ordered(first, second)
    log AccountsLinked(first=low, second=high)


@external
def unlink(other: address):
    """
    @notice Ends the caller's link with `other`; either of the two may.
    """
    pair: bytes32 = self._pair(msg.sender, other)
    assert self.pair_linked[pair], "market: accounts not linked"
    self.pair_linked[pair] = False
    low: address = empty(address)
    high: address = empty(address)
    low, high = self._ordered(msg.sender, other)
    log AccountsUnlinked(first=low, second=high, by=msg.sender)


@external
def invalidate_link_signatures():
    """
    @notice Voids every link signature the caller gave and nobody has submitted yet.
    """
    self.nonces[msg.sender] += 1


@external
@view
def is_linked(first: address, second: address) -> bool:
    """
    @notice Whether the two accounts are linked now (in either order).
    """
    return self.pair_linked[self._pair(first, second)]


@external
@view
def DOMAIN_SEPARATOR() -> bytes32:
    """
    @notice The EIP-712 domain separator link signatures must use on this chain.
    """
    return self._domain_separator()


# ---------------------------------------------------------------- service offers


@external
def post_offer(
    token: address,
    price: uint256,
    delivery_time: uint256,
    review_period: uint256,
    arbiter: address,
    terms_hash: bytes32,
    skills: DynArray[bytes32, MAX_SKILLS],
) -> uint256:
    """
    @notice Offers a service: a client who hires it pays `price` of `token` (ETH when
            empty) into a gig due `delivery_time` seconds after the hire.
    @return The new offer's id.
    """
    assert price > 0, "market: zero price"
    assert token == empty(address) or token.is_contract, "market: token is not a contract"
    assert delivery_time > 0 and delivery_time <= MAX_DELIVERY_TIME, "market: delivery time out of range"
    assert review_period <= MAX_REVIEW_PERIOD, "market: review period too long"
    assert arbiter != empty(address), "market: arbiter required"
    assert arbiter != msg.sender, "market: arbiter must be a third party"
    offer: ITalentMarket.Offer = ITalentMarket.Offer(
        freelancer=msg.sender,
        token=token,
        price=price,
        delivery_time=delivery_time,
        review_period=review_period,
        arbiter=arbiter,
        terms_hash=terms_hash,
        skills=skills,
    )
    offer_id: uint256 = self.next_offer_id
    self.next_offer_id = offer_id + 1
    self.offer_hash[offer_id] = keccak256(abi_encode(offer))
    log OfferPosted(
        offer_id=offer_id,
        freelancer=msg.sender,
        token=token,
        price=price,
        delivery_time=delivery_time,
        review_period=review_period,
        arbiter=arbiter,
        terms_hash=terms_hash,
        skills=skills,
    )
    return offer_id


@external
def withdraw_offer(offer_id: uint256, offer: ITalentMarket.Offer):
    """
    @notice The offer's freelancer takes it down; nobody can hire it afterwards.
    """
    self._check_open(offer_id, offer)
    assert msg.sender == offer.freelancer, "market: caller is not the offer's freelancer"
    self.offer_hash[offer_id] = empty(bytes32)
    log OfferWithdrawn(offer_id=offer_id, freelancer=offer.freelancer)


@external
def take_offer(offer_id: uint256, offer: ITalentMarket.Offer, client: address, gig_id: uint256):
    """
    @notice Closes an open offer that `client` hired; gig `gig_id` holds the payment.
    @dev Only the escrow calls this, from `hire`, after creating the gig from `offer`.
    """
    assert msg.sender == ESCROW, "market: caller is not the escrow"
    self._check_open(offer_id, offer)
    self.offer_hash[offer_id] = empty(bytes32)
    log OfferHired(offer_id=offer_id, gig_id=gig_id, client=client)


@external
@pure
def hash_offer(offer: ITalentMarket.Offer) -> bytes32:
    """
    @notice The hash an open offer's slot holds; lets a client check its rebuilt `Offer`.
    """
    return keccak256(abi_encode(offer))


# ---------------------------------------------------------------- internals


@internal
@view
def _check_open(offer_id: uint256, offer: ITalentMarket.Offer):
    stored: bytes32 = self.offer_hash[offer_id]
    assert stored != empty(bytes32), "market: offer is not open"
    assert keccak256(abi_encode(offer)) == stored, "market: offer terms do not match"


@internal
def _consent(account: address, other: address, deadline: uint256, signature: Bytes[65]):
    """
    @dev The caller consents by calling; anyone else by a signature naming `other`.
    """
    if msg.sender == account:
        return
    assert block.timestamp <= deadline, "market: signature expired"
    nonce: uint256 = self.nonces[account]
    digest: bytes32 = keccak256(
        concat(
            b"\x19\x01",
            self._domain_separator(),
            keccak256(abi_encode(LINK_TYPEHASH, account, other, nonce, deadline)),
        )
    )
    assert self._recover(digest, signature) == account, "market: link not signed by both accounts"
    self.nonces[account] = nonce + 1


@internal
@pure
def _ordered(a: address, b: address) -> (address, address):
    if convert(a, uint256) < convert(b, uint256):
        return a, b
    return b, a


@internal
@pure
def _pair(a: address, b: address) -> bytes32:
    low: address = empty(address)
    high: address = empty(address)
    low, high = self._ordered(a, b)
    return keccak256(abi_encode(low, high))


@internal
@view
def _domain_separator() -> bytes32:
    return keccak256(abi_encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, chain.id, self))


@internal
@pure
def _recover(digest: bytes32, signature: Bytes[65]) -> address:
    """
    @dev A malformed signature recovers nobody, so it fails as "not signed".
    """
    if len(signature) != 65:
        return empty(address)
    r: uint256 = convert(slice(signature, 0, 32), uint256)
    s: uint256 = convert(slice(signature, 32, 32), uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    if s > SECP256K1_HALF_ORDER or (v != 27 and v != 28):
        return empty(address)
    return ecrecover(digest, v, r, s)
