"""URL checks shared by subscribing, importing and following links."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from reader.errors import InvalidURLError

WEB_SCHEMES = ("http", "https")


def check_web_url(url: str) -> str:
    """The URL, tidied, when it is http(s) with a host; else :class:`InvalidURLError`.

    A bare ``example.com/feed`` gets ``https://``, as a browser's address bar would.
    """
    text = url.strip()
    if not text:
        raise InvalidURLError("empty URL; give an http or https URL")
    if "://" not in text and not text.startswith(("javascript:", "mailto:", "data:", "file:")):
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        raise InvalidURLError(f"not a valid URL: {url.strip()[:200]}") from None
    if parts.scheme.lower() not in WEB_SCHEMES:
        scheme = parts.scheme or text.split(":", 1)[0]
        raise InvalidURLError(f"{scheme}: URLs are not supported; only http and https")
    if not parts.hostname or any(c.isspace() for c in text):
        raise InvalidURLError(f"not a valid URL: {url.strip()[:200]}")
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, parts.query, ""))


def is_web_url(url: str) -> bool:
    try:
        check_web_url(url)
    except InvalidURLError:
        return False
    return url.strip().lower().startswith(WEB_SCHEMES)
