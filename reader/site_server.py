"""A small local news site on 127.0.0.1: the test suite's web, and ``reader --demo``.

Files are served from a folder with ``{{base}}`` replaced by the server's own address,
with ETag and Last-Modified so conditional GET works. Tests add ``routes`` for slow,
broken and hostile responses. Standard library only; runs in a background thread.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

BASE_MARK = b"{{base}}"
TEXT_TYPES = (".html", ".xml", ".json", ".txt", ".opml")
CONTENT_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: str
    headers: dict[str, str]
    body: bytes = b""  # a POST's
    client_port: int = 0  # the client's end of the connection: one port, one connection


@dataclass
class Response:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[Request], Response]


def demo_site_dir() -> Path:
    """The bundled news site: inside the installed package, else the source checkout's."""
    packaged = Path(str(resources.files("reader"))) / "demo_site"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[1] / "tests" / "sites" / "news"


class SiteServer:
    """``with SiteServer(folder) as site: site.url("/feed.xml")``."""

    def __init__(
        self,
        root: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        certfile: Path | None = None,
    ) -> None:
        """``certfile`` (a PEM holding the certificate and its key) serves https instead."""
        self.root = root or demo_site_dir()
        self.scheme = "https" if certfile else "http"
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"site": self})
        self._server = _QuietServer((host, port), handler)
        if certfile is not None:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def url(self, path: str = "/") -> str:
        return self.base + (path if path.startswith("/") else "/" + path)

    def start(self) -> SiteServer:
        # a short poll interval: stop() waits for at most one poll (tests start many servers)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_feeds(
        self,
        count: int,
        items: int = 20,
        latency: float = 0.0,
        prefix: str = "/many",
        *,
        pages: bool = False,
        whole: bool = False,
        first: int = 0,
    ) -> list[str]:
        """Serve ``count`` generated RSS feeds of ``items`` items each, answering after
        ``latency`` seconds (a real server's round trip), with ETag and Last-Modified; the
        feeds' URLs. A user's scale for tests and benchmarks: hundreds of feeds.

        ``pages`` serves each item's article page too (``story_path``), after the same
        latency; ``whole`` puts the whole article in the feed, as some feeds do (else a
        one-line summary). ``first`` numbers the feeds from there (feeds of another
        site)."""
        urls = []
        for index in range(first, first + count):
            path = f"{prefix}/feed-{index}.xml"
            self.routes[path] = _generated_feed(index, items, latency, self.base, whole)
            urls.append(self.url(path))
            if pages:
                for number in range(items):
                    page = _generated_page(index, number, self.base)
                    self.routes[story_path(index, number)] = _slow(page, latency)
        return urls

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def file_body(self, path: str) -> bytes | None:
        """A file's bytes with ``{{base}}`` filled in; None when there is no such file."""
        relative = path.lstrip("/") or "index.html"
        target = (self.root / relative).resolve()
        if self.root.resolve() not in target.parents or not target.is_file():
            return None
        data = target.read_bytes()
        if target.suffix in TEXT_TYPES:
            data = data.replace(BASE_MARK, self.base.encode())
        return data

    def respond(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
        route = self.routes.get(request.path)
        if route is not None:
            return route(request)
        body = self.file_body(request.path)
        if body is None:
            return Response(404, b"not found", {"Content-Type": "text/plain"})
        suffix = Path(request.path).suffix or ".html"
        content_type = CONTENT_TYPES.get(suffix) or (
            mimetypes.guess_type(request.path)[0] or "application/octet-stream"
        )
        return conditional(request, body, content_type)


def conditional(request: Request, body: bytes, content_type: str) -> Response:
    """A 200 with ETag and Last-Modified, or a 304 when the client's copy is current."""
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    last_modified = formatdate(1_767_225_600, usegmt=True)  # fixed: the files do not change
    if request.headers.get("if-none-match") == etag or (
        "if-none-match" not in request.headers
        and request.headers.get("if-modified-since") == last_modified
    ):
        return Response(304, b"", {"ETag": etag, "Last-Modified": last_modified})
    return Response(
        200, body, {"Content-Type": content_type, "ETag": etag, "Last-Modified": last_modified}
    )


def compress(data: bytes, encoding: str) -> bytes:
    """``data`` as a server sends it with ``Content-Encoding: encoding`` ("gzip, br" is
    gzip first, then brotli); "raw-deflate" is deflate without its zlib header."""
    for name in _encodings(encoding):
        compressor = _Compressor(name)
        data = compressor.compress(data) + compressor.flush()
    return data


def compression_bomb(size: int, encoding: str) -> bytes:
    """``size`` zero bytes compressed as :func:`compress` does, built a megabyte at a time
    (64 MB of zeros is 65 KB of gzip, and gzip of that is 300 bytes)."""
    first, *rest = _encodings(encoding)
    block = bytes(1024 * 1024)
    compressor = _Compressor(first)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    return compress(b"".join(parts) + compressor.flush(), ", ".join(rest))


def bomb_route(encoding: str, content_type: str, size: int = 64 * 1024 * 1024) -> Route:
    """A route answering with :func:`compression_bomb` (64 MB of zeros by default)."""
    body = compression_bomb(size, encoding)
    headers = {"Content-Type": content_type, "Content-Encoding": content_encoding(encoding)}
    return lambda request: Response(200, body, headers)


def content_encoding(encoding: str) -> str:
    """The header for :func:`compress`'s ``encoding``: raw deflate is sent as "deflate"."""
    return encoding.replace("raw-deflate", "deflate")


def _encodings(encoding: str) -> list[str]:
    return [name.strip() for name in encoding.split(",") if name.strip()]


class _Compressor:
    def __init__(self, name: str) -> None:
        import zlib

        self.name = name
        if name == "br":
            import brotli

            self._brotli = brotli.Compressor(quality=5)
        else:
            wbits = {"gzip": 31, "x-gzip": 31, "deflate": 15, "raw-deflate": -15}[name]
            self._zlib = zlib.compressobj(9, zlib.DEFLATED, wbits)

    def compress(self, data: bytes) -> bytes:
        if self.name == "br":
            return bytes(self._brotli.process(data))
        return self._zlib.compress(data)

    def flush(self) -> bytes:
        return bytes(self._brotli.finish()) if self.name == "br" else self._zlib.flush()


def story_path(index: int, number: int) -> str:
    """The path of story ``number`` of generated feed ``index``."""
    return f"/many/{index}/story-{number}.html"


_STORY_WORDS: Final = (
    "harbour council ferry storm bridge market library school coast weather tide "
    "festival museum river railway station budget residents engineers officials "
    "reopened announced warned approved delayed morning evening weekend winter"
).split()


def story_paragraphs(index: int, number: int) -> list[str]:
    """The text of story ``number`` of feed ``index``: six paragraphs, the same each time."""
    import random

    rng = random.Random(index * 100_003 + number)
    paragraphs = []
    for paragraph in range(6):
        words = [rng.choice(_STORY_WORDS) for _ in range(40)]
        paragraphs.append(
            f"Story {number} of feed {index}, part {paragraph}: " + " ".join(words) + "."
        )
    return paragraphs


def _generated_page(index: int, number: int, base: str) -> bytes:
    body = "".join(f"<p>{text}</p>" for text in story_paragraphs(index, number))
    return (
        f"<!doctype html><html><head><title>Feed {index}, story {number}</title></head>"
        f"<body><header><a href='{base}/'>Home</a> <a href='{base}/about'>About</a></header>"
        f"<article><h1>Feed {index}, story {number}</h1>{body}</article>"
        "<footer>Copyright the Generated Gazette</footer></body></html>"
    ).encode()


def _slow(body: bytes, latency: float, content_type: str = "text/html; charset=utf-8") -> Route:
    pause = threading.Event()

    def route(request: Request) -> Response:
        if latency:
            pause.wait(latency)  # never set: the server's own round trip
        return conditional(request, body, content_type)

    return route


def _generated_feed(
    index: int, items: int, latency: float, base: str, whole: bool = False
) -> Route:
    """A route serving feed number ``index``: the same bytes each time, dated in 2026."""
    from xml.sax.saxutils import escape

    newest = 1_796_000_000  # 2026-11-30: fixed, so the bytes (and the ETag) never change
    rows = []
    for number in range(items):
        date = formatdate(newest - index * 600 - number * 3600, usegmt=True)
        link = base + story_path(index, number)
        if whole:
            summary = "".join(f"<p>{text}</p>" for text in story_paragraphs(index, number))
        else:
            summary = f"<p>Story {number} of feed {index}, in brief.</p>"
        rows.append(
            f"<item><guid>{link}</guid><link>{link}</link>"
            f"<title>Feed {index}, story {number}</title><pubDate>{date}</pubDate>"
            f"<description>{escape(summary)}</description></item>"
        )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {index}</title><link>{base}/many/{index}/</link>"
        + "".join(rows) + "</channel></rss>"
    ).encode()  # fmt: skip
    return _slow(body, latency, "application/rss+xml; charset=utf-8")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-request (a timeout, a size cap) is normal here; the
        # default prints a traceback to stderr, which lands in the CLI output tests read.
        pass


class _Handler(BaseHTTPRequestHandler):
    site: SiteServer
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: with Nagle's algorithm the body waits for
    # the client's delayed ACK of the headers, 40 ms a request on Linux
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer("POST", self.rfile.read(length) if length > 0 else b"")

    def do_GET(self) -> None:
        self._answer("GET")

    def _answer(self, method: str, request_body: bytes = b"") -> None:
        parts = urlsplit(self.path)
        request = Request(
            method=method,
            path=parts.path,
            query=parts.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=request_body,
            client_port=self.client_address[1],
        )
        try:
            response = self.site.respond(request)
        except Exception as error:  # a broken test route must not kill the server
            response = Response(500, f"route failed: {error}".encode())
        self.send_response(response.status)
        headers = dict(response.headers)
        body = response.body
        streaming = not isinstance(body, bytes)
        if streaming:
            headers.setdefault("Transfer-Encoding", "chunked")
        else:
            assert isinstance(body, bytes)
            headers.setdefault("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            if isinstance(body, bytes):
                self.wfile.write(body)
            else:
                for chunk in body:
                    if chunk:
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and the demo app own the terminal
