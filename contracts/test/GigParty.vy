# pragma version ~=0.4.3
"""
@title GigParty
@notice Test double: a contract that acts as a gig party through `forward`, and
        either rejects every ETH payment, burns all the gas it is given when paid
        (once told to), or, armed, tries to re-enter the escrow with a stored call
        while it is being paid.
"""

# @notice Where `forward` and the re-entry go.
target: public(address)
# @notice Rejects plain ETH payments when set.
rejects_eth: public(bool)
# @notice The call attempted on re-entry; empty: no attempt.
reentry_call: public(Bytes[2048])
# @notice Whether the last re-entry attempt succeeded.
reentry_succeeded: public(bool)
# @notice How many re-entries were attempted.
reentry_attempts: public(uint256)
# @notice Burns every unit of gas it is given on a plain ETH payment when set.
burns_gas: public(bool)


@deploy
def __init__(target: address, rejects_eth: bool):
    self.target = target
    self.rejects_eth = rejects_eth


@external
@payable
def forward(data: Bytes[4096]) -> Bytes[64]:
    return raw_call(self.target, data, value=msg.value, max_outsize=64)


@external
def arm(reentry_call: Bytes[2048]):
    self.reentry_call = reentry_call


@external
def burn_gas():
    self.burns_gas = True


@external
@payable
def __default__():
    assert not self.rejects_eth, "party: rejects ETH"
    assert not self.burns_gas, UNREACHABLE
    if len(self.reentry_call) > 0 and self.reentry_attempts == 0:
        self.reentry_attempts += 1
        success: bool = raw_call(self.target, self.reentry_call, max_outsize=0, revert_on_failure=False)
        self.reentry_succeeded = success
