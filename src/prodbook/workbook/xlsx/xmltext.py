"""Text-level XML helpers: escaping, attributes of a start tag, namespace prefixes, decoding."""

from __future__ import annotations

import re
from html import escape

from prodbook.workbook.xlsx.model import UnsupportedLayout

F_TEXT = re.compile(r"(<(?:\w+:)?f\b[^>]*>)([^<]*)(</(?:\w+:)?f>)")
"""An ``f`` element with its text (a cell's formula; a chart's reference to cells): start tag, text, end tag."""
SHEET_FORMULA_TEXT = re.compile(r"(<(?:\w+:)?(?:f|formula[12]?)\b[^>]*>)([^<]*)(</(?:\w+:)?(?:f|formula[12]?)>)")
"""Every formula of a sheet with its text: a cell's (``f``), a colour rule's (``formula``), a validation's
(``formula1``, ``formula2``), and those of Excel 2010's rules (``xm:f``)."""
TABLE_FORMULA_TEXT = re.compile(r"(<(?:\w+:)?(?:calculatedColumnFormula|totalsRowFormula)\b[^>]*>)([^<]*)"
                                r"(</(?:\w+:)?(?:calculatedColumnFormula|totalsRowFormula)>)")
"""A Table's formulas with their text: its calculated columns' (filled into each row added) and its Total row's."""
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_X_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def whole(value: str, what: str) -> int:
    """A number the file format says is whole (a row's number, a style's index), read; anything else is XML no
    spreadsheet program writes, so the part is damaged: said so, not a Python error."""
    try:
        return int(value)
    except ValueError:
        raise UnsupportedLayout(f"{what} is '{value[:40]}', not a whole number: the file is damaged") from None


def number(value: str, what: str) -> float:
    """A number cell's value, read; text there (a number cell holding '2026-01-01') is a damaged part."""
    try:
        return float(value)
    except ValueError:
        raise UnsupportedLayout(f"{what} holds '{value[:40]}' where a number belongs: the file is damaged") from None


def _esc(s: str) -> str:
    """``xml.sax.saxutils.escape``: &, < and > (importing saxutils imports urllib.request, http and ssl,
    ~15 ms of every run)."""
    return escape(s, quote=False)


def _esc_attr(s: str) -> str:
    return _esc(s).replace('"', "&quot;")


def _unesc(s: str) -> str:
    if "&" not in s:
        return s
    return (
        re.sub(r"&#(x?)([0-9A-Fa-f]+);", lambda m: chr(int(m.group(2), 16 if m.group(1) else 10)), s)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _text_xml(s: str) -> str:
    """Escape a cell string for <t>: XML escapes, Excel's _xHHHH_ escape, CR kept."""
    if _ILLEGAL_XML.search(s):
        s = _ILLEGAL_XML.sub("", s)
    if "_x" in s:
        s = _X_ESCAPE.sub(r"_x005F_\1", s)
    s = _esc(s)
    if "\r" in s:
        s = s.replace("\r", "&#13;")
    return s


_ATTR_PATS: dict[str, re.Pattern] = {}


def _attr(attrs: str, name: str) -> str | None:
    pat = _ATTR_PATS.get(name)
    if pat is None:
        pat = _ATTR_PATS[name] = re.compile(r"(?:^|\s)" + re.escape(name) + r"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")
    m = pat.search(attrs)
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def _set_attr(tag: str, name: str, value: str) -> str:
    """Set attribute `name` in a start tag text (``<x a="1">`` or ``<x/>``)."""
    pat = re.compile(r'(\s)' + re.escape(name) + r'\s*=\s*("[^"]*"|\'[^\']*\')')
    if pat.search(tag):
        return pat.sub(lambda m: f'{m.group(1)}{name}="{value}"', tag, count=1)
    m = re.match(r"<[\w:.-]+", tag)
    assert m
    return tag[: m.end()] + f' {name}="{value}"' + tag[m.end():]


_DEL_PATS: dict[str, re.Pattern] = {}


def _del_attr(attrs: str, name: str) -> str:
    pat = _DEL_PATS.get(name)
    if pat is None:
        pat = _DEL_PATS[name] = re.compile(r"\s" + re.escape(name) + r"""\s*=\s*("[^"]*"|'[^']*')""")
    return pat.sub("", attrs)


def plain_utf8(first: bytes) -> bool:
    """Is a part plain UTF-8, by its first bytes (no byte-order mark, no other encoding declared)? One that is
    not is read whole (``_decode``), never a block at a time."""
    return not (first.startswith(b"\xef\xbb\xbf") or first[:2] in (b"\xff\xfe", b"\xfe\xff")
                or re.match(rb'<\?xml[^>]*encoding="(?!utf-8|UTF-8)', first[:100]))


def _decode(data: bytes, part: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data[:100]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or re.match(rb'<\?xml[^>]*encoding="(?!utf-8|UTF-8)', head):
        raise UnsupportedLayout(f"The part {part} is not UTF-8 encoded; prodbook cannot edit it safely.")
    return data.decode("utf-8")


def flag(attrs: str, name: str) -> bool:
    """An on/off attribute of the file format ("1" or "true"); absent means off."""
    return (_attr(attrs, name) or "0").strip().lower() in ("1", "true")


def _ns_prefix(text: str, uri: str) -> str | None:
    """The prefix bound to `uri` on the root element ('' for the default namespace)."""
    m = re.search(r'xmlns(?::([\w.-]+))?\s*=\s*"' + re.escape(uri) + '"', text)
    if not m:
        return None
    return m.group(1) or ""


def _pfx(prefix: str | None) -> str:
    return f"{prefix}:" if prefix else ""


# --------------------------------------------------------------------------- dates & values
