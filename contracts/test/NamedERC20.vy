# pragma version ~=0.4.3
"""
@title NamedERC20
@notice Test double: a plain ERC-20 with a symbol and decimals chosen at deployment
        (USDC-like 6, ETH-like 18), that anyone can mint. Shows that amounts are
        displayed in each token's own units.
"""

from ethereum.ercs import IERC20

implements: IERC20

# @notice Balances by holder.
balanceOf: public(HashMap[address, uint256])
# @notice Allowances by owner and spender.
allowance: public(HashMap[address, HashMap[address, uint256]])
# @notice Total minted.
totalSupply: public(uint256)
# @notice The token's short name, e.g. "USDC".
symbol: public(String[16])
# @notice Digits after the decimal point in one whole token.
decimals: public(uint8)

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
def __init__(symbol: String[16], decimals: uint8):
    self.symbol = symbol
    self.decimals = decimals


@external
def mint(to: address, amount: uint256):
    self.balanceOf[to] += amount
    self.totalSupply += amount
    log Transfer(sender=empty(address), receiver=to, value=amount)


@external
def transfer(receiver: address, amount: uint256) -> bool:
    self._move(msg.sender, receiver, amount)
    return True


@external
def transferFrom(sender: address, receiver: address, amount: uint256) -> bool:
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
    self.balanceOf[sender] -= amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=sender, receiver=receiver, value=amount)
