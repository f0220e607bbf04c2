"""styles.xml: which cell styles are dates; adding number formats, cell styles and conditional-format looks.

Every addition is appended (existing indexes never move) and reused when an
identical one exists, so the user's cells and formats keep their meaning.
"""

from __future__ import annotations

import re

from prodbook.core.cells import is_digit_format
from prodbook.core.looks import DEFAULT_DATE_FORMAT, HEADER_FILL, HEADER_FONT, Tone
from prodbook.workbook.xlsx.model import UnsupportedLayout
from prodbook.workbook.xlsx.package import RT_STYLES, _Package
from prodbook.workbook.xlsx.xmltext import _attr, _esc_attr, _set_attr, _unesc, whole

_BUILTIN_DATE_FMTS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
_BUILTIN_DATE_CODES = {14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
                       19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm", 45: "mm:ss",
                       46: "[h]:mm:ss", 47: "mmss.0"}
"""Excel's built-in date and time formats (ECMA-376 18.8.30), as wide as Excel shows them in English."""
_FMT_STRIP_RE = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_FMT_DATE_RE = re.compile(r"(?<![_\\])[dmhysDMHYS]")


def is_date_format(code: str) -> bool:
    """openpyxl's ``is_date_format`` rule (openpyxl/styles/numbers.py, MIT): a d/m/h/y/s outside quotes,
    brackets and escapes in the first section. Kept here because importing openpyxl for it cost every
    run ~0.1 s; tests hold the two equal."""
    return _FMT_DATE_RE.search(_FMT_STRIP_RE.sub("", code.split(";")[0])) is not None


_BUILTIN_PERCENT_FMTS = frozenset({9, 10})
_FMT_LITERAL_RE = re.compile(r'".*?"|\\.|\[[^\]]*\]')


def is_percent_format(code: str) -> bool:
    """A number format that shows its number times 100 ('0%', '0.0%'): a '%' outside quotes, escapes and
    brackets in the first section (a count of pieces is positive). A vendor's stage column in percent holds
    a share of the order (1 shows 100%), never pieces."""
    return "%" in _FMT_LITERAL_RE.sub("", code.split(";")[0])


_XF_RE = re.compile(r"<(?:\w+:)?xf\b[^>]*?(?:/>|>.*?</(?:\w+:)?xf>)", re.S)
_PROTECTION_RE = re.compile(r"<(?:\w+:)?protection\b([^>]*?)/?>")
_BUILTIN_CODES = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "@": 49}


def _start_tag(xf: str) -> str:
    """The opening tag of an ``<xf>`` element (``_XF_RE`` found it, so there is one)."""
    m = re.match(r"<[^>]*?/?>", xf)
    assert m is not None, xf
    return m.group(0)


def _child_re(name: str) -> re.Pattern[str]:
    return re.compile(rf"<(?:\w+:)?{name}\b[^>]*?(?:/>|>.*?</(?:\w+:)?{name}>)", re.S)


