"""A small client of the Google Reader API, as FreshRSS, Miniflux, Inoreader, The Old
Reader and BazQux serve it, on the shared ``httpx.AsyncClient``.

Item ids come in two forms: decimal (``stream/items/ids``) and the long form
``tag:google.com,2005:reader/item/<16 hex digits>`` (``stream/items/contents``). Both are
read everywhere and turned into one canonical form, lower-case hex of at least 16 digits
(:func:`canonical_item_id`); requests send the long form, which every server accepts.

Servers differ (from their own documentation): Miniflux authenticates a POST only by its
``T`` field and a GET only by the header, so both are always sent; it answers unknown
endpoints with ``[]`` and 200, which is refused here as "not the API's answer".
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, urlsplit

from reader.errors import SyncError

if TYPE_CHECKING:
    import httpx

ITEM_PREFIX: Final = "tag:google.com,2005:reader/item/"
READING_LIST: Final = "user/-/state/com.google/reading-list"
READ: Final = "user/-/state/com.google/read"
STARRED: Final = "user/-/state/com.google/starred"
LABEL_PREFIX: Final = "user/-/label/"
API_PATH: Final = "/reader/api/0/"
# Item ids per request: a POST of 250 long-form ids is about 17 KB (FreshRSS reads 1 MB).
ITEMS_PER_REQUEST: Final = 250
IDS_PER_PAGE: Final = 1000


class LoginRefusedError(SyncError):
    """The server refused the user name or password (or the token it gave)."""


class RetryLaterError(SyncError):
    """The server asked to wait (429, 503 with Retry-After)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerUnreachableError(SyncError):
    """No answer: connection refused, DNS, timeout, a server error."""


class ProtocolError(SyncError):
    """The answer is not the API's: HTML, truncated JSON, the wrong shape."""


class RequestRefusedError(SyncError):
    """The server refused one request (400, 404): a feed it cannot subscribe to, say."""


@dataclass(frozen=True)
class Subscription:
    stream_id: str  # feed/42, feed/https://...
    url: str
    title: str | None = None
    folder: str | None = None
    site_url: str | None = None


@dataclass(frozen=True)
class Item:
    id: str  # canonical: lower-case hex, at least 16 digits
    feed: str  # the origin's stream id
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: float | None = None
    changed: float | None = None  # ``updated``: when the server last changed it, if told
    crawled: float | None = None  # when the server first stored it
    content: str | None = None
    read: bool = False
    starred: bool = False


def canonical_item_id(raw: str) -> str:
    """Either id form as lower-case hex of at least 16 digits.

    Decimal is all digits without a leading zero (FreshRSS's rule); anything else is hex,
    with or without the ``tag:google.com,2005:reader/item/`` prefix.
    """
    text = raw.strip()
    if text.isdigit() and not text.startswith("0"):
        return f"{int(text):016x}"
    hex_part = text.rsplit("/", 1)[-1].lower()
    if not hex_part or any(c not in "0123456789abcdef" for c in hex_part):
        raise ProtocolError(f"not an item id: {raw[:40]!r}")
    return hex_part.rjust(16, "0")


def long_item_id(item_id: str) -> str:
    return ITEM_PREFIX + item_id


def label_stream(folder: str) -> str:
    return LABEL_PREFIX + folder


def folder_of(label: str) -> str | None:
    """``user/-/label/News`` or ``user/1/label/News`` -> ``News``; None for a state."""
    parts = label.split("/", 3)
    if len(parts) == 4 and parts[0] == "user" and parts[2] == "label" and parts[3]:
        return parts[3]
    return None


def _is_state(category: str, state: str) -> bool:
    # user/-/state/com.google/read, user/1/state/com.google/read, user/<id>/state/...
    return category.startswith("user/") and category.endswith("/state/com.google/" + state)


def server_label(url: str) -> str:
    """The server's address without user info, path or query: safe in any message."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


def shown_address(url: str) -> str:
    """The address without user info, query or fragment, for a message."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{server_label(url)}{parts.path}"


