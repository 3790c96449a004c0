"""A TCP proxy between one worker and Cassandra, to make its writes late or their answers lost.

`stall` holds every byte in both directions until `release`: requests sent meanwhile reach
Cassandra only then (late writes). `lose_answers` forwards requests but drops what Cassandra
answers, then cuts the connections: the writes land, their answers never arrive."""

from __future__ import annotations

import asyncio
from contextlib import suppress


class CassandraProxy:
    """Listens on a free port of 127.0.0.1 and forwards each connection to `host:port`."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = 0
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.dropping = False
        self.held_bytes = 0  # bytes held back by the last stall
        self.dropped_bytes = 0  # answer bytes dropped by the last loss
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.release()
        if self._server is not None:
            self._server.close()
        self.cut()

    def stall(self) -> None:
        self.held_bytes = 0
        self.flowing.clear()

    def release(self) -> None:
        self.flowing.set()

    def lose_answers(self) -> None:
        self.dropped_bytes = 0
        self.dropping = True

    def cut(self) -> None:
        """Close every connection (the worker's driver reconnects) and answer normally again."""
        self.dropping = False
        for writer in list(self._writers):
            writer.close()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_w.close()
            return
        self._writers |= {client_w, server_w}
        try:
            await asyncio.gather(
                self._pipe(client_r, server_w, answers=False),
                self._pipe(server_r, client_w, answers=True),
            )
        finally:
            for writer in (client_w, server_w):
                self._writers.discard(writer)
                writer.close()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, answers: bool
    ) -> None:
        with suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if not self.flowing.is_set():
                    self.held_bytes += len(data)
                    await self.flowing.wait()
                if answers and self.dropping:
                    self.dropped_bytes += len(data)
                    continue
                writer.write(data)
                await writer.drain()
        writer.close()
