"""URL checks shared by subscribing, importing and following links."""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit, urlunsplit

from reader.errors import InvalidURLError

WEB_SCHEMES = ("http", "https")
TRACKING_PARAMS: Final = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_hsenc",
     "_hsmi", "mkt_tok"}
)  # fmt: skip
"""Query parameters that say who sent a visitor (``utm_*`` too), never what is served."""


def check_web_url(url: str, assume_https: bool = False) -> str:
    """The URL, tidied, when it is http(s) with a host; else :class:`InvalidURLError`.

    With ``assume_https``, a bare ``example.com/feed`` (or ``example.com:8080/feed``) gets
    ``https://``, as a browser's address bar would, and a local address (``localhost``,
    ``127.0.0.1:8003``) ``http://`` (for URLs a person types, not for files).
    """
    text = url.strip()
    if not text:
        raise InvalidURLError("empty URL; give an http or https URL")
    host, colon, port = text.split("/", 1)[0].partition(":")
    assumed = assume_https and "://" not in text and (not colon or port.isdigit())
    if assumed:
        local = host.lower() == "localhost" or _is_ip_address(host)
        text = ("http://" if local else "https://") + text
    try:
        parts = urlsplit(text)
    except ValueError:
        raise InvalidURLError(f"not a valid URL: {url.strip()[:200]}") from None
    # a typed word ("notaurl") is not a host name: only one with a dot, or localhost, is
    bare_word = assumed and "." not in (parts.hostname or "") and parts.hostname != "localhost"
    if not parts.scheme or bare_word:
        raise InvalidURLError(f"not a URL: {url.strip()[:200]}; give an http or https URL")
    if parts.scheme.lower() not in WEB_SCHEMES:
        raise InvalidURLError(f"{parts.scheme}: URLs are not supported; only http and https")
    if not parts.hostname or any(c.isspace() for c in text):
        raise InvalidURLError(f"not a valid URL: {url.strip()[:200]}")
    userinfo, at, host = parts.netloc.rpartition("@")
    netloc = userinfo + at + host.lower()  # host names are case-insensitive; paths are not
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, ""))


def _is_ip_address(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def is_web_url(url: str) -> bool:
    try:
        check_web_url(url)
    except InvalidURLError:
        return False
    return url.strip().lower().startswith(WEB_SCHEMES)


def _is_tracking(pair: str) -> bool:
    name = pair.split("=", 1)[0].lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def without_tracking(url: str) -> str:
    """``url`` without its tracking parameters (``utm_source`` ...) and fragment; the
    other parameters stay as they were, in their order."""
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def feed_key(url: str) -> str:
    """What two addresses of one feed share: the same whatever the scheme (http or
    https), a default port, the host's case, a trailing slash, a fragment or tracking
    parameters."""
    parts = urlsplit(without_tracking(url.strip()))
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    where = host if port in (None, 80, 443) else f"{host}:{port}"
    if parts.username is not None:
        where = f"{parts.username}@{where}"
    path = parts.path.rstrip("/")
    return f"{where}{path}?{parts.query}" if parts.query else f"{where}{path}"
