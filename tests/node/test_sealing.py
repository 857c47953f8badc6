"""Clique-style seals: who sealed a block can be checked from the header alone.

The node signs (`chain/sealing.py`); the SDK's `gigledger.seal` checks, from the
header as JSON-RPC serves it.
"""

import pytest
from eth_keys import keys

from gigledger.seal import HeaderHashMismatch, authorities_from_genesis, is_sealed_by, recover_sealer
from gigledger_node.cli import DEV_AUTHORITY_KEY
from gigledger_node.rpc.serialize import header_json

AUTHORITY = DEV_AUTHORITY_KEY.public_key.to_checksum_address()
OTHER = keys.PrivateKey(b"\x07" * 32).public_key.to_checksum_address()


def test_produced_block_is_sealed_by_the_authority(chain_node):
    header = chain_node.produce(allow_empty=True).block.header
    assert recover_sealer(header_json(header)) == AUTHORITY


def test_seal_verifies_against_a_list_holding_the_authority(chain_node):
    header = chain_node.produce(allow_empty=True).block.header
    assert is_sealed_by(header_json(header), [OTHER, AUTHORITY])


def test_seal_does_not_verify_against_other_authorities(chain_node):
    header = chain_node.produce(allow_empty=True).block.header
    assert not is_sealed_by(header_json(header), [OTHER])


def test_tampered_header_does_not_hash_to_its_hash(chain_node):
    header = chain_node.produce(allow_empty=True).block.header
    tampered = header_json(header) | {"gasUsed": hex(header.gas_used + 1)}
    with pytest.raises(HeaderHashMismatch):
        recover_sealer(tampered)


def test_genesis_header_records_the_authority_list(chain_node):
    assert authorities_from_genesis(header_json(chain_node.ledger.header_by_number(0))) == [AUTHORITY]


def test_header_from_geth_style_json_with_the_seal_in_extra_data(chain_node):
    header = chain_node.produce(allow_empty=True).block.header
    geth_style = {**header_json(header), "extraData": "0x" + header.extra_data.hex()}
    del geth_style["sealedExtraData"]
    assert recover_sealer(geth_style) == AUTHORITY
