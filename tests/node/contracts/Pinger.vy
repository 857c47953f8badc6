# pragma version ~=0.4.3
"""
@title Pinger
@notice Test double for the node suite: emits indexed events, stores a value,
        and reverts with a reason on demand.
"""

event Pinged:
    sender: indexed(address)
    tag: indexed(uint256)
    value: uint256

last: public(uint256)


@external
def ping(tag: uint256, amount: uint256):
    self.last = amount
    log Pinged(sender=msg.sender, tag=tag, value=amount)


@external
def fail():
    raise "pinger: asked to fail"


@external
def burst(count: uint256):
    """
    @notice Emits `count` Pinged events tagged 0..count-1 (for log benchmarks).
    """
    for i: uint256 in range(count, bound=1000):
        log Pinged(sender=msg.sender, tag=i, value=count)


@external
@view
def now() -> uint256:
    """
    @notice The timestamp of the block the call runs in.
    """
    return block.timestamp
