"""Free loopback ports for the servers that the benchmarks and the tests start."""

from __future__ import annotations

import random
import socket
from pathlib import Path


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


# The kernel gives the local end of outgoing connections (to Postgres, Redis, an action server)
# a port from the ephemeral range; a port picked there can be taken that way in the seconds
# before a slow-starting server binds it. Below that range only listeners compete.
_SERVER_PORTS = range(20000, _ephemeral_start())
_handed_out: set[int] = set()


def free_port_block(count: int = 1) -> int:
    """The first of `count` consecutive free loopback ports, not handed out before by this process."""
    for _ in range(500):
        base = random.randrange(_SERVER_PORTS.start, _SERVER_PORTS.stop - count + 1)
        block = range(base, base + count)
        if _handed_out.intersection(block):
            continue
        try:
            for port in block:
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        _handed_out.update(block)
        return base
    raise RuntimeError(f"no block of {count} free ports in {_SERVER_PORTS}")


def free_port() -> int:
    return free_port_block(1)
