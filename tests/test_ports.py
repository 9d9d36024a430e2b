"""The ports the tests and benchmarks give their servers."""

import socket

from bench import ports


def test_a_block_is_free_below_the_ephemeral_range_and_never_handed_out_twice() -> None:
    blocks = [ports.free_port_block(7) for _ in range(50)]
    taken = [port for base in blocks for port in range(base, base + 7)]
    assert len(set(taken)) == len(taken)
    assert all(20000 <= port < ports._ephemeral_start() for port in taken)


def test_a_port_in_use_is_not_handed_out(monkeypatch) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        busy = listener.getsockname()[1]
        monkeypatch.setattr(ports, "_SERVER_PORTS", range(busy, busy + 2))  # busy, then one more
        assert ports.free_port() == busy + 1
