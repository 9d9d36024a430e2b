"""A TCP proxy on loopback that a test can cut and restore, to take a database away mid-conversation.

`cut()` stops listening (new connections are refused) and resets every open connection, as a
database that crashed would; `restore()` listens again on the same port. `cut_after_next_commit()`
lets the next COMMIT reach the database, then cuts before its reply gets back: the client can't
know whether it was written. The proxy runs its own asyncio loop in a daemon thread, so only that
loop ever touches the sockets: a reset really resets.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading

from bench.ports import free_port


class CuttableProxy:
    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self.connections = 0  # accepted so far, to show traffic really went through
        self._cut_after_commit = False
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.AbstractServer | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="db-proxy", daemon=True)
        self._thread.start()
        self.restore()

    def _run(self, coroutine) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def restore(self) -> None:
        """Listen again; new connections reach the database."""
        self._run(self._listen())

    def cut(self) -> None:
        """Refuse new connections and reset the open ones."""
        self._run(self._cut())

    def cut_after_next_commit(self) -> None:
        self._cut_after_commit = True

    def close(self) -> None:
        self.cut()
        self._run(self._settle())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _settle(self) -> None:
        """Let the connection handlers see their sockets closed and end."""
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        if others:
            await asyncio.wait(others, timeout=5)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        self._reset_all()
        if server is not None:
            await server.wait_closed()

    def _reset_all(self) -> None:
        for writer in list(self._writers):
            _reset(writer)
        self._writers.clear()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            _reset(client_writer)
            return
        pair = {client_writer, upstream_writer}
        self._writers |= pair
        committed = asyncio.Event()

        def watch_for_commit(data: bytes) -> None:
            # psycopg2 sends COMMIT as a simple query: b"Q" + length + b"COMMIT\0".
            if self._cut_after_commit and b"COMMIT\x00" in data:
                self._cut_after_commit = False
                committed.set()

        async def cut_instead_of_reply(data: bytes) -> bool:
            if not committed.is_set():
                return False
            # The database did commit; its answer never arrives, and then it is gone.
            self._reset_all()
            asyncio.get_running_loop().create_task(self._cut())
            return True

        try:
            await asyncio.gather(
                _pump(client_reader, upstream_writer, before=watch_for_commit),
                _pump(upstream_reader, client_writer, instead=cut_instead_of_reply),
            )
        finally:
            self._writers -= pair


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, before=None, instead=None) -> None:
    """Copy until EOF; `before(data)` sees what is about to pass, `instead(data)` may swallow it."""
    try:
        while data := await reader.read(65536):
            if before is not None:
                before(data)
            if instead is not None and await instead(data):
                return
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST instead of a FIN (SO_LINGER 0), as when the server's host goes away."""
    sock = writer.get_extra_info("socket")
    if sock is not None and sock.fileno() != -1:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
