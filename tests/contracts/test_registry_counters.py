"""Registry counters saturate like volumes: a full counter never blocks the
settlement that records into it (the escrow's money would be stuck)."""

from __future__ import annotations

import boa
from deployed import Cast, Contracts
from escrow_model import ZERO_ADDRESS

FIELD_MAX = 2**32 - 1


def _fill_every_counter(contracts: Contracts, account: str) -> None:
    contracts.registry.eval(f"self.counters[{account}] = max_value(uint256)")


def test_a_full_record_still_takes_a_completion(contracts: Contracts, cast: Cast) -> None:
    client, freelancer = (s.address for s in cast.signers[:2])
    _fill_every_counter(contracts, freelancer)
    with boa.env.prank(contracts.escrow.address):
        contracts.registry.record_completion(client, freelancer, ZERO_ADDRESS, 1, True)
    assert list(contracts.registry.summary(freelancer)) == [FIELD_MAX] * 8


def test_a_full_record_still_takes_a_resolution(contracts: Contracts, cast: Cast) -> None:
    client, freelancer = (s.address for s in cast.signers[:2])
    _fill_every_counter(contracts, freelancer)
    _fill_every_counter(contracts, client)
    with boa.env.prank(contracts.escrow.address):
        contracts.registry.record_resolution(client, freelancer, ZERO_ADDRESS, 0, 10, 10)
    assert contracts.registry.summary(freelancer)[4] == contracts.registry.summary(client)[5] == FIELD_MAX
