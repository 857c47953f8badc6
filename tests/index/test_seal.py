"""The SDK's pure seal recovery matches the node's Clique-style sealing exactly."""

from __future__ import annotations

import pytest
from eth.vm.forks.prague.blocks import PragueBlockHeader
from eth_keys import keys

from gigledger.seal import HeaderHashMismatch, UnsealedHeader, authorities_from_genesis, recover_sealer
from gigledger_node.chain.sealing import genesis_extra_data, seal

AUTHORITY = keys.PrivateKey(b"\x07" * 32)


def _as_rpc_block(header) -> dict:
    """A py-evm header as eth_getBlockByHash serves it."""
    return {
        "parentHash": "0x" + header.parent_hash.hex(), "sha3Uncles": "0x" + header.uncles_hash.hex(),
        "miner": "0x" + header.coinbase.hex(), "stateRoot": "0x" + header.state_root.hex(),
        "transactionsRoot": "0x" + header.transaction_root.hex(), "receiptsRoot": "0x" + header.receipt_root.hex(),
        "logsBloom": "0x" + header.bloom.to_bytes(256, "big").hex(), "difficulty": hex(header.difficulty),
        "number": hex(header.block_number), "gasLimit": hex(header.gas_limit), "gasUsed": hex(header.gas_used),
        "timestamp": hex(header.timestamp), "extraData": "0x" + header.extra_data.hex(),
        "mixHash": "0x" + header.mix_hash.hex(), "nonce": "0x" + header.nonce.hex(),
        "baseFeePerGas": hex(header.base_fee_per_gas), "withdrawalsRoot": "0x" + header.withdrawals_root.hex(),
        "blobGasUsed": hex(header.blob_gas_used), "excessBlobGas": hex(header.excess_blob_gas),
        "parentBeaconBlockRoot": "0x" + header.parent_beacon_block_root.hex(),
        "requestsHash": "0x" + header.requests_hash.hex(), "hash": "0x" + header.hash.hex(),
    }


@pytest.fixture
def sealed_block() -> dict:
    header = PragueBlockHeader(
        difficulty=1, block_number=7, gas_limit=30_000_000, timestamp=1_700_000_000, extra_data=b"\0" * 32,
        parent_beacon_block_root=b"\0" * 32, requests_hash=b"\1" * 32,
    )
    return _as_rpc_block(seal(header, AUTHORITY))


def test_recovers_the_authority_that_sealed_a_node_header(sealed_block):
    assert recover_sealer(sealed_block) == AUTHORITY.public_key.to_checksum_address()


def test_a_header_changed_after_sealing_does_not_hash_to_its_hash(sealed_block):
    forged = sealed_block | {"gasUsed": hex(1)}

    with pytest.raises(HeaderHashMismatch):
        recover_sealer(forged)


def test_a_header_without_a_seal_is_unsealed():
    header = PragueBlockHeader(difficulty=1, block_number=1, gas_limit=1, timestamp=1, parent_beacon_block_root=b"\0" * 32, requests_hash=b"\0" * 32)

    with pytest.raises(UnsealedHeader):
        recover_sealer(_as_rpc_block(header))


def test_reads_the_authorities_from_a_clique_genesis():
    authority = AUTHORITY.public_key.to_checksum_address()

    assert authorities_from_genesis({"extraData": "0x" + genesis_extra_data([authority]).hex()}) == [authority]


def test_an_anvil_style_genesis_lists_no_authorities():
    assert authorities_from_genesis({"extraData": "0x"}) == []


def test_reads_the_seal_from_sealed_extra_data_as_gigledger_nodes_serve_it(sealed_block):
    served = sealed_block | {"extraData": sealed_block["extraData"][:66], "sealedExtraData": sealed_block["extraData"]}

    assert recover_sealer(served) == AUTHORITY.public_key.to_checksum_address()
