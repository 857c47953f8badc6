"""The one dev-chain launcher: ports it chooses, and a node whose port was taken meanwhile."""

import socket

import pytest

from gigledger import devchain
from gigledger.devchain import LOOPBACK, NodeExited, NodeProcess, ephemeral_port_range, free_port


@pytest.fixture
def taken_port():
    """A loopback port another process listens on."""
    with socket.socket() as listener:
        listener.bind((LOOPBACK, free_port()))
        listener.listen()
        yield listener.getsockname()[1]


def test_free_ports_lie_below_the_range_outgoing_connections_take_theirs_from():
    low, _ = ephemeral_port_range()
    assert all(devchain.PORT_FLOOR <= free_port(span=2) < low - 1 for _ in range(50))


def test_free_port_never_returns_a_port_in_use(taken_port, monkeypatch):
    choices = iter([taken_port, taken_port + 1000])
    monkeypatch.setattr(devchain.random, "randrange", lambda *_: next(choices))
    assert free_port() == taken_port + 1000


def test_a_node_whose_chosen_port_was_taken_meanwhile_starts_on_another(taken_port, tmp_path):
    node = NodeProcess(["--dev", str(tmp_path / "data"), "--no-deploy", "--no-index"], tmp_path / "node.log")
    node.port = taken_port  # as if another process bound it after the choice
    with node.start():
        assert node.port != taken_port and node.answers()


def test_a_node_on_a_port_the_caller_chose_is_not_moved(taken_port, tmp_path):
    node = NodeProcess(["--dev", str(tmp_path / "data"), "--no-deploy", "--no-index"], tmp_path / "node.log", port=taken_port)
    with pytest.raises(NodeExited, match=devchain.PORT_TAKEN):
        node.start()
