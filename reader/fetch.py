"""HTTP: one shared ``httpx.AsyncClient`` and a careful ``fetch`` on top of it.

``fetch`` streams the body with a size cap that counts decoded bytes, so a compression
bomb stops at the cap just like an endless response; conditional GET headers go out when
given, and a 304 comes back as :class:`NotModified` rather than as an error.

The body is decoded here, not by httpx: its decoders inflate a whole network chunk at
once (64 KB of gzip is 64 MB; gzip of gzip, 64 GB). Ours give at most ``DECODE_CHUNK``
bytes a step, layer by layer, so no layering holds more than the cap in memory.
"""

from __future__ import annotations

import asyncio
import email.utils
import io
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Protocol

from reader import USER_AGENT
from reader.errors import FetchError

if TYPE_CHECKING:
    import httpx

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_TOTAL_TIMEOUT: Final = 30.0
DEFAULT_CONCURRENCY: Final = 64
DEFAULT_PER_HOST: Final = 4
MAX_REDIRECTS: Final = 5
DECODE_CHUNK: Final = 64 * 1024  # the most one decoding step gives, in bytes
MAX_ENCODINGS: Final = 4  # "gzip, gzip" is seen; more layers than this is an attack


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

    def once(self) -> HttpStatusError:
        """The same answer, said of a fetch that nothing repeats (a page, a feed not yet
        subscribed): the hints meant for a subscribed feed ("will retry later", "the feed
        is gone: remove it") would mislead there."""
        message = _status_message(self.status, once=True)
        return HttpStatusError(message, self.status, self.retry_after)


