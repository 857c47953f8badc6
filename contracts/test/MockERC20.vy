# pragma version ~=0.4.3
"""
@title MockERC20
@notice Test double: a plain ERC-20 anyone can mint, with an optional transfer fee
        (fee-on-transfer tokens), an optional blocked recipient (tokens that
        refuse some transfers, as USDC's blocklist does), and an optional mode in
        which transfers return false instead of reverting (as some older tokens do).
"""

from ethereum.ercs import IERC20

implements: IERC20

# @notice Basis points in one whole.
BPS: constant(uint256) = 10_000

# @notice Balances by holder.
balanceOf: public(HashMap[address, uint256])
# @notice Allowances by owner and spender.
allowance: public(HashMap[address, HashMap[address, uint256]])
# @notice Total minted, less what the transfer fee burned.
totalSupply: public(uint256)
# @notice Share of every transfer burned, in basis points.
transfer_fee_bps: public(uint256)
# @notice Transfers to this address revert.
blocked: public(address)
# @notice While set, transfers move nothing and return false.
returns_false: public(bool)

# @notice Standard ERC-20 transfer event.
event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

# @notice Standard ERC-20 approval event.
event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256


@deploy
def __init__(transfer_fee_bps: uint256):
    self.transfer_fee_bps = transfer_fee_bps


@external
def mint(to: address, amount: uint256):
    self.balanceOf[to] += amount
    self.totalSupply += amount
    log Transfer(sender=empty(address), receiver=to, value=amount)


@external
def block_recipient(account: address):
    self.blocked = account


@external
def return_false(returns_false: bool):
    self.returns_false = returns_false


@external
def transfer(receiver: address, amount: uint256) -> bool:
    if self.returns_false:
        return False
    self._move(msg.sender, receiver, amount)
    return True


@external
def transferFrom(sender: address, receiver: address, amount: uint256) -> bool:
    if self.returns_false:
        return False
    self.allowance[sender][msg.sender] -= amount
    self._move(sender, receiver, amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    self.allowance[msg.sender][spender] = amount
    log Approval(owner=msg.sender, spender=spender, value=amount)
    return True


@internal
def _move(sender: address, receiver: address, amount: uint256):
    assert receiver != self.blocked, "token: recipient blocked"
    fee: uint256 = amount * self.transfer_fee_bps // BPS
    self.balanceOf[sender] -= amount
    self.balanceOf[receiver] += amount - fee
    self.totalSupply -= fee
    log Transfer(sender=sender, receiver=receiver, value=amount - fee)
