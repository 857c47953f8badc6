# pragma version ~=0.4.3
"""
@title ContractWallet
@notice Test double: a contract wallet that acts through `forward` and, per ERC-1271,
        vouches for the signatures its key holder makes.
"""

# @notice ERC-1271's answer for a valid signature.
MAGIC: constant(bytes4) = 0x1626ba7e

# @notice The key whose signatures the wallet accepts.
signer: public(address)


@deploy
def __init__(signer: address):
    self.signer = signer


@external
@payable
def forward(target: address, data: Bytes[4096]) -> Bytes[64]:
    return raw_call(target, data, value=msg.value, max_outsize=64)


@external
@view
def isValidSignature(digest: bytes32, signature: Bytes[1024]) -> bytes4:
    if len(signature) != 65:
        return 0xffffffff
    r: uint256 = convert(slice(signature, 0, 32), uint256)
    s: uint256 = convert(slice(signature, 32, 32), uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    if ecrecover(digest, v, r, s) == self.signer:
        return MAGIC
    return 0xffffffff


@external
@payable
def __default__():
    pass
