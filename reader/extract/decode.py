"""Page bytes -> text: the HTTP charset, a BOM, an XML or ``<meta>`` charset, else a guess."""

from __future__ import annotations

import codecs
import re
from typing import Final

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING_RE = re.compile(
    rb"""(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I
)
_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# What browsers do: these labels mean the Windows supersets.
_WINDOWS_SUPERSETS: Final = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
}


def decode_html(data: bytes, charset: str | None = None) -> str:
    """Bytes to text: the HTTP charset, a BOM, ``<?xml encoding?>``, ``<meta charset>``, detection.

    A declared charset that does not decode the bytes cleanly is passed over, so a page
    that says ISO-8859-1 but is UTF-8 still reads right.
    """
    candidates: list[str] = []
    if charset:
        candidates.append(charset)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            candidates.append(encoding)
            break
    declaration = _XML_ENCODING_RE.match(data)
    if declaration:  # XHTML may say it only there
        candidates.append(declaration.group(1).decode("ascii", "replace"))
    meta = _META_CHARSET_RE.search(data[:8192])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    for name in candidates:
        label = name.strip().lower()
        try:
            codec = codecs.lookup(_WINDOWS_SUPERSETS.get(label, label)).name
        except LookupError:
            continue
        if codec.startswith("utf-16") and not data.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        ):
            continue  # a meta tag in an ASCII-compatible page cannot mean UTF-16
        # single-byte Western charsets decode anything: prefer UTF-8 when the bytes are
        if codec in ("cp1252", "latin-1", "iso8859-15") and _is_utf8(data):
            return data.decode("utf-8")
        try:
            return data.decode(codec).lstrip("\ufeff")
        except UnicodeDecodeError:
            if codec == "utf-8" and _is_mostly_utf8(data):
                # A page saved with a stray byte: the declaration is still right, and a
                # guess would read every other accented letter as a Mac or DOS code page.
                return data.decode("utf-8", errors="replace").lstrip("\ufeff")
            continue
    if _is_utf8(data):
        return data.decode("utf-8").lstrip("\ufeff")
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace")
    return data.decode("utf-8", errors="replace")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# A handful of bad sequences, or a few among many good ones, is a damaged UTF-8 page; a
# page in a legacy charset has almost no valid multi-byte sequences.
_DAMAGED_UTF8_MAX_BAD: Final = 3
_DAMAGED_UTF8_MAX_BAD_SHARE: Final = 0.05


def _is_mostly_utf8(data: bytes) -> bool:
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    non_ascii = sum(1 for char in text if char > "\x7f")
    return bad <= _DAMAGED_UTF8_MAX_BAD or bad <= _DAMAGED_UTF8_MAX_BAD_SHARE * non_ascii
