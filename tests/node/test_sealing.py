"""Clique-style seals: who sealed a block can be checked from the header alone."""

from eth_keys import keys

from gigledger.devchain import DEV_AUTHORITY_KEY
from gigledger_node.chain.sealing import (
    authorities_from_genesis,
    header_from_rpc,
    recover_sealer,
    verify_seal,
)
from gigledger_node.rpc.serialize import header_json

AUTHORITY = DEV_AUTHORITY_KEY.public_key.to_checksum_address()
OTHER = keys.PrivateKey(b"\x07" * 32).public_key.to_checksum_address()


def test_produced_block_is_sealed_by_the_authority(chain_node):
    header = chain_node.produce(allow_empty=True).block.header
    assert recover_sealer(header) == AUTHORITY


def test_seal_verifies_against_a_list_holding_the_authority(chain_node):
    header = chain_node.produce(allow_empty=True).block.header
    assert verify_seal(header, [OTHER, AUTHORITY])


def test_seal_does_not_verify_against_other_authorities(chain_node):
    header = chain_node.produce(allow_empty=True).block.header
    assert not verify_seal(header, [OTHER])


def test_tampered_header_does_not_verify(chain_node):
    header = chain_node.produce(allow_empty=True).block.header
    assert not verify_seal(header.copy(gas_used=header.gas_used + 1), [AUTHORITY])


def test_genesis_header_records_the_authority_list(chain_node):
    assert authorities_from_genesis(chain_node.ledger.header_by_number(0)) == [AUTHORITY]


def test_header_rebuilt_from_rpc_json_hashes_and_verifies(chain_node):
    header = chain_node.produce(allow_empty=True).block.header
    rebuilt = header_from_rpc(header_json(header))
    assert rebuilt.hash == header.hash and verify_seal(rebuilt, [AUTHORITY])


def test_header_rebuilt_from_geth_style_json_with_the_seal_in_extra_data(chain_node):
    header = chain_node.produce(allow_empty=True).block.header
    geth_style = {**header_json(header), "extraData": "0x" + header.extra_data.hex()}
    del geth_style["sealedExtraData"]
    assert header_from_rpc(geth_style).hash == header.hash
