"""The shared client's transport: one small connection pool per origin, the total capped.

httpcore's pool, on every request that starts or ends, scans all its connections and, for
each idle one, all of them again, polling each socket: with 32 connections to 32 hosts a
304 cost about 0.8 ms of CPU in that scan alone, half of a warm refresh. Here each origin
(scheme, host, port) has a pool of its own, of ``per_origin`` connections, so the scan
covers a host's few connections; a semaphore keeps the whole client at
``max_connections`` (a connection's slot is held until its response is closed), and at
most ``max_origins`` pools are kept (the least recently used idle one is closed for a
new origin, and any idle for longer than a connection is kept alive), so idle keep-alive
connections stay bounded too, also in an app left open for days.

The TLS context is made once, when the first https origin comes (loading the system's
certificates takes about 20 ms), and shared by every pool.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Final

import httpx

KEEPALIVE_EXPIRY: Final = 5.0
"""Seconds an idle connection is kept (httpx's default)."""

Origin = tuple[bytes, bytes, int | None]


class OriginPoolTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        *,
        max_connections: int,
        per_origin: int,
        max_origins: int,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``monotonic``: the clock idle pools are timed by (a test's stands still)."""
        self.max_connections = max(1, max_connections)
        self.per_origin = max(1, per_origin)
        self.max_origins = max(1, max_origins)
        self._slots = asyncio.Semaphore(self.max_connections)
        self._pools: OrderedDict[Origin, httpx.AsyncHTTPTransport] = OrderedDict()
        self._busy: dict[Origin, int] = {}  # responses open, per origin
        self._used: dict[Origin, float] = {}  # when each pool last started a request
        self._monotonic = monotonic
        self._closing: set[asyncio.Task[None]] = set()
        self._ssl: ssl.SSLContext | None = None
        self._unused_tls: ssl.SSLContext | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self._slots.acquire()
        origin: Origin = (request.url.raw_scheme, request.url.raw_host, request.url.port)
        self._busy[origin] = self._busy.get(origin, 0) + 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._busy[origin] -= 1
                self._slots.release()

        try:
            response = await self._pool(origin).handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_ReleasingStream(response.stream, release),
            extensions=response.extensions,
        )

    def _pool(self, origin: Origin) -> httpx.AsyncHTTPTransport:
        self._used[origin] = now = self._monotonic()
        pool = self._pools.get(origin)
        if pool is not None:
            self._pools.move_to_end(origin)
            return pool
        self._evict(now)
        pool = httpx.AsyncHTTPTransport(
            verify=self._tls(origin[0] == b"https"),
            limits=httpx.Limits(
                max_connections=self.per_origin,
                max_keepalive_connections=self.per_origin,
                keepalive_expiry=KEEPALIVE_EXPIRY,
            ),
        )
        self._pools[origin] = pool
        return pool

    def _tls(self, https: bool) -> ssl.SSLContext:
        if not https:
            # a plain-http pool never starts TLS (a redirect to https is another origin);
            # the transport wants a context all the same, and a verifying one costs 20 ms
            return self._plain_tls()
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context()
        return self._ssl

    def _plain_tls(self) -> ssl.SSLContext:
        if self._unused_tls is None:
            self._unused_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return self._unused_tls

    def _evict(self, now: float) -> None:
        """Make room for one more pool: close the idle ones whose connections have expired,
        then the least recently used idle ones while there are too many."""
        for origin in list(self._pools):
            if self._busy.get(origin, 0):
                continue
            expired = now - self._used.get(origin, now) > KEEPALIVE_EXPIRY
            if expired or len(self._pools) >= self.max_origins:
                self._close(origin)
        # every pool busy: go over the count for now (the slots still cap connections)

    def _close(self, origin: Origin) -> None:
        pool = self._pools.pop(origin)
        self._busy.pop(origin, None)
        self._used.pop(origin, None)
        task = asyncio.create_task(pool.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        await asyncio.gather(*self._closing, return_exceptions=True)
        for pool in pools:
            await pool.aclose()


class _ReleasingStream(httpx.AsyncByteStream):
    """A response body that gives its connection slot back when closed."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            self._release()
