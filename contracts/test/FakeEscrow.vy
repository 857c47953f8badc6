# pragma version ~=0.4.3
"""
@title FakeEscrow
@notice Test double: what a rogue registry owner would authorise, an "escrow" whose
        attestation ticket calls accept anything and spend nothing.
"""


@external
def use_attestation_ticket(gig_id: uint256, attester: address, subject: address, score: uint8):
    pass


@external
def revoke_attestation_ticket(gig_id: uint256, attester: address, subject: address) -> uint8:
    return 5
