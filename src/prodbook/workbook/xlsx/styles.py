"""styles.xml: which cell styles are dates, and adding a date or bold style."""

from __future__ import annotations

import re

from prodbook.workbook.xlsx.model import UnsupportedLayout
from prodbook.workbook.xlsx.package import RT_STYLES, _Package
from prodbook.workbook.xlsx.xmltext import _attr, _set_attr, _unesc

_BUILTIN_DATE_FMTS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})


_XF_RE = re.compile(r"<(?:\w+:)?xf\b[^>]*?(?:/>|>.*?</(?:\w+:)?xf>)", re.S)


class _Styles:
    def __init__(self, pkg: _Package, wb_part: str):
        self.pkg = pkg
        self.part = None
        for r in pkg.rels(wb_part):
            if r["type"] == RT_STYLES or r["type"].endswith("/styles"):
                self.part = r["part"]
        self._loaded = False
        self._date_cache: dict[tuple[int, str], int] = {}
        self._bold: int | None = None

    def _load(self):
        if self._loaded:
            return
        self._loaded = True
        self.custom_date: dict[int, bool] = {}
        self.xfs: list[str] = []
        if not self.part or not self.pkg.exists(self.part):
            return
        text = self.pkg.text(self.part)
        from openpyxl.styles.numbers import is_date_format

        for m in re.finditer(r"<(?:\w+:)?numFmt\b([^>]*?)/?>", text):
            fid = _attr(m.group(1), "numFmtId")
            code = _attr(m.group(1), "formatCode")
            if fid is not None and code is not None:
                self.custom_date[int(fid)] = is_date_format(_unesc(code))
        m = re.search(r"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", text, re.S)
        if m:
            self.xfs = _XF_RE.findall(m.group(1))

    def is_date(self, s: int) -> bool:
        self._load()
        if s < 0 or s >= len(self.xfs):
            return False
        fid = _attr(self.xfs[s], "numFmtId")
        fid = int(fid) if fid else 0
        if fid in _BUILTIN_DATE_FMTS:
            return True
        return self.custom_date.get(fid, False)

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
        fmt = "22" if is_datetime else "14"
        key = (base, fmt)
        if key in self._date_cache:
            return self._date_cache[key]
        src = self.xfs[base]
        start = re.match(r"<[^>]*?/?>", src).group(0)
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
        p = pm.group(1) or ""
        if f0.endswith("/>"):
            bold = f0[:-2] + f"><{p}b/></{p}font>"
        else:
            i = f0.index(">") + 1
            bold = f0[:i] + f"<{p}b/>" + f0[i:]
        font_id = len(fonts)
        open_tag = _set_attr(m.group(1), "count", str(font_id + 1))
        text = text[: m.start()] + open_tag + m.group(2) + bold + m.group(3) + text[m.end():]
        self.pkg.set_text(self.part, text)
        start = re.match(r"<[^>]*?/?>", self.xfs[0]).group(0)
        x = _set_attr(_set_attr(start, "fontId", str(font_id)), "applyFont", "1")
        if not x.endswith("/>"):
            x = x[:-1] + "/>"
        self._bold = self._append_xf(x)
        return self._bold
