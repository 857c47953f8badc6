# pragma version ~=0.4.3
"""
@title FickleWallet
@notice Test double: a contract wallet whose ERC-1271 answer can change from one call
        to the next. It vouches for its key's signatures, or for anything, or
        refuses everything, reverts, answers a word that is not ERC-1271's magic
        value, answers the first word of its calldata (as a fallback that echoes its
        calldata would), or burns all the gas it is given.
@dev Not a wallet to copy: anyone may change its mode. It acts as a gig party or an
     attester when a test sends calls from its address. Its plain ETH fallback
     reverts in REVERTS and burns all its gas in BURNS_GAS, so that a hostile
     wallet is a hostile payee too.
"""

# @notice ERC-1271's answer for a valid signature, as the 32-byte word it is encoded to.
MAGIC_WORD: constant(bytes32) = 0x1626ba7e00000000000000000000000000000000000000000000000000000000
# @notice What the wallet answers when it refuses: a word that is not the magic one.
REFUSAL_WORD: constant(bytes32) = 0xffffffff00000000000000000000000000000000000000000000000000000000
# @notice A garbage answer: no ERC-1271 caller may read it as the magic value.
GARBAGE_WORD: constant(bytes32) = 0x00000000000000000000000000000000000000000000000000000000deadbeef
# @notice The magic value right-aligned, as a uint256 would carry it: not ERC-1271's encoding.
RIGHT_ALIGNED_MAGIC: constant(bytes32) = 0x000000000000000000000000000000000000000000000000000000001626ba7e


flag Mode:
    VOUCHES  # the magic value for a 65-byte signature by `key`, else a refusal
    VOUCHES_FOR_ANYTHING
    REFUSES
    REVERTS
    ANSWERS_GARBAGE
    ANSWERS_RIGHT_ALIGNED
    ECHOES_CALLDATA
    BURNS_GAS


# @notice The key whose signatures the wallet vouches for in VOUCHES.
key: public(address)
# @notice How the wallet answers now.
mode: public(Mode)


@deploy
def __init__(key: address):
    self.key = key
    self.mode = Mode.VOUCHES


@external
def set_mode(mode: Mode):
    """
    @notice Changes how the wallet answers from the next call on.
    """
    self.mode = mode


@external
@view
def isValidSignature(digest: bytes32, signature: Bytes[1024]) -> bytes32:
    """
    @notice ERC-1271, answered as a full word so that the wallet can also answer
            words a bytes4 could not hold.
    """
    mode: Mode = self.mode
    if mode == Mode.VOUCHES:
        return MAGIC_WORD if self._signed_by_key(digest, signature) else REFUSAL_WORD
    if mode == Mode.VOUCHES_FOR_ANYTHING:
        return MAGIC_WORD
    if mode == Mode.REVERTS:
        raise "wallet: reverts"
    if mode == Mode.ANSWERS_GARBAGE:
        return GARBAGE_WORD
    if mode == Mode.ANSWERS_RIGHT_ALIGNED:
        return RIGHT_ALIGNED_MAGIC
    if mode == Mode.ECHOES_CALLDATA:
        # the selector (which is the magic value) followed by the digest's first 28 bytes
        return convert(slice(msg.data, 0, 32), bytes32)
    assert mode != Mode.BURNS_GAS, UNREACHABLE
    return REFUSAL_WORD


@external
@payable
def __default__():
    assert self.mode != Mode.REVERTS, "wallet: rejects ETH"
    assert self.mode != Mode.BURNS_GAS, UNREACHABLE


@internal
@view
def _signed_by_key(digest: bytes32, signature: Bytes[1024]) -> bool:
    if len(signature) != 65:
        return False
    r: uint256 = convert(slice(signature, 0, 32), uint256)
    s: uint256 = convert(slice(signature, 32, 32), uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    return ecrecover(digest, v, r, s) == self.key
