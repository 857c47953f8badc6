"""The GigLedger chain: py-evm's Prague VM on the LMDB block store.

:class:`Ledger` owns the store and the py-evm chain, and answers every question
about committed history: headers, blocks, transactions, receipts, state at a
block, and logs (through its :class:`LogIndex`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import rlp
from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI, StateAPI, VirtualMachineAPI
from eth.chains.base import BaseChain, Chain
from eth.db.schema import SchemaV1
from eth.exceptions import HeaderNotFound, TransactionNotFound
from eth.rlp.sedes import chain_gaps
from eth_typing import BlockNumber, Hash32
from eth_utils import to_canonical_address, to_wei

from gigledger_node.chain.keccak import use_native_keccak
from gigledger_node.chain.logindex import LogIndex
from gigledger_node.chain.sealing import genesis_extra_data
from gigledger_node.chain.storage import BlockStore
from gigledger_node.chain.vm import GigLedgerVM

GENESIS_FILE = "genesis.json"
STORE_DIR = "chaindata"


@dataclass
class Genesis:
    """What a chain starts from; saved as genesis.json in the data directory."""

    chain_id: int
    authorities: list[str]
    alloc: dict[str, int] = field(default_factory=dict)  # address -> wei
    gas_limit: int = 30_000_000
    base_fee_per_gas: int = to_wei(1, "gwei")
    timestamp: int = field(default_factory=lambda: int(time.time()))

    def save(self, data_dir: Path) -> None:
        (data_dir / GENESIS_FILE).write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, data_dir: Path) -> Genesis:
        raw = json.loads((data_dir / GENESIS_FILE).read_text())
        raw["alloc"] = {a: int(v) for a, v in raw.get("alloc", {}).items()}
        return cls(**raw)


class TxLocation(NamedTuple):
    """Where a committed transaction sits."""

    header: BlockHeaderAPI
    index: int  # type: ignore[assignment]  # a field named like tuple.index, as it reads best


class Ledger:
    """Committed chain history on one data directory."""

    def __init__(self, data_dir: Path, genesis: Genesis, durable: bool = True) -> None:
        use_native_keccak()
        self.genesis = genesis
        self.store = BlockStore(data_dir / STORE_DIR, durable=durable)
        chain_class = Chain.configure(
            __name__="GigLedgerChain",
            vm_configuration=((0, GigLedgerVM),),
            chain_id=genesis.chain_id,
        )
        self.chain: BaseChain
        if self._has_genesis():
            self.chain = chain_class(self.store)
        else:
            self.chain = chain_class.from_genesis(
                self.store, self._genesis_params(), self._genesis_state()
            )
            self.store.commit()
        self.chaindb = self.chain.chaindb
        self._head: BlockHeaderAPI | None = None
        self.log_index = LogIndex(self.store, self.header_by_number)

    @classmethod
    def open(cls, data_dir: Path, durable: bool = True) -> Ledger:
        """The ledger of an initialised data directory; ``durable=False`` skips the
        fsync per block (see storage.py), for throwaway dev chains."""
        return cls(data_dir, Genesis.load(data_dir), durable)

    def _has_genesis(self) -> bool:
        return SchemaV1.make_canonical_head_hash_lookup_key() in self.store

    def _genesis_params(self) -> dict:
        g = self.genesis
        return {
            "difficulty": 0,
            "gas_limit": g.gas_limit,
            "timestamp": g.timestamp,
            "extra_data": genesis_extra_data(g.authorities),
            "base_fee_per_gas": g.base_fee_per_gas,
            "coinbase": b"\0" * 20,
        }

    def _genesis_state(self) -> dict:
        return {
            to_canonical_address(a): {"balance": wei, "nonce": 0, "code": b"", "storage": {}}
            for a, wei in self.genesis.alloc.items()
        }

    @property
    def chain_id(self) -> int:
        return self.genesis.chain_id

    # -- headers and blocks ------------------------------------------------

    def head(self) -> BlockHeaderAPI:
        """The canonical head: one read of its hash, its header decoded once per head.

        Nearly every request and every block asks; decoding the header each time
        was a sixth of an empty block's CPU (cProfile).
        """
        head_hash = self.store[SchemaV1.make_canonical_head_hash_lookup_key()]
        cached = self._head
        if cached is None or cached.hash != head_hash:
            cached = self._head = self.chaindb.get_block_header_by_hash(Hash32(head_hash))
        return cached

    def header_by_number(self, number: int) -> BlockHeaderAPI | None:
        try:
            return self.chaindb.get_canonical_block_header_by_number(BlockNumber(number))
        except HeaderNotFound:
            return None

    def canonical_header(self, number: int) -> BlockHeaderAPI:
        """The header of canonical block ``number``, which must exist (at most the head)."""
        header = self.header_by_number(number)
        if header is None:
            raise HeaderNotFound(f"no canonical block {number}")
        return header

    def header_by_hash(self, block_hash: bytes) -> BlockHeaderAPI | None:
        """The header of a canonical block with this hash, else None."""
        try:
            header = self.chaindb.get_block_header_by_hash(Hash32(block_hash))
        except HeaderNotFound:
            return None
        canonical = self.header_by_number(header.block_number)
        return header if canonical is not None and canonical.hash == header.hash else None

    def block(self, header: BlockHeaderAPI) -> BlockAPI:
        return self.chain.get_vm_class(header).get_block_class().from_header(header, self.chaindb)

    def transactions(self, header: BlockHeaderAPI) -> Sequence[SignedTransactionAPI]:
        return self.block(header).transactions

    def receipts(self, header: BlockHeaderAPI) -> Sequence[ReceiptAPI]:
        receipt_class = self.chain.get_vm_class(header).get_block_class().receipt_builder
        return self.chaindb.get_receipts(header, receipt_class)

    def locate_transaction(self, tx_hash: bytes) -> TxLocation | None:
        try:
            number, index = self.chaindb.get_transaction_index(Hash32(tx_hash))
        except TransactionNotFound:
            return None
        header = self.header_by_number(number)
        return TxLocation(header, index) if header is not None else None

    # -- state ---------------------------------------------------------------

    def state_at(self, header: BlockHeaderAPI) -> StateAPI:
        """Read-only view of the state after ``header``'s block."""
        return self.chain.get_vm(header).state

    def vm_on_top_of(self, parent: BlockHeaderAPI, **header_fields: Any) -> VirtualMachineAPI:
        """A VM for a new block on ``parent`` (for building, calls and estimates)."""
        header = self.chain.create_header_from_parent(parent, **header_fields)
        return self.chain.get_vm(header)

    # -- history rewrites (dev chains only) ------------------------------------

    def rewind(self, number: int) -> None:
        """Make block ``number`` the head again, forgetting every later block."""
        head = self.head()
        for n in range(head.block_number, number, -1):
            header = self.canonical_header(n)
            self.log_index.remove(header)
            for tx_hash in self.chaindb.get_block_transaction_hashes(header):
                self.store.delete(SchemaV1.make_transaction_hash_to_block_lookup_key(tx_hash))
            self.store.delete(SchemaV1.make_block_number_to_hash_lookup_key(BlockNumber(n)))
        target = self.canonical_header(number)
        self.store[SchemaV1.make_canonical_head_hash_lookup_key()] = target.hash
        # py-evm tracks which block numbers it holds ("gaps"); say the chain ends here.
        no_gaps_up_to_target = rlp.encode(((), number + 1), sedes=chain_gaps)
        self.store[SchemaV1.make_header_chain_gaps_lookup_key()] = no_gaps_up_to_target
        self.store[SchemaV1.make_chain_gaps_lookup_key()] = no_gaps_up_to_target
        self.store.commit()

    def close(self) -> None:
        self.store.close()
