"""HTTP: one shared ``httpx.AsyncClient`` and a careful ``fetch`` on top of it.

``fetch`` streams the body with a size cap that counts decoded bytes, so a compression
bomb stops at the cap just like an endless response; conditional GET headers go out when
given, and a 304 comes back as :class:`NotModified` rather than as an error.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from reader import USER_AGENT
from reader.errors import FetchError

if TYPE_CHECKING:
    import httpx

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_TOTAL_TIMEOUT: Final = 30.0
DEFAULT_CONCURRENCY: Final = 32
DEFAULT_PER_HOST: Final = 4
MAX_REDIRECTS: Final = 5


@dataclass(frozen=True)
class HttpSettings:
    max_bytes: int = DEFAULT_MAX_BYTES
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT
    concurrency: int = DEFAULT_CONCURRENCY
    per_host: int = DEFAULT_PER_HOST


@dataclass(frozen=True)
class FetchResult:
    """A body that arrived. ``url`` is the final URL after redirects."""

    url: str
    status: int
    content: bytes
    headers: dict[str, str]
    content_type: str = ""  # the media type alone, lower case: "text/html"
    charset: str | None = None  # from the Content-Type header
    etag: str | None = None
    last_modified: str | None = None
    permanent_redirect: str | None = None  # the new URL when every hop was 301/308
    fetched_at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class NotModified:
    """A 304: the cached copy is still good."""

    url: str
    headers: dict[str, str]
    etag: str | None = None
    last_modified: str | None = None


class HttpStatusError(FetchError):
    """The server answered with a 4xx or 5xx status."""

    def __init__(self, message: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after  # seconds, from Retry-After on 429/503


def make_client(settings: HttpSettings = HttpSettings()) -> httpx.AsyncClient:
    """The one client: global connection limit, timeouts, redirects, our User-Agent."""
    import httpx

    return httpx.AsyncClient(
        limits=httpx.Limits(
            max_connections=settings.concurrency,
            max_keepalive_connections=settings.concurrency,
        ),
        timeout=httpx.Timeout(settings.total_timeout, connect=settings.connect_timeout),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={
            "User-Agent": USER_AGENT,
            # brotli is decoded by httpx when the brotli package is installed (it is ours)
            "Accept-Encoding": "gzip, deflate, br",
        },
    )


class HostLimiter:
    """At most ``per_host`` requests in flight to one host; the client caps the total."""

    def __init__(self, per_host: int = DEFAULT_PER_HOST) -> None:
        self.per_host = per_host
        self._semaphores: dict[str, asyncio.Semaphore] = {}

    def __call__(self, url: str) -> asyncio.Semaphore:
        from urllib.parse import urlsplit

        host = urlsplit(url).netloc.lower()
        semaphore = self._semaphores.get(host)
        if semaphore is None:
            semaphore = self._semaphores[host] = asyncio.Semaphore(self.per_host)
        return semaphore


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
) -> FetchResult | NotModified:
    """GET ``url``. Raises :class:`FetchError` (or :class:`HttpStatusError`) with a message
    fit for the user; never returns a partial body."""
    import httpx

    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if accept:
        headers["Accept"] = accept
    try:
        async with asyncio.timeout(total_timeout):
            async with client.stream("GET", url, headers=headers) as response:
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                final_url = str(response.url)
                if response.status_code == 304:
                    return NotModified(
                        url=final_url,
                        headers=response_headers,
                        etag=response.headers.get("etag") or etag,
                        last_modified=response.headers.get("last-modified") or last_modified,
                    )
                if response.status_code >= 400:
                    raise _status_error(response.status_code, response_headers)
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(f"response too large ({_size(int(declared))} > cap)")
                chunks: list[bytes] = []
                received = 0
                # aiter_bytes yields decoded bytes: a gzip bomb hits the cap as it inflates
                async for chunk in response.aiter_bytes():
                    received += len(chunk)
                    if received > max_bytes:
                        raise FetchError(
                            f"response too large (over {_size(max_bytes)}); not downloaded"
                        )
                    chunks.append(chunk)
                content_type, charset = _parse_content_type(
                    response.headers.get("content-type", "")
                )
                return FetchResult(
                    url=final_url,
                    status=response.status_code,
                    content=b"".join(chunks),
                    headers=response_headers,
                    content_type=content_type,
                    charset=charset,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    permanent_redirect=_permanent_redirect(response),
                )
    except TimeoutError:
        raise FetchError(f"timed out after {total_timeout:g} s") from None
    except httpx.TooManyRedirects:
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS}; a loop?)") from None
    except httpx.ConnectTimeout:
        raise FetchError("timed out connecting to the server") from None
    except httpx.TimeoutException:
        raise FetchError("the server stopped answering (timed out)") from None
    except httpx.ConnectError as error:
        raise FetchError(_connect_message(error)) from None
    except httpx.DecodingError:
        raise FetchError("the response was corrupt (bad compression)") from None
    except httpx.UnsupportedProtocol:
        raise FetchError("only http and https URLs can be fetched") from None
    except httpx.InvalidURL as error:
        raise FetchError(f"invalid URL: {error}") from None
    except httpx.HTTPError as error:
        raise FetchError(f"network error: {error or type(error).__name__}") from None


def _status_error(status: int, headers: dict[str, str]) -> HttpStatusError:
    import http

    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "error"
    retry_after = parse_retry_after(headers.get("retry-after")) if status in (429, 503) else None
    hint = {
        404: "; check the URL",
        410: "; the feed is gone: remove it",
        401: "; it needs a login",
        403: "; the server refuses reader",
        429: "; too many requests, will retry later",
    }.get(status, "; will retry later" if status >= 500 else "")
    return HttpStatusError(f"HTTP {status} {phrase}{hint}", status, retry_after)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def _permanent_redirect(response: httpx.Response) -> str | None:
    if response.history and all(r.status_code in (301, 308) for r in response.history):
        return str(response.url)
    return None


def _parse_content_type(value: str) -> tuple[str, str | None]:
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, param_value = param.strip().partition("=")
        if name.lower() == "charset" and param_value:
            charset = param_value.strip().strip("\"'").lower() or None
    return media.strip().lower(), charset


def _connect_message(error: Exception) -> str:
    import errno
    import socket

    # httpx says "All connection attempts failed"; the OSError underneath says why
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return "the host name could not be found (DNS); check the URL"
        if isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED:
            return "connection refused; the server is down or the port is wrong"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return "the network or host is unreachable; are you offline?"
        cause = cause.__cause__ or cause.__context__
    text = str(error)
    lowered = text.lower()
    if (
        "name or service not known" in lowered
        or "nodename nor servname" in lowered
        or ("temporary failure in name resolution" in lowered)
    ):
        return "the host name could not be found (DNS); check the URL"
    if "refused" in lowered:
        return "connection refused; the server is down or the port is wrong"
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return f"TLS error: {text}"
    return f"could not connect: {text or type(error).__name__}"


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count // 1024} KB"
