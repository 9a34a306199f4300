"""Sync servers for the tests: a real FreshRSS (../shared/freshrss, PHP) and a fake Miniflux.

``FreshRSS`` runs one server per test session; each test gets a user of its own
(``new_user``), so tests share nothing. ``Phone`` is another client of the same account,
written here with plain httpx so the tests check the server without trusting our client.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx

from reader.site_server import Request, Response, SiteServer

SHARED = Path(__file__).resolve().parents[2] / "shared"  # conftest imports this module
FRESHRSS_DIR = SHARED / "freshrss"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
READING_LIST = "user/-/state/com.google/reading-list"


def freshrss_missing() -> str | None:
    """Why FreshRSS cannot run here, or None."""
    if not (FRESHRSS_DIR / "start-freshrss").is_file():
        return f"FreshRSS is not at {FRESHRSS_DIR} (the sync tests need ../shared/freshrss)"
    if shutil.which("php") is None:
        return "php is not installed (apt-get install php-cli php-sqlite3 php-curl php-xml ...)"
    return None


def wait_until(condition: Callable[[], bool], what: str, deadline: float = 20.0) -> None:
    """Poll ``condition`` until it holds; fail after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.02)


class FreshRSS:
    """A FreshRSS installed in ``work`` and served by ``php -S`` on 127.0.0.1."""

    def __init__(self, work: Path) -> None:
        done = subprocess.run(
            [str(FRESHRSS_DIR / "start-freshrss"), str(work)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"start-freshrss failed: {done.stderr.strip()}")
        info = json.loads(done.stdout.strip().splitlines()[-1])
        self.work = work
        self.url: str = info["url"]
        self.api: str = info["api"]
        self.root = Path(info["root"])
        self.pid: int | None = int(info["pid"])
        self.port = int(self.url.rsplit(":", 1)[1])
        self._users = count(1)

    def new_user(self) -> Phone:
        """A fresh user with no feeds, and a client of theirs."""
        name = f"u{next(self._users)}"
        password = f"{name}-api-pass"
        self.create_user(name, password)
        return Phone(self, name, password)

    def create_user(self, name: str, password: str) -> None:
        subprocess.run(
            ["php", str(self.root / "cli/create-user.php"), f"--user={name}",
             "--password=web-pass-1234", f"--api-password={password}"],
            capture_output=True, timeout=60, check=True,
        )  # fmt: skip

    def recreate_user(self, name: str, password: str) -> None:
        """The user deleted and made again, as on a reinstalled server: no feeds, no items,
        the same name and password."""
        subprocess.run(
            ["php", str(self.root / "cli/delete-user.php"), f"--user={name}"],
            capture_output=True, timeout=60, check=True,
        )  # fmt: skip
        self.create_user(name, password)

    def actualize(self, user: str) -> None:
        """Make the server fetch the user's feeds now: it would wait for a feed's ttl (an
        hour) and read its own HTTP cache, so the last update is set back and the cache
        emptied first."""
        with sqlite3.connect(self.root / "data/users" / user / "db.sqlite") as db:
            db.execute("UPDATE feed SET lastUpdate = 0")
        for cached in (self.root / "data/cache").iterdir():
            if cached.is_file() and cached.name != "index.html":
                cached.unlink()
        subprocess.run(
            ["php", str(self.root / "cli/actualize-user.php"), f"--user={user}"],
            capture_output=True, timeout=120, check=False,
        )  # fmt: skip

    def stop(self) -> None:
        if self.pid is not None:
            pid, self.pid = self.pid, None
            os.kill(pid, signal.SIGTERM)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:  # start-freshrss started it: not our child
                wait_until(lambda: not _alive(pid), "FreshRSS to stop")

    def start(self) -> None:
        """Serve again on the same port (after ``stop``)."""
        if self.pid is not None:
            return
        log = open(self.work / "freshrss-server.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.root / "p")],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        log.close()
        self.pid = process.pid

        def answers() -> bool:
            try:
                return httpx.get(self.api + "/reader/api/0/token", timeout=1).status_code > 0
            except httpx.HTTPError:
                return False

        wait_until(answers, "FreshRSS to answer again")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Phone:
    """Another device on the same account: plain HTTP, as any Google Reader client."""

    def __init__(self, server: FreshRSS, user: str, password: str) -> None:
        self.server = server
        self.user = user
        self.password = password
        self.api = server.api
        self._auth: str | None = None
        self._token: str | None = None

    def _headers(self) -> dict[str, str]:
        if self._auth is None:
            answer = httpx.post(
                self.api + "/accounts/ClientLogin",
                data={"Email": self.user, "Passwd": self.password},
            )
            answer.raise_for_status()
            self._auth = answer.text.split("Auth=", 1)[1].strip()
        return {"Authorization": f"GoogleLogin auth={self._auth}"}

    def get(self, path: str, **params: str) -> Any:
        answer = httpx.get(
            f"{self.api}/reader/api/0/{path}",
            params={**params, "output": "json"},
            headers=self._headers(),
            timeout=30,
        )
        answer.raise_for_status()
        return answer.json()

    def post(self, path: str, fields: list[tuple[str, str]]) -> str:
        headers = self._headers()
        if self._token is None:
            self._token = httpx.get(f"{self.api}/reader/api/0/token", headers=headers).text.strip()
        body = "&".join(f"{k}={quote(v, safe='')}" for k, v in [("T", self._token), *fields])
        answer = httpx.post(
            f"{self.api}/reader/api/0/{path}",
            content=body,
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            timeout=60,
        )
        answer.raise_for_status()
        return answer.text

    # --- what a user does on the phone ---

    def subscribe(self, url: str, folder: str | None = None, title: str | None = None) -> None:
        fields = [("ac", "subscribe"), ("s", "feed/" + url)]
        if folder:
            fields.append(("a", "user/-/label/" + folder))
        if title:
            fields.append(("t", title))
        assert self.post("subscription/edit", fields) == "OK"

    def subscriptions(self) -> dict[str, dict[str, Any]]:
        """URL -> {id, title, folder}."""
        found = {}
        for sub in self.get("subscription/list")["subscriptions"]:
            folders = [c.get("label") for c in sub.get("categories") or ()]
            found[sub["url"]] = {
                "id": sub["id"], "title": sub["title"], "folder": folders[0] if folders else None
            }  # fmt: skip
        return found

    def ids(self, stream: str = READING_LIST, **params: str) -> list[int]:
        refs = self.get("stream/items/ids", s=stream, n="10000", **params)["itemRefs"]
        return [int(ref["id"]) for ref in refs]

    def items(self) -> dict[str, dict[str, Any]]:
        """URL -> {id (decimal), read, starred} of every item."""
        ids = self.ids()
        if not ids:
            return {}
        fields = [("i", str(i)) for i in ids]
        body = self.post("stream/items/contents?output=json", fields)
        found = {}
        for item in json.loads(body)["items"]:
            url = item["canonical"][0]["href"]
            found[url] = {
                "id": int(item["id"].rsplit("/", 1)[1], 16),
                "read": READ in item["categories"],
                "starred": STARRED in item["categories"],
            }
        return found

    def tag(self, item_id: int, add: str | None = None, remove: str | None = None) -> None:
        fields = [("i", str(item_id))]
        if add:
            fields.append(("a", add))
        if remove:
            fields.append(("r", remove))
        assert self.post("edit-tag", fields) == "OK"

    def unsubscribe(self, stream_id: str) -> None:
        assert self.post("subscription/edit", [("ac", "unsubscribe"), ("s", stream_id)]) == "OK"

    def actualize(self) -> None:
        self.server.actualize(self.user)

    def reinstall(self) -> None:
        """The server lost this account's data: the user is made again from nothing."""
        self.server.recreate_user(self.user, self.password)
        self._auth = self._token = None


# --- feeds the tests change as they go -------------------------------------------------


@dataclass
class GrowingFeed:
    """An RSS feed on the site server whose items a test adds as it goes."""

    site: SiteServer
    path: str
    title: str = "Growing"
    items: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.site.routes[self.path] = self._serve

    @property
    def url(self) -> str:
        return self.site.url(self.path)

    def add(self, *titles: str) -> None:
        self.items.extend(titles)

    def item_url(self, title: str) -> str:
        return self.site.url(f"{self.path}/{title.lower().replace(' ', '-')}.html")

    def _serve(self, request: Request) -> Response:
        entries = "".join(
            f"<item><title>{title}</title><link>{self.item_url(title)}</link>"
            f"<guid>{self.item_url(title)}</guid>"
            f"<pubDate>Mon, {1 + n % 28:02d} Dec 2025 10:00:00 GMT</pubDate>"
            f"<description>About {title}.</description></item>"
            for n, title in enumerate(self.items)
        )
        body = (
            '<?xml version="1.0"?><rss version="2.0"><channel>'
            f"<title>{self.title}</title><link>{self.site.url('/')}</link>{entries}"
            "</channel></rss>"
        ).encode()
        return Response(200, body, {"Content-Type": "application/rss+xml"})


# --- a fake Miniflux: its Google Reader API as its documentation describes it ------------


@dataclass
class FakeEntry:
    id: int
    feed_id: int
    title: str
    url: str
    published: int
    read: bool = False
    starred: bool = False
    changed_at: int = 0  # Miniflux's ``updated``: when the entry last changed


class FakeMiniflux:
    """Miniflux's Google Reader API (internal/googlereader/README.md of miniflux/v2):

    - its own Google Reader user and password; ClientLogin answers 401 with JSON;
    - a GET is authenticated by the header alone, a POST by its ``T`` field alone;
    - ``stream/items/ids`` gives decimal ids, refuses label streams, pages by offset;
    - ``stream/items/contents`` gives long-form ids and ``updated`` = when it changed;
    - unknown endpoints under /reader/api/0/ answer ``[]`` with 200.

    ``faults`` lets a test break it: {"path": callable(request) -> Response | None}.
    """

    USER = "reader"
    PASSWORD = "gr-pass"

    def __init__(self, site: SiteServer, clock: Callable[[], float] = time.time) -> None:
        self.site = site
        self.clock = clock
        self.token = "reader/0123456789abcdef"
        self.feeds: dict[int, dict[str, str]] = {}
        self.entries: dict[int, FakeEntry] = {}
        self.faults: dict[str, Callable[[Request], Response | None]] = {}
        self.calls: list[tuple[str, str, dict[str, list[str]]]] = []
        self._ids = count(1)
        self._original_respond = site.respond
        site.respond = self._respond  # type: ignore[method-assign]

    @property
    def url(self) -> str:
        return self.site.base

    # --- the server's own data ---

    def reset(self) -> None:
        """Fresh state, as a reinstalled server (or one restored from an old backup): no
        feeds, no entries, its ids counted from the start again (so they may be ours)."""
        self.feeds.clear()
        self.entries.clear()
        self._ids = count(1)

    def add_feed(self, url: str, title: str, category: str = "All") -> int:
        feed_id = next(self._ids)
        self.feeds[feed_id] = {"url": url, "title": title, "category": category}
        return feed_id

    def add_entry(self, feed_id: int, title: str, **values: Any) -> FakeEntry:
        entry_id = 1000 + next(self._ids)
        entry = FakeEntry(
            id=entry_id, feed_id=feed_id, title=title,
            url=f"{self.site.base}/articles/{entry_id}.html",
            published=int(self.clock()) - 3600, changed_at=int(self.clock()) - 3600,
        )  # fmt: skip
        for key, value in values.items():
            setattr(entry, key, value)
        self.entries[entry_id] = entry
        return entry

    # --- HTTP ---

    def _respond(self, request: Request) -> Response:
        if request.path.startswith("/reader/api/0/") or request.path == "/accounts/ClientLogin":
            with self.site._lock:
                self.site.requests.append(request)
            form = _form(request)
            self.calls.append((request.method, request.path, form))
            fault = self.faults.get(request.path)
            if fault is not None:
                answer = fault(request)
                if answer is not None:
                    return answer
            if request.path == "/accounts/ClientLogin":
                return self._login(request)
            return self._api(request, form)
        return self._original_respond(request)

    def _login(self, request: Request) -> Response:
        form = _form(request)
        if form.get("Email") == [self.USER] and form.get("Passwd") == [self.PASSWORD]:
            body = f"SID={self.token}\nLSID={self.token}\nAuth={self.token}\n"
            return Response(200, body.encode(), {"Content-Type": "text/plain"})
        return _json({"error_message": "access unauthorized"}, 401)

    def _api(self, request: Request, form: dict[str, list[str]]) -> Response:
        if request.method == "POST":
            authorized = form.get("T") == [self.token]
        else:
            authorized = request.headers.get("authorization") == f"GoogleLogin auth={self.token}"
        if not authorized:
            return Response(401, b"Unauthorized", {
                "Content-Type": "text/plain; charset=utf-8", "X-Reader-Google-Bad-Token": "true"
            })  # fmt: skip
        endpoint = request.path.removeprefix("/reader/api/0/")
        handler = {
            "token": self._token,
            "subscription/list": self._subscriptions,
            "subscription/edit": self._edit_subscription,
            "tag/list": self._tags,
            "stream/items/ids": self._item_ids,
            "stream/items/contents": self._contents,
            "edit-tag": self._edit_tag,
        }.get(endpoint)
        if handler is None:
            return _json([])  # Miniflux's catch-all
        return handler(request, form)

    def _token(self, request: Request, form: dict[str, list[str]]) -> Response:
        return Response(200, self.token.encode(), {"Content-Type": "text/plain"})

    def _subscriptions(self, request: Request, form: dict[str, list[str]]) -> Response:
        subs = [
            {
                "id": f"feed/{feed_id}", "title": feed["title"],
                "categories": [{"id": f"user/1/label/{feed['category']}",
                                "label": feed["category"], "type": "folder"}],
                "url": feed["url"], "htmlUrl": feed["url"], "iconUrl": "",
            }
            for feed_id, feed in self.feeds.items()
        ]  # fmt: skip
        return _json({"subscriptions": subs})

    def _edit_subscription(self, request: Request, form: dict[str, list[str]]) -> Response:
        action = form.get("ac", [""])[0]
        stream = form.get("s", [""])[0]
        if action == "subscribe":
            url = stream.removeprefix("feed/")
            if not url.startswith("http"):
                return _json({"error_message": "invalid feed URL"}, 400)
            folder = form.get("a", ["user/1/label/All"])[0].rsplit("/", 1)[1]
            self.add_feed(url, form.get("t", [url])[0], folder)
            return _text("OK")
        feed_id = stream.removeprefix("feed/")
        if not feed_id.isdigit() or int(feed_id) not in self.feeds:
            return _json({"error_message": "feed not found"}, 400)
        if action == "unsubscribe":
            del self.feeds[int(feed_id)]
            return _text("OK")
        feed = self.feeds[int(feed_id)]
        if form.get("t"):
            feed["title"] = form["t"][0]
        if form.get("a"):
            feed["category"] = form["a"][0].rsplit("/", 1)[1]
        return _text("OK")

    def _tags(self, request: Request, form: dict[str, list[str]]) -> Response:
        labels = sorted({feed["category"] for feed in self.feeds.values()})
        tags = [{"id": "user/1/state/com.google/starred"}] + [
            {"id": f"user/1/label/{name}", "label": name, "type": "folder"} for name in labels
        ]
        return _json({"tags": tags})

    def _item_ids(self, request: Request, form: dict[str, list[str]]) -> Response:
        stream = form.get("s", [""])[0]
        if "/label/" in stream:
            return _json({"error_message": "unsupported stream type"}, 400)
        entries = sorted(self.entries.values(), key=lambda e: -e.published)
        if stream.endswith("/state/com.google/starred"):
            entries = [e for e in entries if e.starred]
        elif stream.endswith("/state/com.google/read"):
            entries = [e for e in entries if e.read]
        elif stream.startswith("feed/"):
            entries = [e for e in entries if f"feed/{e.feed_id}" == stream]
        if any(x.endswith("/state/com.google/read") for x in form.get("xt", [])):
            entries = [e for e in entries if not e.read]
        if form.get("ot"):
            entries = [e for e in entries if e.published > int(form["ot"][0])]
        offset = int(form.get("c", ["0"])[0] or 0)
        limit = int(form["n"][0]) if form.get("n") else len(entries)
        page = entries[offset : offset + limit]
        body: dict[str, Any] = {"itemRefs": [{"id": str(e.id)} for e in page]}
        if offset + limit < len(entries):
            body["continuation"] = str(offset + limit)
        return _json(body)

    def _contents(self, request: Request, form: dict[str, list[str]]) -> Response:
        if request.method != "POST":
            return Response(405, b"Method Not Allowed")
        items = []
        for raw in form.get("i", []):
            if raw.startswith("tag:google.com,2005:reader/item/"):
                hex_id = raw.rsplit("/", 1)[1]
                if len(hex_id) != 16:
                    return _json({"error_message": "long form ID has incorrect length"}, 400)
                entry_id = int(hex_id, 16)
            else:
                entry_id = int(raw)
            entry = self.entries.get(entry_id)
            if entry is None:
                continue
            categories = ["user/1/state/com.google/reading-list",
                          f"user/1/label/{self.feeds[entry.feed_id]['category']}"]  # fmt: skip
            if entry.read:
                categories.append("user/1/state/com.google/read")
            if entry.starred:
                categories.append("user/1/state/com.google/starred")
            items.append({
                "id": f"tag:google.com,2005:reader/item/{entry.id:016x}",
                "categories": categories, "title": entry.title,
                "crawlTimeMsec": str(entry.published * 1000),
                "timestampUsec": str(entry.published * 1_000_000),
                "published": entry.published, "updated": entry.changed_at,
                "alternate": [{"href": entry.url, "type": "text/html"}],
                "canonical": [{"href": entry.url}],
                "summary": {"direction": "ltr", "content": f"<p>{entry.title}.</p>"},
                "content": {"direction": "ltr", "content": f"<p>{entry.title}.</p>"},
                "origin": {"streamId": f"feed/{entry.feed_id}", "title": "", "htmlUrl": ""},
            })  # fmt: skip
        return _json({"id": "user/-/state/com.google/reading-list", "items": items})

    def _edit_tag(self, request: Request, form: dict[str, list[str]]) -> Response:
        # Miniflux reads a and r from the body only
        body = dict_of_lists(parse_qsl(request.body.decode(), keep_blank_values=True))
        add, remove = body.get("a", []), body.get("r", [])
        for raw in form.get("i", []):
            entry_id = int(raw.rsplit("/", 1)[1], 16) if "/" in raw else int(raw)
            entry = self.entries.get(entry_id)
            if entry is None:
                continue
            for tag in add:
                self._set(entry, tag, True)
            for tag in remove:
                self._set(entry, tag, False)
        return _text("OK")

    def _set(self, entry: FakeEntry, tag: str, on: bool) -> None:
        if tag.endswith("/state/com.google/read"):
            entry.read = on
        elif tag.endswith("/state/com.google/starred"):
            entry.starred = on
        entry.changed_at = int(self.clock())


def dict_of_lists(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for key, value in pairs:
        merged.setdefault(key, []).append(value)
    return merged


def _form(request: Request) -> dict[str, list[str]]:
    """Query and body fields together, as Go's r.Form."""
    pairs = parse_qsl(request.query, keep_blank_values=True)
    if request.method == "POST":
        pairs += parse_qsl(request.body.decode(), keep_blank_values=True)
    return dict_of_lists(pairs)


def _json(value: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(value).encode(), {"Content-Type": "application/json"})


def _text(value: str) -> Response:
    return Response(200, value.encode(), {"Content-Type": "text/plain"})


def session_freshrss(work: Path) -> Iterator[FreshRSS]:
    server = FreshRSS(work)
    try:
        yield server
    finally:
        server.stop()
