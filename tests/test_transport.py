"""The shared client's transport: a pool per origin, the total capped, idle pools closed."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import httpx
import pytest

from reader.errors import FetchError
from reader.fetch import FetchResult, HttpSettings, fetch, make_client
from reader.site_server import Request, Response, SiteServer
from reader.transport import OriginPoolTransport


class HeldTransport(httpx.AsyncBaseTransport):
    """Stands in for every origin's pool: each request waits until the test lets go."""

    def __init__(self) -> None:
        self.active = 0
        self.peak = 0
        self.go = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            await self.go.wait()
        finally:
            self.active -= 1
        return httpx.Response(200, content=b"ok")


async def test_no_more_requests_than_the_limit_run_at_once_across_origins() -> None:
    transport = OriginPoolTransport(max_connections=2, per_origin=4, max_origins=8)
    held = HeldTransport()
    transport._pool = lambda origin: held  # type: ignore[method-assign]
    requests = [httpx.Request("GET", f"http://host-{i}.test/feed") for i in range(6)]

    async def one(request: httpx.Request) -> bytes:
        response = await transport.handle_async_request(request)
        try:
            return b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
        finally:
            await response.aclose()

    tasks = [asyncio.create_task(one(request)) for request in requests]
    for _ in range(20):  # every task runs as far as it can
        await asyncio.sleep(0)
    assert held.active == 2
    held.go.set()
    assert await asyncio.gather(*tasks) == [b"ok"] * 6
    assert held.peak == 2


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


async def test_a_connection_slot_comes_back_after_a_failure_and_a_cancel(
    site: SiteServer, release: threading.Event
) -> None:
    """With room for one connection, a refused connect, a cancelled request and an error
    status each give their slot back: the next fetch goes through (else it waits forever)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    started = threading.Event()

    def stall(request: Request) -> Response:
        started.set()
        release.wait(10)
        return Response(200, b"late")

    site.routes["/stall"] = stall
    site.routes["/gone"] = lambda request: Response(404, b"")
    async with make_client(HttpSettings(concurrency=1)) as client:
        with pytest.raises(FetchError):
            await fetch(client, f"http://127.0.0.1:{dead}/feed.xml")
        stalled = asyncio.create_task(fetch(client, site.url("/stall")))
        assert await asyncio.to_thread(started.wait, 10)
        stalled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stalled
        with pytest.raises(FetchError, match="404"):
            await fetch(client, site.url("/gone"))
        async with asyncio.timeout(10):
            result = await fetch(client, site.url("/feed.xml"))
    assert isinstance(result, FetchResult) and result.status == 200


async def test_idle_pools_beyond_the_most_origins_are_closed(site: SiteServer) -> None:
    """Three hosts through room for two pools: the least recently used is closed (its
    connection with it), the others keep theirs."""
    with SiteServer() as second, SiteServer() as third:
        transport = OriginPoolTransport(max_connections=8, per_origin=2, max_origins=2)
        async with httpx.AsyncClient(transport=transport) as client:

            async def get(server: SiteServer) -> None:
                response = await client.get(server.url("/feed.xml"))
                assert response.status_code == 200

            await get(site)
            await get(second)
            await get(site)  # site is now the most recently used
            await get(third)  # second's pool goes
            assert len(transport._pools) == 2
            await get(site)
            await get(second)  # a new connection
    ports = {server: [r.client_port for r in server.hits("/feed.xml")] for server in (site, second)}
    assert len(set(ports[site])) == 1  # one connection all along
    assert len(set(ports[second])) == 2


async def test_a_pool_idle_longer_than_keep_alive_is_closed_when_another_opens(
    site: SiteServer,
) -> None:
    """An app left open: the hosts of this morning's refresh keep no sockets until the next."""
    from reader.transport import KEEPALIVE_EXPIRY

    now = [1000.0]
    with SiteServer() as second:
        transport = OriginPoolTransport(
            max_connections=8, per_origin=2, max_origins=8, monotonic=lambda: now[0]
        )
        async with httpx.AsyncClient(transport=transport) as client:
            assert (await client.get(site.url("/feed.xml"))).status_code == 200
            now[0] += KEEPALIVE_EXPIRY + 1
            assert (await client.get(second.url("/feed.xml"))).status_code == 200
            assert len(transport._pools) == 1  # site's went
            assert (await client.get(site.url("/feed.xml"))).status_code == 200
    assert len({r.client_port for r in site.hits("/feed.xml")}) == 2