class _Styles:
    def __init__(self, pkg: _Package, wb_part: str, date_format: str = DEFAULT_DATE_FORMAT):
        self.pkg = pkg
        self.date_format = date_format
        """The number format a date gets when its cell has none (Config 'Date Format')."""
        self.part = ""  # the styles part; "" when the workbook has none
        for r in pkg.rels(wb_part):
            if r["type"] == RT_STYLES or r["type"].endswith("/styles"):
                self.part = r["part"]
        self._loaded = False
        self._date_cache: dict[tuple[int, str], int] = {}
        self._bold: int | None = None
        self._made: dict[tuple, int] = {}

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        self.custom_date: dict[int, bool] = {}
        self.custom_percent: set[int] = set()
        self.custom_digits: dict[int, str] = {}
        self.custom_codes: dict[int, str] = {}
        self.xfs: list[str] = []
        if not self.part or not self.pkg.exists(self.part):
            return
        text = self.pkg.text(self.part)
        for m in re.finditer(r"<(?:\w+:)?numFmt\b([^>]*?)/?>", text):
            fid = _attr(m.group(1), "numFmtId")
            code = _attr(m.group(1), "formatCode")
            if fid is not None and code is not None:
                self.custom_date[whole(fid, "a number format's id")] = is_date_format(_unesc(code))
                self.custom_codes[whole(fid, "a number format's id")] = _unesc(code)
                if is_percent_format(_unesc(code)):
                    self.custom_percent.add(whole(fid, "a number format's id"))
                if is_digit_format(_unesc(code)):
                    self.custom_digits[whole(fid, "a number format's id")] = _unesc(code)
        xfs = re.search(r"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", text, re.S)
        if xfs:
            self.xfs = _XF_RE.findall(xfs.group(1))

    def is_date(self, s: int) -> bool:
        self._load()
        if s < 0 or s >= len(self.xfs):
            return False
        fid = self._format_id(s)
        if fid in _BUILTIN_DATE_FMTS:
            return True
        return self.custom_date.get(fid, False)

    def date_code(self, s: int) -> str | None:
        """The date format cell style ``s`` shows a date with; None for a style that is no date's."""
        if not self.is_date(s):
            return None
        fid = self._format_id(s)
        return _BUILTIN_DATE_CODES.get(fid) or self.custom_codes.get(fid)

    def percent_styles(self) -> frozenset[int]:
        """The cell styles (cellXfs indexes) that show a number as a percentage: 1 shows 100%."""
        self._load()
        return frozenset(s for s in range(len(self.xfs))
                         if (fid := self._format_id(s)) in _BUILTIN_PERCENT_FMTS or fid in self.custom_percent)

    def digit_styles(self) -> dict[int, str]:
        """The cell styles (cellXfs indexes) that show a whole number's digits padded or punctuated
        (``cells.is_digit_format``), with their format codes: none of Excel's built-in formats does."""
        self._load()
        return {s: self.custom_digits[fid] for s in range(len(self.xfs))
                if (fid := self._format_id(s)) in self.custom_digits}

    def _format_id(self, s: int) -> int:
        """The numFmtId of cell style ``s`` (loaded, in range); 0 (General) when it names none."""
        fid_text = _attr(self.xfs[s], "numFmtId")
        return whole(fid_text, "a style's number format") if fid_text else 0

    def wraps(self, s: int) -> bool:
        """Does the cell style ``s`` wrap its text?"""
        self._load()
        return 0 <= s < len(self.xfs) and re.search(r'wrapText\s*=\s*"(?:1|true)"', self.xfs[s]) is not None

    def unlocked(self, s: int) -> bool:
        """Does the cell style ``s`` leave its cells open on a protected sheet (Format Cells > Protection,
        Locked cleared)? Every style is locked unless it says otherwise."""
        self._load()
        if not 0 <= s < len(self.xfs):
            return False
        m = _PROTECTION_RE.search(self.xfs[s])
        return m is not None and (_attr(m.group(1), "locked") or "1").strip().lower() in ("0", "false")

    def _append_xf(self, xf: str) -> int:
        text = self.pkg.text(self.part)
        m = re.search(r"(<(?:\w+:)?cellXfs\b[^>]*>)(.*?)(</(?:\w+:)?cellXfs>)", text, re.S)
        if not m:
            raise UnsupportedLayout("styles.xml has no cellXfs; prodbook cannot add a date style")
        idx = len(self.xfs)
        open_tag = _set_attr(m.group(1), "count", str(idx + 1))
        text = text[: m.start()] + open_tag + m.group(2) + xf + m.group(3) + text[m.end():]
        self.pkg.set_text(self.part, text)
        self.xfs.append(xf)
        return idx

    def date_style(self, base: int, is_datetime: bool) -> int:
        """A cellXfs index like `base` but with a date (or date-time) number format."""
        self._load()
        if not self.xfs:
            raise UnsupportedLayout("the workbook has no styles part; prodbook cannot add a date style")
        if base < 0 or base >= len(self.xfs):
            base = 0
        if self.is_date(base):
            return base
        fmt = str(self.num_fmt(f"{self.date_format} hh:mm" if is_datetime else self.date_format))
        key = (base, fmt)
        if key in self._date_cache:
            return self._date_cache[key]
        src = self.xfs[base]
        start = _start_tag(src)
        new_start = _set_attr(_set_attr(start, "numFmtId", fmt), "applyNumberFormat", "1")
        want = new_start.replace("/>", ">") if not start.endswith("/>") else new_start
        xf = src.replace(start, want, 1)
        # an identical xf may already exist
        for i, existing in enumerate(self.xfs):
            if existing == xf:
                self._date_cache[key] = i
                return i
        i = self._append_xf(xf)
        self._date_cache[key] = i
        return i

    def bold_style(self) -> int:
        self._load()
        if self._bold is not None:
            return self._bold
        if not self.xfs:
            return 0
        text = self.pkg.text(self.part)
        m = re.search(r"(<(?:\w+:)?fonts\b[^>]*>)(.*?)(</(?:\w+:)?fonts>)", text, re.S)
        if not m:
            return 0
        fonts = re.findall(r"<(?:\w+:)?font\b[^>]*?(?:/>|>.*?</(?:\w+:)?font>)", m.group(2), re.S)
        if not fonts:
            return 0
        f0 = fonts[0]
        pm = re.match(r"<(\w+:)?font\b", f0)
        p = (pm.group(1) if pm else None) or ""  # pm always matches: fonts were found by the same pattern
        if f0.endswith("/>"):
            bold = f0[:-2] + f"><{p}b/></{p}font>"
        else:
            i = f0.index(">") + 1
            bold = f0[:i] + f"<{p}b/>" + f0[i:]
        font_id = len(fonts)
        open_tag = _set_attr(m.group(1), "count", str(font_id + 1))
        text = text[: m.start()] + open_tag + m.group(2) + bold + m.group(3) + text[m.end():]
        self.pkg.set_text(self.part, text)
        start = _start_tag(self.xfs[0])
        x = _set_attr(_set_attr(start, "fontId", str(font_id)), "applyFont", "1")
        if not x.endswith("/>"):
            x = x[:-1] + "/>"
        self._bold = self._append_xf(x)
        return self._bold

    # --- additions for the look of a sheet prodbook creates ---------------------------------------
    def _prefix(self) -> str:
        m = re.search(r"<(\w+:)?styleSheet\b", self.pkg.text(self.part))
        return (m.group(1) or "") if m else ""

    def _append_child(self, section: str, child: str, where: tuple[str, ...] = ()) -> int | None:
        """Append ``child`` to the ``section`` element (made after the first of ``where`` when missing);
        its index among the section's children, or None when the section is missing and cannot be made."""
        text = self.pkg.text(self.part)
        p = self._prefix()
        m = re.search(rf"(<(?:\w+:)?{section}\b[^>]*?)(/>|>(.*?)</(?:\w+:)?{section}>)", text, re.S)
        if m:
            inner = m.group(3) or ""
            idx = len(_child_re(section[:-1]).findall(inner))
            open_tag = _set_attr(m.group(1) + ">", "count", str(idx + 1))
            new = f"{open_tag}{inner}{child}</{p}{section}>"
            self.pkg.set_text(self.part, text[: m.start()] + new + text[m.end():])
            return idx
        for anchor in where:
            am = (re.search(r"<(?:\w+:)?styleSheet\b[^>]*>", text) if anchor == "start"
                  else re.search(rf"</(?:\w+:)?{anchor}>|<(?:\w+:)?{anchor}\b[^>]*/>", text))
            if am:
                new = f'<{p}{section} count="1">{child}</{p}{section}>'
                self.pkg.set_text(self.part, text[: am.end()] + new + text[am.end():])
                return 0
        return None

    def num_fmt(self, code: str) -> int:
        """The numFmtId of a number format code, added to styles.xml when new."""
        self._load()
        if code in _BUILTIN_CODES:
            return _BUILTIN_CODES[code]
        key = ("numFmt", code)
        if key in self._made:
            return self._made[key]
        text = self.pkg.text(self.part)
        ids = []
        for m in re.finditer(r"<(?:\w+:)?numFmt\b([^>]*?)/?>", text):
            known, fc = _attr(m.group(1), "numFmtId"), _attr(m.group(1), "formatCode")
            if known and known.isdigit():
                ids.append(int(known))
                if fc is not None and _unesc(fc) == code:
                    self._made[key] = int(known)
                    return int(known)
        fid = max([163, *ids]) + 1
        if self._append_child("numFmts", f'<{self._prefix()}numFmt numFmtId="{fid}" formatCode="{_esc_attr(code)}"/>',
                              ("start",)) is None:
            raise UnsupportedLayout("styles.xml cannot take a number format")
        self.custom_date[fid] = is_date_format(code)
        self._made[key] = fid
        return fid

    def _font(self, bold: bool, color: str | None) -> int:
        """A copy of the workbook's default font, bold and/or coloured."""
        key = ("font", bold, color)
        if key in self._made:
            return self._made[key]
        text = self.pkg.text(self.part)
        m = re.search(r"<(?:\w+:)?fonts\b[^>]*>(.*?)</(?:\w+:)?fonts>", text, re.S)
        fonts = _child_re("font").findall(m.group(1)) if m else []
        if not fonts:
            return 0
        p = self._prefix()
        f0 = fonts[0] if not fonts[0].endswith("/>") else fonts[0][:-2] + f"></{p}font>"
        body = re.sub(r"<(?:\w+:)?(?:b|color)\b[^>]*/>", "", f0[f0.index(">") + 1: f0.rindex("<")])
        if color:
            sz = re.search(r"<(?:\w+:)?sz\b[^>]*/>", body)
            at = sz.end() if sz else 0
            body = body[:at] + f'<{p}color rgb="FF{color}"/>' + body[at:]
        font = f"<{p}font>{f'<{p}b/>' if bold else ''}{body}</{p}font>"
        idx = self._append_child("fonts", font) or 0
        self._made[key] = idx
        return idx

    def _fill(self, color: str) -> int:
        key = ("fill", color)
        if key in self._made:
            return self._made[key]
        p = self._prefix()
        fill = (f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="FF{color}"/>'
                f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')
        idx = self._append_child("fills", fill) or 0
        self._made[key] = idx
        return idx

    def cell_style(self, number_format: str | None = None, *, wrap: bool = False, header: bool = False,
                   horizontal: str | None = None, indent: int = 0) -> int:
        """A cell style (cellXfs index) for a column or header cell of a sheet prodbook creates:
        the number format, text aligned to the top (wrapped in long text columns), aligned across as
        ``horizontal`` says ('center', 'right'; None: the program's own) ``indent`` characters off the
        edge, or the header look (which has no column's alignment across)."""
        self._load()
        if header:
            horizontal, indent = None, 0
        key = ("xf", number_format, wrap, header, horizontal, indent)
        if key in self._made:
            return self._made[key]
        if not self.xfs:
            return 0
        start = _start_tag(self.xfs[0])
        border = _attr(start, "borderId") or "0"
        font = self._font(True, HEADER_FONT) if header else whole(_attr(start, "fontId") or "0", "a style's font")
        fill = self._fill(HEADER_FILL) if header else whole(_attr(start, "fillId") or "0", "a style's fill")
        fid = self.num_fmt(number_format) if number_format else 0
        p = self._prefix()
        wrap_attr = ' wrapText="1"' if wrap or header else ""
        across = f' horizontal="{_esc_attr(horizontal)}"' if horizontal else ""
        indent_attr = f' indent="{int(indent)}"' if indent > 0 else ""
        align = f'<{p}alignment{across} vertical="{"center" if header else "top"}"{wrap_attr}{indent_attr}/>'
        applied = (' applyNumberFormat="1"' if fid else "") + (' applyFont="1" applyFill="1"' if header else "")
        xf = (f'<{p}xf numFmtId="{fid}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
              f'{applied} applyAlignment="1">{align}</{p}xf>')
        idx = self.xfs.index(xf) if xf in self.xfs else self._append_xf(xf)
        self._made[key] = idx
        return idx

    def dxf(self, tone: Tone) -> int:
        """A differential format (the look a conditional format applies) for ``tone``."""
        key = ("dxf", tone)
        if key in self._made:
            return self._made[key]
        p = self._prefix()
        font = f'<{p}font>{f"<{p}b/>" if tone.bold else ""}<{p}color rgb="FF{tone.font}"/></{p}font>'
        fill = (f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="FF{tone.fill}"/>'
                f'<{p}bgColor rgb="FF{tone.fill}"/></{p}patternFill></{p}fill>') if tone.fill else ""
        idx = self._append_child("dxfs", f"<{p}dxf>{font}{fill}</{p}dxf>", ("cellStyles", "cellXfs"))
        if idx is None:
            raise UnsupportedLayout("styles.xml cannot take a conditional format")
        self._made[key] = idx
        return idx
