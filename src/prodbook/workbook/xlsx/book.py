"""workbook.xml: the sheet list and date system, full calculation, calcChain, defined names."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from prodbook.workbook.xlsx.model import UnsafeContent, UnsupportedLayout, WorkbookInfo
from prodbook.workbook.xlsx.package import (
    NS_MAIN,
    NS_R,
    RT_CALCCHAIN,
    RT_OFFICE_DOC,
    _Package,
    doctype_parts,
    last_row_end,
)
from prodbook.workbook.xlsx.refs import _adjust_range, outside_quotes
from prodbook.workbook.xlsx.xmltext import _esc, _ns_prefix, _pfx, _set_attr, _unesc, plain_utf8


def _workbook_part(pkg: _Package) -> str:
    for r in pkg.rels(""):
        if r["type"] == RT_OFFICE_DOC or r["type"].endswith("/officeDocument"):
            return r["part"]
    return "xl/workbook.xml"


@dataclass
class _Book:
    part: str
    sheets: list[tuple[str, str | None, str | None]]  # (name, rId, part); None where the file lacks it
    date1904: bool
    structure_locked: bool = False
    modify_password: bool = False
    names: dict[str, str] = field(default_factory=dict)
    """Workbook-level defined names and their text (a sheet's own names left out)."""


def _read_book(pkg: _Package) -> _Book:
    wb_part = _workbook_part(pkg)
    root = pkg.parsed(wb_part)
    rels = {r["id"]: r for r in pkg.rels(wb_part)}
    sheets = []
    names: dict[str, str] = {}
    date1904 = structure = modify = False
    for el in root:
        local = el.tag.rsplit("}", 1)[-1]
        if local == "workbookPr":
            date1904 = el.get("date1904", "0").lower() in ("1", "true")
        elif local == "workbookProtection":  # Review > Protect Workbook, Structure ticked
            structure = el.get("lockStructure", "0").strip().lower() in ("1", "true")
        elif local == "fileSharing":  # Save As > Tools > General Options: a password to modify
            modify = bool(el.get("reservationPassword") or el.get("hashValue"))
        elif local == "definedNames":
            names.update((dn.get("name", ""), dn.text or "") for dn in el if dn.get("localSheetId") is None)
        elif local == "sheets":
            for sh in el:
                rid = sh.get(f"{{{NS_R}}}id")
                if rid is None:  # strict OOXML or odd prefix
                    rid = next((v for k, v in sh.attrib.items() if k.endswith("}id")), None)
                rel = rels.get(rid)
                sheets.append((sh.get("name", ""), rid, rel["part"] if rel else None))  # name: required by OOXML
    return _Book(wb_part, sheets, date1904, structure, modify, names)


def refuse_doctypes(pkg: _Package) -> None:
    """Raise ``UnsafeContent`` naming each part (and its sheet) that holds a DOCTYPE.

    Checked before any part is parsed, so that no XML parser, calamine's included,
    ever meets a DTD from the file.
    """
    parts = doctype_parts(pkg.zf)
    if not parts:
        return
    sheets: dict[str, str] = {}
    wb_part = _workbook_part(pkg)
    if wb_part not in parts and pkg.rels_name(wb_part) not in parts and pkg.exists(wb_part):
        sheets = {part: name for name, _, part in _read_book(pkg).sheets if part}
    raise UnsafeContent([(part, sheets.get(part)) for part in parts])


def workbook_info(path: str | os.PathLike[str]) -> WorkbookInfo:
    pkg = _Package(Path(path))
    try:
        refuse_doctypes(pkg)
        book = _read_book(pkg)
        present = {n.lower() for n in pkg.names}  # part names are not case-sensitive (OPC)
        for name, _, part in book.sheets:
            if part and part.lower() not in present:  # Excel offers to repair such a file; a run would stop on it
                raise UnsupportedLayout(f"its sheet '{name}' is missing from the file: the workbook lists it, "
                                        f"but its part {part} is not there, so the file is damaged")
        has_vba = any(n.lower().endswith("vbaproject.bin") for n in pkg.names)
        return WorkbookInfo(
            sheets=tuple(s[0] for s in book.sheets),
            date1904=book.date1904,
            has_vba=has_vba,
            sheet_parts={s[0]: s[2] for s in book.sheets if s[2]},
            structure_locked=book.structure_locked,
            workbook_part=book.part,
            modify_password=book.modify_password,
            marked_final=_marked_final(pkg),
            names=book.names,
        )
    finally:
        pkg.close()


_FINAL = re.compile(r'name="_MarkAsFinal"[^>]*>\s*<(?:\w+:)?bool>\s*(?:true|1)\s*<', re.I)


def _marked_final(pkg: _Package) -> bool:
    """File > Info > Protect Workbook > Mark as Final: a custom document property Excel reads to open the
    workbook read-only."""
    name = next((n for n in pkg.names if n.lower() == "docprops/custom.xml"), None)
    return name is not None and _FINAL.search(pkg.text(name)) is not None


def _set_full_calc(pkg: _Package, wb_part: str) -> None:
    text = pkg.text(wb_part)
    m = re.search(r"<(?:\w+:)?calcPr\b[^>]*?/?>", text)
    if m:
        tag = _set_attr(m.group(0), "fullCalcOnLoad", "1")
        text = text[: m.start()] + tag + text[m.end():]
    else:
        p = _pfx(_ns_prefix(text, NS_MAIN))
        pos = _after(text, p, ("definedNames", "externalReferences", "functionGroups", "sheets"))
        text = text[:pos] + f'<{p}calcPr fullCalcOnLoad="1"/>' + text[pos:]
    pkg.set_text(wb_part, text)


def _after(text: str, p: str, elements: tuple[str, ...]) -> int:
    """Where a new element goes in workbook.xml: after the first of ``elements`` (the ones the schema puts
    before it, nearest first) that the file has."""
    for el in elements:
        if (m := re.search(rf"</{re.escape(p)}{el}>|<{re.escape(p)}{el}\b[^>]*/>", text)) is not None:
            return m.end()
    raise UnsupportedLayout("workbook.xml has no <sheets> element")


def set_defined_names(pkg: _Package, wb_part: str, names: Mapping[str, str]) -> None:
    """Set each workbook-level defined name to its text (no '='), adding a hidden one where the workbook
    has none of that name (Excel matches names without regard to case). prodbook keeps its own marks so,
    out of the APM's sight (Formulas > Name Manager does not list a hidden name)."""
    text = pkg.text(wb_part)
    p = _pfx(_ns_prefix(text, NS_MAIN))
    added = []
    for name, value in names.items():
        own = re.compile(rf'(<{re.escape(p)}definedName\b(?![^>]*\blocalSheetId=)[^>]*\bname="{re.escape(name)}"'
                         rf'[^>]*?)(?:/>|>(.*?)</{re.escape(p)}definedName>)', re.S | re.I)
        if (m := own.search(text)) is not None:
            text = text[:m.start()] + f"{m.group(1)}>{_esc(value)}</{p}definedName>" + text[m.end():]
        else:
            added.append(f'<{p}definedName name="{_esc(name)}" hidden="1">{_esc(value)}</{p}definedName>')
    if added:
        if (m := re.search(rf"</{re.escape(p)}definedNames>", text)) is not None:
            text = text[:m.start()] + "".join(added) + text[m.start():]
        elif (m := re.search(rf"<{re.escape(p)}definedNames\s*/>", text)) is not None:
            text = text[:m.start()] + f"<{p}definedNames>{''.join(added)}</{p}definedNames>" + text[m.end():]
        else:
            pos = _after(text, p, ("externalReferences", "functionGroups", "sheets"))
            text = text[:pos] + f"<{p}definedNames>{''.join(added)}</{p}definedNames>" + text[pos:]
    pkg.set_text(wb_part, text)


def _drop_calc_chain(pkg: _Package, wb_part: str) -> None:
    for r in pkg.rels(wb_part):
        if r["type"] == RT_CALCCHAIN or r["type"].endswith("/calcChain"):
            if r["part"]:
                pkg.remove(r["part"])
                pkg.remove_override(r["part"])
            pkg.remove_rels_of_type(wb_part, r["type"])


_DN_RE = re.compile(r"(<(?:\w+:)?definedName\b[^>]*>)(.*?)(</(?:\w+:)?definedName>)", re.S)
_SHEET_REF_RE = re.compile(
    r"((?:'(?:[^']|'')+'|[^\s'!,()=+\-*/&<>^;{}\"]+)!)(\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)"
)


def _sheet_of(prefix: str) -> str:
    s = prefix[:-1]
    if s.startswith("'"):
        s = s[1:-1].replace("''", "'")
    return s


def adjust_sheet_refs(formula: str, sheet: str, args: tuple) -> str:
    """``formula``'s ranges on ``sheet`` (``'T&A'!$K$2:$K$90``) that ran to its old last data row, run to the
    new one (``args``: header row, old last rows, new last row; ``refs._adjust_range``)."""
    def fix_ref(rm: re.Match) -> str:
        if _sheet_of(rm.group(1)).lower() != sheet.lower():
            return rm.group(0)
        return rm.group(1) + _adjust_range(rm.group(2), *args)

    return outside_quotes(formula, lambda text: _SHEET_REF_RE.sub(fix_ref, text))


STREAM_ADJUST = 16 << 20
"""From this many bytes a part's formulas are adjusted a block of rows at a time (``adjust_refs_in``): a
million-row T&A with a helper column is 600 MB of XML, which held as text, bytes and the text changed would
not fit the memory prodbook may use."""


def adjust_refs_in(pkg: _Package, part: str, element: re.Pattern[str], sheet: str, args: tuple) -> bool:
    """``adjust_sheet_refs`` on the text of each ``element`` of the part (its groups: start tag, text, end);
    whether one changed."""
    def fix(m: re.Match) -> str:
        formula = _unesc(m.group(2))
        new = adjust_sheet_refs(formula, sheet, args)
        return m.group(0) if new == formula else m.group(1) + _esc(new) + m.group(3)

    if pkg.size(part) >= STREAM_ADJUST and plain_utf8(next(iter(pkg.blocks(part)), b"")):
        return _adjust_streamed(pkg, part, lambda text: element.sub(fix, text))
    text = pkg.text(part)
    new_text = element.sub(fix, text)
    if new_text == text:
        return False
    pkg.set_text(part, new_text)
    return True


def _adjust_streamed(pkg: _Package, part: str, fix: Callable[[str], str]) -> bool:
    """``fix`` on the part a run of whole rows at a time (an element inside a row is never cut, nor a
    character), into a new streamed part set only when something changed."""
    out = pkg.streamed()
    changed = False
    buf = b""
    try:
        for block in pkg.blocks(part):
            buf += block
            if cut := last_row_end(buf):
                text = buf[:cut].decode("utf-8")
                buf = buf[cut:]
                piece = fix(text)
                changed = changed or piece != text
                out.write(piece)
        text = buf.decode("utf-8")
        piece = fix(text)
        changed = changed or piece != text
        out.write(piece)
    except BaseException:
        out.discard()
        raise
    if changed:
        pkg.set_streamed(part, out)
    else:
        out.discard()
    return changed


def _adjust_defined_names(pkg: _Package, wb_part: str, sheet: str, args: tuple) -> None:
    adjust_refs_in(pkg, wb_part, _DN_RE, sheet, args)


# --------------------------------------------------------------------------- styles
