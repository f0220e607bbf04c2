"""What an openpyxl load and save would lose from a workbook."""

from __future__ import annotations

import os
import re
from pathlib import Path

from prodbook.workbook.xlsx.book import _read_book
from prodbook.workbook.xlsx.package import _Package

_EXT_NAMES = {
    "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}": "sparklines",
    "{78C0D931-6437-407d-A8EE-F0AAD7539E65}": "Excel 2010 conditional formats (data bars / icon sets)",
    "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}": "data validation lists that point to another sheet",
    "{A8765BA9-456A-4dab-B4F3-ACF838C121DE}": "slicers",
    "{3A4CF648-6AED-40f4-86FF-DC5316D8AED3}": "slicers",
    "{7E03D99C-DC04-49d9-9315-930204A7B6E9}": "timelines",
}


def parts_openpyxl_would_drop(path: str | os.PathLike[str]) -> list[str]:
    """Plain-English list of what an openpyxl load + save would lose from this workbook."""
    pkg = _Package(Path(path))
    found: list[str] = []

    def add(s: str) -> None:
        if s not in found:
            found.append(s)

    try:
        book = _read_book(pkg)
        for name, _rid, part in book.sheets:
            if not part or not pkg.exists(part):
                continue
            text = pkg.text(part)
            ext = re.search(r"<(?:\w+:)?extLst>.*</(?:\w+:)?extLst>", text, re.S)
            if ext:
                for uri in re.findall(r'<(?:\w+:)?ext\b[^>]*\suri="([^"]+)"', ext.group(0)):
                    what = _EXT_NAMES.get(uri.upper()) or _EXT_NAMES.get(uri) or next(
                        (v for k, v in _EXT_NAMES.items() if k.lower() == uri.lower()), None)
                    add(f"{what or 'Excel 2010+ extensions'} on sheet '{name}'")
            if re.search(r"<(?:\w+:)?(?:controls|oleObjects)\b", text):
                add(f"form or ActiveX controls on sheet '{name}'")
            for r in pkg.rels(part):
                t = r["type"] or ""
                tp = r["part"]
                if t.endswith("/drawing") and tp and pkg.exists(tp):
                    d = pkg.text(tp)
                    if re.search(r"<(?:\w+:)?(?:sp|grpSp|cxnSp)\b", d):
                        add(f"a shape on sheet '{name}'")
                    if re.search(r"<(?:\w+:)?graphicFrame\b", d) or any(
                        (x["type"] or "").endswith("/chart") for x in pkg.rels(tp)
                    ):
                        add(f"a chart on sheet '{name}'")
                    if re.search(r"<(?:\w+:)?pic\b", d):
                        add(f"a picture on sheet '{name}'")
                    if "mc:AlternateContent" in d or "AlternateContent" in d:
                        add(f"a drawing object on sheet '{name}'")
                elif t.endswith("/pivotTable"):
                    add("a pivot table")
                elif t.endswith("/threadedComment"):
                    add(f"threaded comments on sheet '{name}'")
                elif t.endswith("/vmlDrawing") and tp and pkg.exists(tp):
                    v = pkg.zf.read(tp).decode("utf-8", "replace") if tp in pkg.names else ""
                    if re.search(r'ObjectType\s*=\s*"(?!Note")', v):
                        add(f"form controls on sheet '{name}'")
        for n in pkg.names:
            low = n.lower()
            if low.startswith("xl/pivottables/") or low.startswith("xl/pivotcache/"):
                add("a pivot table")
            elif low.startswith("xl/slicers/") or low.startswith("xl/slicercaches/"):
                add("slicers")
            elif low.startswith("xl/timelines/") or low.startswith("xl/timelinecaches/"):
                add("timelines")
            elif low == "xl/metadata.xml":
                add("dynamic-array formulas")
            elif low.startswith("xl/richdata/"):
                add("pictures in cells or linked data types")
            elif low.startswith("xl/model/"):
                add("a data model (Power Pivot)")
            elif low.startswith("xl/querytables/") or low == "xl/connections.xml":
                add("data connections / queries")
            elif low.startswith("xl/chartsheets/"):
                add("a chart sheet")
            elif low.startswith("xl/activex/") or low.startswith("xl/ctrlprops/"):
                add("form or ActiveX controls")
            elif low.startswith("customxml/"):
                add("custom XML data")
            elif low.startswith("xl/namedsheetviews/"):
                add("sheet views")
        if pkg.exists(book.part):
            wb = pkg.text(book.part)
            if re.search(r"<(?:\w+:)?extLst>", wb) and re.search(
                    r'uri="\{(?:BBE1A952|46BE6895|D0CA8CA8|876F7934)', wb, re.I):
                add("slicers or a data model")
        return found
    finally:
        pkg.close()
