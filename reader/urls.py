"""URL checks shared by subscribing, importing and following links."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from reader.errors import InvalidURLError

WEB_SCHEMES = ("http", "https")


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