def make_client(settings: HttpSettings = HttpSettings()) -> httpx.AsyncClient:
    """The one client: global connection limit, timeouts, redirects, our User-Agent."""
    import httpx

    from reader.transport import OriginPoolTransport

    return httpx.AsyncClient(
        transport=OriginPoolTransport(
            max_connections=settings.concurrency,
            per_origin=settings.per_host,
            max_origins=settings.concurrency,
        ),
        timeout=httpx.Timeout(settings.total_timeout, connect=settings.connect_timeout),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={
            "User-Agent": USER_AGENT,
            # decoded by fetch itself, under the size cap (brotli is our dependency)
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
    user_agent: str | None = None,
) -> FetchResult | NotModified:
    """GET ``url``. Raises :class:`FetchError` (or :class:`HttpStatusError`) with a message
    fit for the user; never returns a partial body. ``user_agent`` replaces reader's own
    (a feed's setting: some sites block it)."""
    import httpx

    headers: dict[str, str] = {}
    if user_agent:
        headers["User-Agent"] = user_agent
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
                    # h11 knows a 304 has no body; reading its end leaves the connection
                    # idle for the next request (an unread response closes it). The raw
                    # stream: aread() sets up decoders and chunkers for no bytes (a tenth
                    # of a 304's CPU)
                    async for _ in response.aiter_raw():
                        pass
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
                    raise _too_large(max_bytes)
                decoder = BodyDecoder(
                    response.headers.get_list("content-encoding", split_commas=True)
                )
                body = io.BytesIO()  # getvalue() hands over its buffer: no second copy
                async for raw in response.aiter_raw():
                    for piece in decoder.decode(raw):
                        if body.tell() + len(piece) > max_bytes:
                            raise _too_large(max_bytes)
                        body.write(piece)
                for piece in decoder.flush():
                    if body.tell() + len(piece) > max_bytes:
                        raise _too_large(max_bytes)
                    body.write(piece)
                content_type, charset = _parse_content_type(
                    response.headers.get("content-type", "")
                )
                return FetchResult(
                    url=final_url,
                    status=response.status_code,
                    content=body.getvalue(),
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
    except (httpx.DecodingError, zlib.error, _brotli_error()):
        raise FetchError("the response was corrupt (bad compression)") from None
    except httpx.UnsupportedProtocol:
        raise FetchError("only http and https URLs can be fetched") from None
    except httpx.InvalidURL as error:
        raise FetchError(f"invalid URL: {error}") from None
    except httpx.HTTPError as error:
        raise FetchError(f"network error: {error or type(error).__name__}") from None


class TooLargeError(FetchError):
    """The body passed the size cap: the page's fault, not the host's."""


def _too_large(max_bytes: int) -> FetchError:
    return TooLargeError(f"response larger than {_size(max_bytes)}")


# --- decoding under the cap ------------------------------------------------------------


class _Layer(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]:
        """Everything ``data`` decodes to, in pieces of at most ``DECODE_CHUNK``."""
        ...

    def flush(self) -> Iterator[bytes]:
        """What is left at the end of the body."""
        ...


def _slices(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), DECODE_CHUNK):
        yield data[start : start + DECODE_CHUNK]


class _Identity:
    def decode(self, data: bytes) -> Iterator[bytes]:
        return _slices(data)

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _Zlib:
    """gzip (``wbits=31``) or zlib-wrapped deflate (``wbits=15``) or raw deflate (-15)."""

    def __init__(self, wbits: int) -> None:
        self._inflate = zlib.decompressobj(wbits)

    def decode(self, data: bytes) -> Iterator[bytes]:
        while data and not self._inflate.eof:
            piece = self._inflate.decompress(data, DECODE_CHUNK)
            data = self._inflate.unconsumed_tail
            if piece:
                yield piece
            if not data and len(piece) == DECODE_CHUNK:
                yield from self._drain()

    def _drain(self) -> Iterator[bytes]:
        # the input is all in, but the output stopped at the limit: more may be waiting
        while not self._inflate.eof:
            piece = self._inflate.decompress(b"", DECODE_CHUNK)
            if piece:
                yield piece
            if len(piece) < DECODE_CHUNK:
                return

    def flush(self) -> Iterator[bytes]:
        yield from self._drain()  # a truncated stream gives what it holds, as httpx does


class _Deflate:
    """Deflate, zlib-wrapped (RFC 9110) or raw as some servers send it: the first two
    bytes tell (a zlib header names method 8 and is a multiple of 31)."""

    def __init__(self) -> None:
        self._head = b""
        self._zlib: _Zlib | None = None

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._zlib is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._zlib = _Zlib(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        yield from self._zlib.decode(data)

    def flush(self) -> Iterator[bytes]:
        if self._zlib is None and self._head:
            self._zlib = _Zlib(-zlib.MAX_WBITS)
            yield from self._zlib.decode(self._head)
        if self._zlib is not None:
            yield from self._zlib.flush()


class _Brotli:
    def __init__(self) -> None:
        import brotli

        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        # the limit is loose (a step may give a little more): slices keep pieces in bounds
        piece = self._decompressor.process(data, output_buffer_limit=DECODE_CHUNK)
        while piece:
            yield from _slices(piece)
            if self._decompressor.is_finished():
                return
            # with the input all taken, the rest waits inside until asked for
            piece = self._decompressor.process(b"", output_buffer_limit=DECODE_CHUNK)

    def flush(self) -> Iterator[bytes]:
        return self.decode(b"") if not self._decompressor.is_finished() else iter(())


def _layer(encoding: str) -> _Layer:
    if encoding in ("gzip", "x-gzip"):
        return _Zlib(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return _Deflate()
    if encoding == "br":
        return _Brotli()
    return _Identity()  # identity, and names nobody decodes (httpx and browsers ignore them)


class BodyDecoder:
    """Undo ``Content-Encoding`` (each layer, last applied first), a bounded step at a time:
    every piece is at most ``DECODE_CHUNK`` bytes, and nothing is decoded before it is asked
    for, so the caller's cap stops a bomb of any layering as it inflates."""

    def __init__(self, encodings: Sequence[str]) -> None:
        names = [name.strip().lower() for value in encodings for name in value.split(",")]
        names = [name for name in names if name and name != "identity"]
        if len(names) > MAX_ENCODINGS:
            raise FetchError(f"response compressed {len(names)} times; refused")
        self._layers = [_layer(name) for name in reversed(names)] or [_Identity()]

    def decode(self, raw: bytes) -> Iterator[bytes]:
        return self._through(0, raw)

    def flush(self) -> Iterator[bytes]:
        for index, layer in enumerate(self._layers):
            for piece in layer.flush():
                yield from self._through(index + 1, piece)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            yield data
            return
        for piece in self._layers[index].decode(data):
            yield from self._through(index + 1, piece)


def _status_error(status: int, headers: dict[str, str]) -> HttpStatusError:
    retry_after = parse_retry_after(headers.get("retry-after")) if status in (429, 503) else None
    return HttpStatusError(_status_message(status), status, retry_after)


def _status_message(status: int, once: bool = False) -> str:
    """``HTTP 503 Service Unavailable; will retry later``: the status and what to do, as
    said of a subscribed feed (``once``: of a fetch nothing repeats)."""
    import http

    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "error"
    later = "try again later" if once else "will retry later"
    hint = {
        404: "; check the URL",
        410: "; the page is gone" if once else "; the feed is gone: remove it",
        401: "; it needs a login",
        403: "; the server refuses reader",
        429: f"; too many requests, {later}",
    }.get(status, f"; {later}" if status >= 500 else "")
    return f"HTTP {status} {phrase}{hint}"


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


def _brotli_error() -> type[Exception]:
    import brotli

    error: type[Exception] = brotli.error
    return error


def _size(count: int) -> str:
    """``10 MB``, ``1.5 MB``, ``64 KB``."""
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:.1f}".removesuffix(".0") + " MB"
    return f"{count // 1024} KB"
