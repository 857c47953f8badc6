"""The log decoder: typed events from web3 logs and raw JSON-RPC logs alike."""

from __future__ import annotations

import eth_abi

from gigledger.events import EVENT_TYPES, GigCreated, GigReleased, decode_log, decode_logs, event_topics

CLIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
FREELANCER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
ESCROW = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"


def raw_log(event: str, indexed: list[str], data: bytes, **overrides) -> dict:
    """A log as a JSON-RPC node returns it: hex strings throughout."""
    log = {
        "address": ESCROW.lower(),
        "topics": [event_topics()[event], *indexed],
        "data": "0x" + data.hex(),
        "blockNumber": "0x10",
        "blockHash": "0x" + "aa" * 32,
        "transactionHash": "0x" + "bb" * 32,
        "logIndex": "0x2",
    }
    log.update(overrides)
    return log


def topic(value: int | str) -> str:
    return "0x" + (format(value, "064x") if isinstance(value, int) else value[2:].lower().rjust(64, "0"))


def released_log(**overrides) -> dict:
    data = eth_abi.encode(["uint256", "uint256", "bool", "bool"], [900, 9, True, False])
    return raw_log("GigReleased", [topic(7), topic(CLIENT), topic(FREELANCER)], data, **overrides)


def test_every_contract_event_has_a_topic_and_a_model():
    assert set(event_topics()) == {model.__name__ for model in EVENT_TYPES}


def test_decode_log_reads_a_raw_json_rpc_log():
    event = decode_log(released_log())
    assert event == GigReleased(
        gig_id=7, client=CLIENT, freelancer=FREELANCER, amount=900, fee=9, on_time=True, claimed=False,
        block_number=16, block_hash="0x" + "aa" * 32, transaction_hash="0x" + "bb" * 32, log_index=2, address=ESCROW,
    )


def test_decode_log_reads_a_web3_log_with_bytes():
    raw = released_log()
    web3_style = {
        **raw,
        "topics": [bytes.fromhex(t[2:]) for t in raw["topics"]],
        "data": bytes.fromhex(raw["data"][2:]),
        "blockHash": bytes.fromhex(raw["blockHash"][2:]),
        "transactionHash": bytes.fromhex(raw["transactionHash"][2:]),
        "blockNumber": 16,
        "logIndex": 2,
        "address": ESCROW,
    }
    assert decode_log(web3_style) == decode_log(raw)


def test_decode_log_keeps_the_block_timestamp_when_the_log_has_one():
    assert decode_log(released_log(blockTimestamp="0x65")).block_timestamp == 101


def test_decode_log_turns_arrays_and_hashes_into_tuples_of_hex():
    data = eth_abi.encode(
        ["address", "address", "uint256", "uint256[]", "uint256", "uint256", "uint256", "bytes32", "bytes32[]"],
        [ESCROW, "0x" + "00" * 20, 300, [100, 200], 10**9, 3600, 50, b"\x01" * 32, [b"py".ljust(32, b"\0")]],
    )
    event = decode_log(raw_log("GigCreated", [topic(1), topic(CLIENT), topic("0x" + "00" * 20)], data))
    assert isinstance(event, GigCreated)
    assert event.milestones == (100, 200)
    assert event.terms_hash == "0x" + "01" * 32
    assert event.skills == ("0x7079" + "00" * 30,)


def test_decode_log_ignores_other_events():
    assert decode_log(released_log(topics=["0x" + "cc" * 32])) is None


def test_decode_log_ignores_a_log_with_the_wrong_number_of_topics():
    assert decode_log(released_log(topics=[event_topics()["GigReleased"]])) is None


def test_decode_logs_keeps_only_known_events_in_order():
    logs = [released_log(logIndex="0x1"), released_log(topics=[]), released_log(logIndex="0x3")]
    assert [e.log_index for e in decode_logs(logs)] == [1, 3]