class GReader:
    """One account on one server. Logs in on first use and again, once, when a token
    is refused; ``on_login`` is told each new auth token so it can be kept."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        user: str,
        password: Callable[[], str],
        *,
        auth: str | None = None,
        on_login: Callable[[str], None] | None = None,
        timeout: float | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.user = user
        self._password = password
        self._auth = auth
        self._token: str | None = None
        self._on_login = on_login
        self._timeout = timeout
        self.server = server_label(base_url)

    # --- authentication ----------------------------------------------------------------

    async def login(self) -> str:
        """ClientLogin: the auth token, or :class:`LoginRefusedError`."""
        response = await self._send(
            "POST",
            self.base_url + "/accounts/ClientLogin",
            data={"Email": self.user, "Passwd": self._password()},
            what="login",
        )
        if response.status_code in (401, 403):
            raise LoginRefusedError(f"login refused: check the password ({self.server})")
        if response.status_code == 501:  # a server that does no POST: a site, not an API
            raise RequestRefusedError(f"{self.server} refused login (HTTP 501)")
        self._check_status(response, "login")
        auth = None
        for line in response.text.splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "Auth" and value.strip():
                auth = value.strip()
        if auth is None:
            raise ProtocolError(
                f"{self.server} answered the login without a token: is this the address of "
                "its Google Reader API (FreshRSS: .../api/greader.php)?"
            )
        self._auth = auth
        self._token = None
        if self._on_login is not None:
            self._on_login(auth)
        return auth

    async def _edit_token(self) -> str:
        if self._token is None:
            response = await self._api("GET", "token", what="token")
            token = response.text.strip()
            if not token or "<" in token or len(token) > 1000:
                raise ProtocolError(f"{self.server} gave no edit token (is this the API?)")
            self._token = token
        return self._token

    # --- requests ----------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        params: Sequence[tuple[str, str]] | None = None,
        data: dict[str, str] | Sequence[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        import httpx

        from reader.fetch import _connect_message

        content = None
        request_headers = dict(headers or {})
        if data is not None:
            # repeated fields (i=..&i=..) as the servers read them; httpx would too, but
            # encoding it here keeps the order and one code path for dict and list
            pairs = data.items() if isinstance(data, dict) else data
            content = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
            request_headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            return await self.http.request(
                method,
                url,
                params=list(params) if params is not None else None,
                content=content,
                headers=request_headers,
                timeout=self._timeout if self._timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException:
            raise ServerUnreachableError(f"{self.server} did not answer in time ({what})") from None
        except httpx.ConnectError as error:
            raise ServerUnreachableError(f"{self.server}: {_connect_message(error)}") from None
        except httpx.HTTPError as error:
            raise ServerUnreachableError(
                f"{self.server}: network error ({type(error).__name__})"
            ) from None

    def _check_status(self, response: httpx.Response, what: str) -> None:
        from reader.fetch import parse_retry_after

        status = response.status_code
        if status == 429 or (status == 503 and "retry-after" in response.headers):
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            wait = f" (asked to wait {retry_after:.0f} s)" if retry_after is not None else ""
            raise RetryLaterError(f"{self.server} is busy{wait}; will retry", retry_after)
        if status >= 500:
            raise ServerUnreachableError(f"{self.server} failed ({what}: HTTP {status})")
        if status in (400, 404, 405, 409, 410, 422):
            raise RequestRefusedError(f"{self.server} refused {what} (HTTP {status})")
        if status >= 400:
            raise ProtocolError(f"{self.server} answered {what} with HTTP {status}")

    async def _api(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: Sequence[tuple[str, str]] = (),
        data: Sequence[tuple[str, str]] | None = None,
    ) -> httpx.Response:
        """An API call with the auth header (and the T field on a POST); on 401 it logs
        in again once and retries."""
        for attempt in (1, 2):
            if self._auth is None:
                await self.login()
            fields = None
            if method == "POST":
                fields = [("T", await self._edit_token()), *(data or ())]
            response = await self._send(
                method,
                self.base_url + API_PATH + path,
                what=what,
                params=params,
                data=fields,
                headers={"Authorization": f"GoogleLogin auth={self._auth}"},
            )
            if response.status_code in (401, 403):
                if attempt == 1:
                    self._auth = None  # expired or revoked: log in again, once
                    continue
                raise LoginRefusedError(f"login refused: check the password ({self.server})")
            self._check_status(response, what)
            return response
        raise AssertionError("unreachable")

    async def _json(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: Sequence[tuple[str, str]] = (),
        data: Sequence[tuple[str, str]] | None = None,
    ) -> dict[str, Any]:
        response = await self._api(
            method, path, what=what, params=[*params, ("output", "json")], data=data
        )
        try:
            value = json.loads(response.content)
        except ValueError:
            kind = "an HTML page" if b"<" in response.content[:200] else "broken JSON"
            raise ProtocolError(
                f"{self.server} answered {what} with {kind}, not the API's JSON: "
                "check the address (FreshRSS: .../api/greader.php)"
            ) from None
        if not isinstance(value, dict):
            # Miniflux answers an endpoint it lacks with [] and 200
            raise ProtocolError(
                f"{self.server} does not support {what} (it answered {value!r:.20})"
            )
        return value

    async def _edit(self, path: str, data: Sequence[tuple[str, str]], what: str) -> None:
        response = await self._api("POST", path, what=what, data=data)
        if response.text.strip() != "OK":
            raise ProtocolError(f"{self.server} did not confirm {what}")

    # --- subscriptions and folders -----------------------------------------------------

    async def subscriptions(self) -> list[Subscription]:
        body = await self._json("GET", "subscription/list", what="the subscription list")
        raw = body.get("subscriptions")
        if not isinstance(raw, list):
            raise ProtocolError(f"{self.server} sent a subscription list without subscriptions")
        subscriptions = []
        for entry in raw:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                continue
            stream_id: str = entry["id"]
            url = entry.get("url") or (stream_id[5:] if stream_id.startswith("feed/") else "")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                continue
            folder = None
            for category in entry.get("categories") or ():
                if isinstance(category, dict):
                    label = category.get("label")
                    folder = (
                        label
                        if isinstance(label, str) and label
                        else folder_of(str(category.get("id", "")))
                    )
                    if folder:
                        break
            subscriptions.append(
                Subscription(
                    stream_id=stream_id,
                    url=url,
                    title=_text(entry.get("title")),
                    folder=folder,
                    site_url=_text(entry.get("htmlUrl")),
                )
            )
        return subscriptions

    async def subscribe(
        self, url: str, title: str | None = None, folder: str | None = None
    ) -> None:
        data = [("ac", "subscribe"), ("s", "feed/" + url)]
        if title:
            data.append(("t", title))
        if folder:
            data.append(("a", label_stream(folder)))
        await self._edit("subscription/edit", data, "the subscription to " + url)

    async def unsubscribe(self, stream_id: str) -> None:
        data = [("ac", "unsubscribe"), ("s", stream_id)]
        await self._edit("subscription/edit", data, "an unsubscription")

    async def edit_subscription(
        self,
        stream_id: str,
        *,
        title: str | None = None,
        folder: str | None = None,
        old_folder: str | None = None,
    ) -> None:
        """Rename (``title``) and move to ``folder``; ``folder`` "" takes it out of
        ``old_folder`` (to the server's default folder)."""
        data = [("ac", "edit"), ("s", stream_id)]
        if title:
            data.append(("t", title))
        if folder:
            data.append(("a", label_stream(folder)))
        elif folder == "" and old_folder:
            data.append(("r", label_stream(old_folder)))
        await self._edit("subscription/edit", data, "a subscription edit")

    async def folders(self) -> list[str]:
        """The user's folders (labels), from ``tag/list``."""
        body = await self._json("GET", "tag/list", what="the folder list")
        tags = body.get("tags")
        if not isinstance(tags, list):
            raise ProtocolError(f"{self.server} sent a folder list without tags")
        names = []
        for tag in tags:
            if isinstance(tag, dict):
                name = folder_of(str(tag.get("id", "")))
                if name:
                    names.append(name)
        return names

    # --- items -------------------------------------------------------------------------

    async def item_id_pages(
        self,
        stream: str,
        *,
        exclude: str | None = None,
        since: float | None = None,
        limit: int | None = None,
        page_size: int = IDS_PER_PAGE,
    ) -> AsyncIterator[list[str]]:
        """The ids of a stream's items, newest first, a page at a time (canonical form).
        ``since`` is the server's ``ot``: FreshRSS counts it by when it stored an item,
        Miniflux by when the item was published."""
        continuation = ""
        seen_continuations: set[str] = set()
        remaining = limit
        while remaining is None or remaining > 0:
            count = page_size if remaining is None else min(page_size, remaining)
            params = [("s", stream), ("n", str(count))]
            if exclude:
                params.append(("xt", exclude))
            if since is not None:
                params.append(("ot", str(int(since))))
            if continuation:
                params.append(("c", continuation))
            body = await self._json("GET", "stream/items/ids", what="the item list", params=params)
            refs = body.get("itemRefs")
            if refs is None:
                refs = []  # some servers leave the key out of an empty page
            if not isinstance(refs, list):
                raise ProtocolError(f"{self.server} sent an item list without items")
            ids = [
                canonical_item_id(str(ref["id"]))
                for ref in refs
                if isinstance(ref, dict) and "id" in ref
            ]
            if ids:
                yield ids
            if remaining is not None:
                remaining -= len(ids)
            next_continuation = body.get("continuation")
            if (
                not ids
                or not isinstance(next_continuation, str | int)
                or not str(next_continuation)
                or str(next_continuation) in seen_continuations
            ):
                return
            continuation = str(next_continuation)
            seen_continuations.add(continuation)

    async def item_ids(self, stream: str, **options: Any) -> list[str]:
        found: list[str] = []
        async for page in self.item_id_pages(stream, **options):
            found.extend(page)
        return found

    async def items(self, ids: Sequence[str]) -> list[Item]:
        """The items with these ids (at most :data:`ITEMS_PER_REQUEST`), in no set order."""
        if not ids:
            return []
        data = [("i", long_item_id(canonical_item_id(i))) for i in ids]
        body = await self._json(
            "POST", "stream/items/contents", what="the items' contents", data=data
        )
        return parse_items(body, self.server)

    async def stream_contents(
        self,
        stream: str = READING_LIST,
        *,
        since: float | None = None,
        count: int = 100,
        continuation: str | None = None,
        exclude: str | None = None,
    ) -> tuple[list[Item], str | None]:
        """One page of a stream's items with their content, and the next page's token
        (not every server has this endpoint: Miniflux does not)."""
        params = [("n", str(count))]
        if since is not None:
            params.append(("ot", str(int(since))))
        if continuation:
            params.append(("c", continuation))
        if exclude:
            params.append(("xt", exclude))
        body = await self._json(
            "GET", "stream/contents/" + quote(stream, safe="/"), what="a stream", params=params
        )
        token = body.get("continuation")
        return parse_items(body, self.server), (str(token) if token else None)

    async def edit_tag(
        self, ids: Iterable[str], *, add: str | None = None, remove: str | None = None
    ) -> None:
        """Add or remove a state (``READ``, ``STARRED``) on these items."""
        data = [("i", long_item_id(canonical_item_id(i))) for i in ids]
        if not data:
            return
        if add:
            data.append(("a", add))
        if remove:
            data.append(("r", remove))
        await self._edit("edit-tag", data, "a read or star change")

    async def mark_all_as_read(self, stream: str, older_than: float | None = None) -> None:
        """Every item of ``stream`` read (those the server got before ``older_than``)."""
        data = [("s", stream)]
        if older_than is not None:
            data.append(("ts", str(int(older_than * 1_000_000))))
        await self._edit("mark-all-as-read", data, "mark all as read")

    async def unread_counts(self) -> dict[str, int]:
        """Stream id (feed/..., user/-/label/..., the reading list) -> unread items."""
        body = await self._json("GET", "unread-count", what="the unread counts")
        counts = body.get("unreadcounts")
        if not isinstance(counts, list):
            raise ProtocolError(f"{self.server} sent unread counts without counts")
        found: dict[str, int] = {}
        for entry in counts:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                try:
                    found[entry["id"]] = int(entry.get("count", 0))
                except (TypeError, ValueError):
                    continue
        return found


def parse_items(body: dict[str, Any], server: str = "the server") -> list[Item]:
    raw = body.get("items")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ProtocolError(f"{server} sent items in an unknown shape")
    items = []
    for entry in raw:
        if not isinstance(entry, dict) or "id" not in entry:
            continue
        try:
            item_id = canonical_item_id(str(entry["id"]))
        except ProtocolError:
            continue
        origin = entry.get("origin")
        feed = origin.get("streamId") if isinstance(origin, dict) else None
        if not isinstance(feed, str):
            continue
        categories = [c for c in entry.get("categories") or () if isinstance(c, str)]
        items.append(
            Item(
                id=item_id,
                feed=feed,
                url=_first_href(entry.get("canonical")) or _first_href(entry.get("alternate")),
                title=_text(entry.get("title")),
                author=_text(entry.get("author")),
                published=_number(entry.get("published")),
                changed=_number(entry.get("updated")),
                crawled=_crawled(entry),
                content=_body(entry.get("content")) or _body(entry.get("summary")),
                read=any(_is_state(c, "read") for c in categories),
                starred=any(_is_state(c, "starred") for c in categories),
            )
        )
    return items


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _crawled(entry: dict[str, Any]) -> float | None:
    msec = _number(entry.get("crawlTimeMsec"))
    return msec / 1000 if msec is not None else None


def _first_href(links: Any) -> str | None:
    if isinstance(links, list):
        for link in links:
            if isinstance(link, dict) and isinstance(link.get("href"), str) and link["href"]:
                return str(link["href"])
    return None


def _body(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return value["content"] or None
    return None
