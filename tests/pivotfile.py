"""A pivot table added to a tracker as Excel writes one: a cache over a sheet's range or a Table's name, and
a pivot of it (Count of one field) on a sheet of its own.

openpyxl keeps a pivot it reads but cannot make one, and Excel is not on a Linux test machine: the parts are
written here, in the shape Excel gives them (a cache that saves no records: Excel and LibreOffice build the
pivot from its source).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT = R + "/"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml."
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CACHE = "xl/pivotCache/pivotCacheDefinition1.xml"
PIVOT = "xl/pivotTables/pivotTable1.xml"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _rels(rtype: str, target: str) -> str:
    return (f'{HEAD}<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{RT}{rtype}" Target="{target}"/>'
            "</Relationships>")


def cache_xml(source: tuple[str, str], headers: list[str], sheet: str) -> str:
    kind, value = source
    src = (f'<worksheetSource ref="{value}" sheet="{_esc(sheet)}"/>' if kind == "ref"
           else f'<worksheetSource name="{_esc(value)}"/>')
    fields = "".join(f'<cacheField name="{_esc(h)}" numFmtId="0"><sharedItems/></cacheField>' for h in headers)
    return (f'{HEAD}<pivotCacheDefinition xmlns="{MAIN}" xmlns:r="{R}" saveData="0" refreshedVersion="6" '
            f'createdVersion="6" minRefreshableVersion="3" recordCount="0"><cacheSource type="worksheet">{src}'
            f'</cacheSource><cacheFields count="{len(headers)}">{fields}</cacheFields></pivotCacheDefinition>')


def pivot_xml(headers: list[str], field: str) -> str:
    k = headers.index(field)
    fields = "".join('<pivotField dataField="1" showAll="0"/>' if i == k else '<pivotField showAll="0"/>'
                     for i in range(len(headers)))
    return (f'{HEAD}<pivotTableDefinition xmlns="{MAIN}" name="PivotTable1" cacheId="7" dataCaption="Values" '
            'applyNumberFormats="0" applyBorderFormats="0" applyFontFormats="0" applyPatternFormats="0" '
            'applyAlignmentFormats="0" applyWidthHeightFormats="1" updatedVersion="6" minRefreshableVersion="3" '
            'createdVersion="6" useAutoFormatting="1" itemPrintTitles="1" indent="0" outline="1" outlineData="1">'
            '<location ref="A3" firstHeaderRow="1" firstDataRow="1" firstDataCol="0"/>'
            f'<pivotFields count="{len(headers)}">{fields}</pivotFields><rowItems count="1"><i/></rowItems>'
            '<colItems count="1"><i/></colItems><dataFields count="1">'
            f'<dataField name="Count of {_esc(field)}" fld="{k}" subtotal="count" baseField="0" baseItem="0"/>'
            '</dataFields></pivotTableDefinition>')


def _workbook(text: str) -> str:
    """The pivot cache listed in workbook.xml, after calcPr (the schema's order)."""
    caches = '<pivotCaches><pivotCache cacheId="7" r:id="rIdPC1"/></pivotCaches>'
    if "<calcPr" in text:
        text = re.sub(r"(<calcPr\b[^>]*/>)", lambda m: m.group(1) + caches, text, count=1)
    elif "</definedNames>" in text:
        text = text.replace("</definedNames>", "</definedNames>" + caches, 1)
    else:
        text = text.replace("</sheets>", "</sheets>" + caches, 1)
    start = text.index("<workbook")
    if "xmlns:r=" not in text[start:text.index(">", start)]:
        text = text.replace("<workbook ", f'<workbook xmlns:r="{R}" ', 1)
    return text


def add_pivot(path: Path, source: tuple[str, str], headers: list[str], field: str, summary_part: str,
              sheet: str = "T&A") -> None:
    """A pivot counting ``field`` at A3 of the sheet whose part is ``summary_part`` (a sheet with no
    relationships yet); ``source``: ('ref', 'A1:M11') on ``sheet``, or ('name', 'tblTA')."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    f'<Override PartName="/{CACHE}" ContentType="{CT}pivotCacheDefinition+xml"/>'
                    f'<Override PartName="/{PIVOT}" ContentType="{CT}pivotTable+xml"/></Types>').encode())
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", (
                    f'<Relationship Id="rIdPC1" Type="{RT}pivotCacheDefinition" Target="/{CACHE}"/>'
                    "</Relationships>").encode())
            elif item.filename == "xl/workbook.xml":
                data = _workbook(data.decode()).encode()
            zout.writestr(item, data)
        rels = summary_part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        assert rels not in zin.namelist()
        zout.writestr(rels, _rels("pivotTable", "/" + PIVOT))
        zout.writestr("xl/pivotTables/_rels/pivotTable1.xml.rels", _rels("pivotCacheDefinition", "/" + CACHE))
        zout.writestr(CACHE, cache_xml(source, headers, sheet))
        zout.writestr(PIVOT, pivot_xml(headers, field))
    shutil.move(tmp, path)
