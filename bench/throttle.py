"""A slow line between a browser and the server: a TCP proxy on 127.0.0.1 that adds latency
and shares a bandwidth between all connections, each way.

Chromium's own network emulation (DevTools `Network.emulateNetworkConditions`) applies to a
page's requests but not to those of its service worker, which fetches every request of this
app's pages; a proxy slows both alike, as a real line does. Each chunk waits half the round
trip on its way, and the line carries `bits_per_second` in each direction, whichever
connection the bytes belong to.
"""

from __future__ import annotations

import asyncio
import threading
import time

CHUNK = 1400  # about one TCP segment


class Line:
    """One direction of the line: bytes leave no faster than its rate, in the order they came."""

    def __init__(self, bits_per_second: float):
        self.rate = bits_per_second / 8
        self.free_at = 0.0
        self.lock = asyncio.Lock()
        self.bytes = 0

    async def send(self, size: int) -> float:
        """Reserve the line for `size` bytes; returns when they have left."""
        self.bytes += size
        async with self.lock:
            now = time.monotonic()
            start = max(now, self.free_at)
            self.free_at = start + size / self.rate
            wait = self.free_at - now
        await asyncio.sleep(wait)
        return wait


async def _pipe(reader, writer, line: Line, delay: float) -> None:
    try:
        while data := await reader.read(CHUNK):
            arrive = time.monotonic() + delay
            await line.send(len(data))
            await asyncio.sleep(max(0.0, arrive - time.monotonic()))
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


class SlowProxy:
    """`with SlowProxy(port, latency_ms, kbit) as proxy:` (then `proxy.port`), in a thread of its own."""

    def __init__(self, target_port: int, latency_ms: float, kbit: float):
        self.target_port = target_port
        self.delay = latency_ms / 1000 / 2  # half the round trip each way
        self.kbit = kbit
        self.loop = asyncio.new_event_loop()
        self.port = None
        self._ready = threading.Event()

    def take(self) -> int:
        """Bytes carried both ways since the last call."""
        n = self.down.bytes + self.up.bytes
        self.down.bytes = self.up.bytes = 0
        return n

    async def _serve(self):
        down, up = self.down, self.up = Line(self.kbit * 1000), Line(self.kbit * 1000)

        async def handle(client_reader, client_writer):
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            await asyncio.gather(_pipe(client_reader, server_writer, up, self.delay), _pipe(server_reader, client_writer, down, self.delay))

        self.server = await asyncio.start_server(handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        self._ready.set()
        await self.server.serve_forever()

    def __enter__(self) -> "SlowProxy":
        def run():
            try:
                self.loop.run_until_complete(self._serve())
            except (asyncio.CancelledError, RuntimeError):
                pass  # closed

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.server.close)
        self.thread.join(timeout=5)
