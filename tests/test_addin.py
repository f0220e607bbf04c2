"""The add-in file: built from source on Linux, then opened as a zip and checked part by part.

The VBA is read back with olevba (oletools), the compound file with olefile:
tools written independently of prodbook's writer.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
from click.testing import CliRunner
from defusedxml import ElementTree as ET
from hypothesis import given, settings
from hypothesis import strategies as st

from prodbook.cli import main
from prodbook.excel import addin, ribbon, udfs, vbacheck, vbaproject
from prodbook.jobs import runner

with warnings.catch_warnings():  # oletools' pyparsing grammar warns on import; not ours to fix
    warnings.simplefilter("ignore")
    from oletools.olevba import VBA_Parser, decompress_stream

NS = "{" + ribbon.CUSTOMUI_NS + "}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SUB = re.compile(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(\s*control\s+As\s+IRibbonControl\s*\)", re.M | re.I)
FUNC = re.compile(r"^\s*(?:Public\s+)?Function\s+(\w+)\s*\(([^)]*)\)", re.M | re.I)
# customUI (2009/07) element nesting prodbook uses, and each element's allowed attributes
CHILDREN = {"customUI": {"ribbon"}, "ribbon": {"tabs"}, "tabs": {"tab"}, "tab": {"group"},
            "group": {"button"}, "button": set()}
ATTRS = {"customUI": set(), "ribbon": set(), "tabs": set(),
         "tab": {"id", "label", "insertAfterMso", "insertBeforeMso", "visible", "keytip"},
         "group": {"id", "label", "visible"},
         "button": {"id", "label", "size", "imageMso", "screentip", "supertip", "onAction", "enabled",
                    "keytip", "showLabel"}}
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
VBA_KEYWORDS = {w.lower() for w in (
    "And As Boolean ByRef Byte ByVal Call Case Const Currency Date Declare Dim Do Double Each Else ElseIf "
    "Empty End Enum Erase Error Event Exit False For Friend Function Get Global GoSub GoTo If Implements "
    "In Integer Is Let Like Long LongLong LongPtr Loop Me Mod New Next Not Nothing Null On Optional Or "
    "ParamArray Preserve Private Property Public RaiseEvent ReDim Rem Resume Return Select Set Single "
    "Static Step Stop String Sub Then To True Type TypeOf Until Variant Wend While With Xor").split()}


@pytest.fixture(scope="module")
def xlam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `prodbook addin build` writes: every check below is on that file."""
    out = tmp_path_factory.mktemp("addin") / "prodbook.xlam"
    result = CliRunner().invoke(main, ["addin", "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def parts(xlam: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(xlam) as z:
        assert z.testzip() is None
        return {n: z.read(n) for n in z.namelist()}


@pytest.fixture(scope="module")
def vba(xlam: Path) -> dict[str, str]:
    """Module name -> source, as olevba reads them out of the built file."""
    parser = VBA_Parser(str(xlam))
    assert parser.detect_vba_macros()
    return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}


def _rels(data: bytes) -> list[dict]:
    return [r.attrib for r in ET.fromstring(data).iter(PKG_REL + "Relationship")]


def test_package_relationships_point_at_parts_that_exist(parts: dict[str, bytes]) -> None:
    root = _rels(parts["_rels/.rels"])
    ui = [r for r in root if r["Type"].endswith("/ui/extensibility")]
    assert len(ui) == 1
    assert ui[0]["Type"] == ribbon.CUSTOMUI_REL  # the 2007 type goes with customUI14 (2009/07)
    assert ui[0]["Target"] == "customUI/customUI14.xml" and "customUI/customUI.xml" not in parts
    for r in root:
        assert r["Target"].lstrip("/") in parts, r
    for r in _rels(parts["xl/_rels/workbook.xml.rels"]):
        assert "xl/" + r["Target"] in parts, r
    vba_rel = [r for r in _rels(parts["xl/_rels/workbook.xml.rels"]) if r["Type"] == addin.RT_VBA]
    assert [r["Target"] for r in vba_rel] == ["vbaProject.bin"]
    types = ET.fromstring(parts["[Content_Types].xml"])
    overrides = {o.attrib["PartName"]: o.attrib["ContentType"] for o in types.iter(CT + "Override")}
    assert overrides["/xl/workbook.xml"] == addin.CT_ADDIN
    assert overrides["/xl/vbaProject.bin"] == addin.CT_VBA
    for name in parts:
        ext = name.rsplit(".", 1)[-1]
        assert "/" + name in overrides or ext in {"rels", "xml"}, name


def test_ribbon_xml_follows_the_customui_schema_structure(parts: dict[str, bytes]) -> None:
    root = ET.fromstring(parts["customUI/customUI14.xml"])
    assert root.tag == NS + "customUI"
    ids: list[str] = []

    def walk(el) -> None:
        assert el.tag.startswith(NS), f"{el.tag}: not in the 2009/07 namespace"
        name = el.tag[len(NS):]
        assert name in CHILDREN, name
        assert set(el.attrib) <= ATTRS[name], (name, set(el.attrib) - ATTRS[name])
        if "id" in el.attrib:
            assert NCNAME.match(el.attrib["id"]), el.attrib["id"]
            ids.append(el.attrib["id"])
        for key in ("label", "screentip", "supertip"):
            assert len(el.attrib.get(key, "")) <= 1024
        if name == "button":
            assert el.attrib.get("size") in ("normal", "large") and el.attrib["imageMso"]
            assert el.attrib["onAction"]
        if name in ("tab", "group"):
            assert el.attrib.get("id") and el.attrib.get("label")
        for child in el:
            assert child.tag[len(NS):] in CHILDREN[name], f"{child.tag} inside {name}"
            walk(child)

    walk(root)
    assert len(ids) == len(set(ids)), "ids must be unique"
    groups = root.findall(f".//{NS}group")
    assert groups and all(len(g) >= 1 for g in groups)


def test_every_callback_is_a_sub_in_the_built_vba(parts: dict[str, bytes], vba: dict[str, str]) -> None:
    root = ET.fromstring(parts["customUI/customUI14.xml"])
    callbacks = {b.attrib["onAction"] for b in root.iter(NS + "button")}
    subs = {m.group(1) for code in vba.values() for m in SUB.finditer(code)}
    assert callbacks == {ribbon.CALLBACK}
    assert callbacks <= subs
    [code] = [c for c in vba.values() if f"Sub {ribbon.CALLBACK}(" in c]
    assert "RunPython" in code and "control.Id" in code
    # the module RunPython imports exists and has run(): the old "import prodbook.ribbon" did not
    m = re.search(r'RunPython "import ([\w.]+) as r; r\.run\(', code)
    assert m, code
    assert callable(importlib.import_module(m.group(1)).run)


def test_a_button_with_no_workbook_in_front_says_so_before_calling_python(vba: dict[str, str]) -> None:
    """None open, or the one in front in Protected View: Excel's ActiveWorkbook is Nothing, and xlwings'
    RunPython would stop on it with a VBA error box. The callback asks first, and says what to do."""
    [code] = [c for c in vba.values() if f"Sub {ribbon.CALLBACK}(" in c]
    body = code[code.index(f"Sub {ribbon.CALLBACK}("):]
    body = body[:body.index("End Sub")]
    assert body.index("If ActiveWorkbook Is Nothing Then") < body.index("RunPython"), body
    said = re.search(r'ProdbookNoWorkbook = "(.*?)"\s*$', code.replace(' & _\r\n        "', ""), re.M | re.S)
    assert said and "Enable Editing" in said.group(1) and "Open your tracker" in said.group(1), code


def test_the_ribbon_and_the_registry_match(parts: dict[str, bytes]) -> None:
    root = ET.fromstring(parts["customUI/customUI14.xml"])
    buttons = [b.attrib["id"] for b in root.iter(NS + "button")]
    assert buttons == [a.id for a in ribbon.available_actions()]
    by_id = {a.id: a for a in ribbon.ACTIONS}
    for b in root.iter(NS + "button"):
        assert b.attrib["label"] == by_id[b.attrib["id"]].label.replace("&", "&&")
    # the jobs prodbook ships today are all on the ribbon
    shipped = [a for a in ribbon.ACTIONS if a.jobs and all(j in runner.JOBS for j in a.jobs)]
    assert {a.id for a in shipped} <= set(buttons)


def test_an_action_whose_job_is_missing_is_left_off_the_ribbon() -> None:
    ghost = ribbon.Action("pbGhost", "Ghost", "Help", "grpDaily", "tip", jobs=("no-such-job",))
    assert not ghost.available
    xml = ribbon.ribbon_xml([a for a in (*ribbon.ACTIONS, ghost) if a.available])
    assert 'id="pbGhost"' not in xml and 'id="pbRefresh"' in xml
    report = ribbon.perform(ghost, object())
    assert not report.ok and "not available" in report.message


def test_registry_is_consistent() -> None:
    ids = [a.id for a in ribbon.ACTIONS]
    assert len(ids) == len(set(ids))
    groups = {g.id for g in ribbon.GROUPS}
    for a in ribbon.ACTIONS:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", a.id), a.id  # safe inside the VBA string
        assert a.group in groups and a.image and a.label and a.screentip
        assert (a.call is None) != (not a.jobs), f"{a.id}: jobs or a call, not both or neither"
    wanted = {"Refresh all", "Rebuild T&A", "Check records", "Apply fixes", "Undo last", "Settings / Help",
              "Import vendor WIP...", "Import from Outlook...", "Exceptions", "Follow-up drafts",
              "Production report", "Vendor scorecard"}
    assert wanted == {a.label for a in ribbon.ACTIONS}


def test_udf_declarations_are_the_functions_of_udfs(vba: dict[str, str]) -> None:
    declared = {m.group(1): m.group(2) for m in FUNC.finditer(vba["xlwings_udfs"])}
    assert list(declared) == [f.__name__ for f in udfs.UDFS]
    for fn in udfs.UDFS:
        args = [a.strip().removeprefix("Optional ").strip() for a in declared[fn.__name__].split(",")]
        assert args == [a for a, _ in addin.udf_arguments(fn)]
        assert not {a.lower() for a in args} & VBA_KEYWORDS, fn.__name__
        assert f'XLPy.CallUDF("prodbook.excel.udfs", "{fn.__name__}"' in vba["xlwings_udfs"]


def test_every_function_hands_excel_an_error_value_for_a_bare_error_code(vba: dict[str, str]) -> None:
    """Config 'Function Errors' = Excel: Python returns the bare code ('#VALUE!'), alone or inside the array a
    whole-column call returns, and every wrapper turns exactly the seven codes into CVErr values (the numbers
    of Excel's XlCVError, taken here from xlwings' own constants); Text mode's reasons ('#VALUE! offset must
    be a number') and every other value pass as they are."""
    from xlwings.constants import CVError

    code = vba["xlwings_udfs"]
    one = re.search(rf"Private Function {addin.ERROR_VALUE}\(.*?\r\nEnd Function", code, re.S)
    assert one, code
    pairs = {k: int(v) for k, v in re.findall(r'Case "([^"]+)"\r\n\s+\w+ = CVErr\((\d+)\)', one.group(0))}
    assert pairs == {"#NULL!": CVError.xlErrNull, "#DIV/0!": CVError.xlErrDiv0, "#VALUE!": CVError.xlErrValue,
                     "#REF!": CVError.xlErrRef, "#NAME?": CVError.xlErrName, "#NUM!": CVError.xlErrNum,
                     "#N/A": CVError.xlErrNA}
    assert "Case Else" not in one.group(0) and "VarType(value) <> vbString" in one.group(0)
    many = re.search(rf"Private Function {addin.ERROR_VALUES}\(.*?\r\nEnd Function", code, re.S).group(0)
    assert "IsArray(result)" in many and "UBound(result, 2)" in many  # a 2-D array (rows x columns)...
    assert f"result(r, c) = {addin.ERROR_VALUE}(result(r, c))" in many  # ...each of its cells
    assert f"result(r) = {addin.ERROR_VALUE}(result(r))" in many  # and a 1-D one
    for fn in udfs.UDFS:
        body = re.search(rf"Function {fn.__name__}\(.*?\r\n(.*?)End Function", code, re.S).group(1)
        calls = re.findall(r"^\s*(\w+) = (.*XLPy\.CallUDF\(.*)$", body, re.M)
        assert len(calls) == 2, body  # Windows' call with the calling cell, and the other
        for target, expr in ((t, e.rstrip()) for t, e in calls):
            assert target == fn.__name__ and expr.startswith(f"{addin.ERROR_VALUES}(XLPy.CallUDF(") \
                and expr.endswith("))"), expr


def test_xlwings_runtime_is_in_the_project_with_our_name(vba: dict[str, str]) -> None:
    assert 'PROJECT_NAME As String = "prodbook"' in vba["xlwings"]  # the conf sheet's name, a string
    assert re.search(r"Function RunPython\(", vba["xlwings"]) and "Function XLPy()" in vba["xlwings"]
    assert "Dictionary" in vba and "ThisWorkbook" in vba and "Sheet1" in vba


def test_the_conf_sheet_is_there(parts: dict[str, bytes]) -> None:
    wb = ET.fromstring(parts["xl/workbook.xml"])
    sheets = [s.attrib["name"] for s in wb.iter(MAIN + "sheet")]
    assert sheets == [addin.CONF_SHEET] == ["prodbook.conf"]
    assert wb.find(MAIN + "workbookPr").attrib["codeName"] == "ThisWorkbook"
    sheet = ET.fromstring(parts["xl/worksheets/sheet1.xml"])
    assert sheet.find(MAIN + "sheetPr").attrib["codeName"] == "Sheet1"
    rows = {}
    for row in sheet.iter(MAIN + "row"):
        texts = ["".join(t.text or "" for t in c.iter(MAIN + "t")) for c in row.iter(MAIN + "c")]
        rows[texts[0]] = texts[1] if len(texts) > 1 else ""
    assert rows["UDF Modules"] == "prodbook.excel.udfs"
    assert {"Interpreter_Win", "Interpreter_Mac", "PYTHONPATH"} <= set(rows)




def test_vba_project_streams(xlam: Path) -> None:
    with zipfile.ZipFile(xlam) as z:
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    streams = {"/".join(p) for p in ole.listdir()}
    assert {"PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir", "VBA/ProdbookRibbon"} <= streams
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x00\x00"
    project = ole.openstream("PROJECT").read().decode("cp1252")
    pid = re.search(r'^ID="([^"]+)"', project, re.M).group(1)
    fields = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', project, re.M))
    key = sum(pid.encode()) & 0xFF
    assert vbaproject.decrypt(bytes.fromhex(fields["CMG"])) == (key, b"\x00\x00\x00\x00")
    assert vbaproject.decrypt(bytes.fromhex(fields["DPB"])) == (key, b"\x00")
    assert vbaproject.decrypt(bytes.fromhex(fields["GC"])) == (key, b"\xff")
    assert "Module=ProdbookRibbon" in project and "Class=Dictionary" in project
    assert "Document=ThisWorkbook/&H00000000" in project


def test_decrypt_reads_what_excel_wrote() -> None:
    """Fields of the PROJECT stream of xlwings' own add-in, saved by Excel (any installed xlwings)."""
    bundled = addin.xlwings_vba_dir() / "quickstart_addin_ribbon.xlam"
    if not bundled.exists():
        pytest.skip("this xlwings does not ship quickstart_addin_ribbon.xlam")
    with zipfile.ZipFile(bundled) as z:
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    project = ole.openstream("PROJECT").read().decode("cp1252")
    pid = re.search(r'^ID="([^"]+)"', project, re.M).group(1)
    gc = re.search(r'^GC="([0-9A-F]+)"', project, re.M).group(1)
    key, data = vbaproject.decrypt(bytes.fromhex(gc))
    assert key == sum(pid.encode()) & 0xFF and data == b"\xff"  # visible project
    # and encryption is decryption's inverse for every seed
    for seed in range(256):
        assert vbaproject.decrypt(vbaproject.encrypt(pid, b"\x00\x01\x02", seed)) == (key, b"\x00\x01\x02")




def _check_rb(entries: list, sid: int, lo: tuple | None, hi: tuple | None) -> int:
    """Black height of the subtree; asserts search order and red-black rules."""
    if sid == 0xFFFFFFFF:
        return 1
    e = entries[sid]
    key = (len(e.name), e.name.upper())
    assert (lo is None or lo < key) and (hi is None or key < hi)
    for child in (e.sid_left, e.sid_right):
        if e.color == 0 and child != 0xFFFFFFFF:
            assert entries[child].color == 1, "a red node with a red child"
    left = _check_rb(entries, e.sid_left, lo, key)
    right = _check_rb(entries, e.sid_right, key, hi)
    assert left == right, "unequal black heights"
    return left + (e.color == 1)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 12, 20])
def test_compound_file_directory_is_a_red_black_tree(n: int) -> None:
    streams = {("S", f"m{i:02d}" * (1 + i % 3)): bytes([i]) * (10 + 700 * i) for i in range(n)}
    blob = vbaproject.compound_file(streams)
    ole = olefile.OleFileIO(blob)
    for path, data in streams.items():
        assert ole.openstream("/".join(path)).read() == data
    storage = next(e for e in ole.direntries if e is not None and e.name == "S")
    assert storage.color == 1 or storage.sid_left == storage.sid_right == 0xFFFFFFFF
    root = ole.direntries[storage.sid_child]
    assert root.color == 1, "the root of a sibling tree is black"
    _check_rb(ole.direntries, storage.sid_child, None, None)


def test_cli_build_and_install_message(tmp_path: Path) -> None:
    out = tmp_path / "x.xlam"
    result = CliRunner().invoke(main, ["addin", "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(out) and "Built" in result.output
    if not (sys.platform.startswith("win") or sys.platform == "darwin"):
        result = CliRunner().invoke(main, ["addin", "install"])
        assert result.exit_code != 0 and "Excel is not available" in result.output
        result = CliRunner().invoke(main, ["addin", "uninstall"])
        assert result.exit_code != 0 and "Excel is not available" in result.output


def test_build_is_deterministic_except_the_project_id(tmp_path: Path) -> None:
    a = vbaproject.vba_project("p", addin.vba_modules(addin.source_dir()), project_id="{X}")
    b = vbaproject.vba_project("p", addin.vba_modules(addin.source_dir()), project_id="{X}")
    # the encrypted fields take a random seed, as VBA's own do; everything else is the same
    strip = re.compile(rb'(CMG|DPB|GC)="[0-9A-F]+"')
    ole_a, ole_b = olefile.OleFileIO(a), olefile.OleFileIO(b)
    assert ole_a.listdir() == ole_b.listdir()
    for path in ole_a.listdir():
        data_a, data_b = ole_a.openstream(path).read(), ole_b.openstream(path).read()
        assert strip.sub(b"", data_a) == strip.sub(b"", data_b), path


# --- 3. compression: MS-OVBA 2.4.1, read back by olevba and by our own reader -------------------


def _both_readers(data: bytes) -> None:
    packed = vbaproject.compress(data)
    assert bytes(decompress_stream(bytearray(packed))) == data
    assert vbaproject.decompress(packed) == data
    pos = 1  # every chunk header: signature 0b011, 3..4098 bytes, a raw chunk exactly 4096 of data
    while pos < len(packed):
        header = int.from_bytes(packed[pos:pos + 2], "little")
        size = (header & 0x0FFF) + 3
        assert (header >> 12) & 7 == 0b011
        assert header >> 15 or size == 4098
        pos += size
    assert pos == len(packed)


@settings(max_examples=80, deadline=None)
@given(size=st.integers(0, 20_000), seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(
    ["random", "text", "runs", "half"]))
def test_compression_round_trips_byte_for_byte(size: int, seed: int, kind: str) -> None:
    import random

    rnd = random.Random(seed)
    if kind == "random":  # incompressible
        data = rnd.randbytes(size)
    elif kind == "text":
        words = [b"Sub ", b"End Sub\r\n", b"    ", b"RunPython ", b"If x Then\r\n", b"x"]
        data = b"".join(rnd.choice(words) for _ in range(size // 3 + 1))[:size]
    elif kind == "runs":
        data = b"".join(bytes([rnd.randrange(256)]) * rnd.randrange(1, 300) for _ in range(size // 50 + 1))[:size]
    else:  # compressible start, incompressible tail: the final-chunk case
        data = (b"a" * (size // 2) + rnd.randbytes(size))[:size]
    _both_readers(data)


@pytest.mark.parametrize("size", [3700, 4000, 4095, 4096, 4097, 12192, 3640, 3641, 8192, 20_000])
def test_compression_edge_sizes_with_incompressible_data(size: int) -> None:
    """The sizes that gave "Invalid CompressedChunkSignature" before the fix, and their neighbours."""
    _both_readers(os.urandom(size))
    _both_readers(b"\x00" * size)


def test_our_reader_is_strict() -> None:
    with pytest.raises(ValueError, match="signature byte"):
        vbaproject.decompress(b"\x02")
    raw_short = b"\x01" + (0x3000 | (100 - 3)).to_bytes(2, "little") + b"x" * 98
    with pytest.raises(ValueError, match="not 4096"):
        vbaproject.decompress(raw_short)
    with pytest.raises(ValueError, match="past the end"):
        vbaproject.decompress(b"\x01" + (0xB000 | 50).to_bytes(2, "little") + b"\x00abc")


def test_olevba_reads_every_built_module_byte_for_byte(xlam: Path) -> None:
    with zipfile.ZipFile(xlam) as z:
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    modules = {m.name: m for m in addin.vba_modules(addin.source_dir())}
    assert {p[1] for p in ole.listdir() if p[0] == "VBA"} == set(modules) | {"_VBA_PROJECT", "dir"}
    for name, m in modules.items():
        stream = ole.openstream(f"VBA/{name}").read()
        assert bytes(decompress_stream(bytearray(stream))) == m.source.encode("cp1252"), name
        assert vbaproject.decompress(stream) == m.source.encode("cp1252"), name


# --- 2. the VBA syntax gate ------------------------------------------------------------------


def test_every_module_of_the_built_addin_passes_the_syntax_gate(parts: dict[str, bytes],
                                                                 vba: dict[str, str]) -> None:
    reports = vbacheck.check_project(vba)
    problems = [str(p) for r in reports.values() for p in r.problems]
    assert problems == []
    root = ET.fromstring(parts["customUI/customUI14.xml"])
    callbacks = {b.attrib["onAction"] for b in root.iter(NS + "button")}
    assert vbacheck.callback_problems(reports, callbacks, _standard_modules(parts)) == []
    # the gate saw the code, not an empty shell
    procs = {p.name for r in reports.values() for p in r.procedures}
    assert {"ProdbookAction", "RunPython", "TA_DUE", "XLPy"} <= procs
    assert "Dictionary" in reports and len(procs) > 60


GOOD = """Attribute VB_Name = "Sample"
Option Explicit
#If VBA7 Then
    Private Declare PtrSafe Function GetTickCount Lib "kernel32" () As Long
#Else
    Private Declare Function GetTickCount Lib "kernel32" () As Long
#End If

Sub OnButton(control As IRibbonControl)
    Dim i As Long, s As String
    On Error GoTo failed
    If control.Id = "a" Then
        s = "x: y"  ' a comment with If and End
    ElseIf control.Id = "b" Then
        s = "z"
    Else
        s = ""
    End If
    Select Case s
        Case "x": i = 1
        Case Else
            i = 2
    End Select
    For i = 1 To 3
        If i = 2 Then Exit For
    Next i
    Do While i > 0
        i = i - 1
    Loop
    With Application
        .StatusBar = False
    End With
    MsgBox "done " & _
        s, vbInformation
    Exit Sub
failed:
    MsgBox Err.Description
End Sub
"""

BROKEN = {
    "unbalanced If": GOOD.replace("    End If\n    Select", "    Select"),
    "missing End Sub": GOOD.replace("End Sub\n", ""),
    "Declare without PtrSafe": GOOD.replace("Declare PtrSafe Function", "Declare Function"),
    "wrong callback signature": GOOD.replace("OnButton(control As IRibbonControl)", "OnButton()"),
    "callback with ByVal": GOOD.replace("OnButton(control As", "OnButton(ByVal control As"),
    "unknown keyword": GOOD.replace("    End If\n    Select", "    EndIf\n    Select"),
    "Elsif": GOOD.replace("ElseIf control.Id", "Elsif control.Id"),
    "Next without For": GOOD.replace("    For i = 1 To 3\n", ""),
    "Loop without Do": GOOD.replace("    Do While i > 0\n", ""),
    "End With missing": GOOD.replace("    End With\n", ""),
    "Exit Function in a Sub": GOOD.replace("    Exit Sub\n", "    Exit Function\n"),
    "GoTo a missing label": GOOD.replace("failed:\n", "fail:\n"),
    "If without Then": GOOD.replace('If control.Id = "a" Then', 'If control.Id = "a"'),
    "Case outside Select": GOOD.replace('    Select Case s\n', ''),
    "unbalanced #If": GOOD.replace("#End If\n", ""),
    "reserved argument name": GOOD.replace("OnButton(control As IRibbonControl)",
                                           "OnButton(control As IRibbonControl, Optional end As Long)"),
    "unterminated string": GOOD.replace('s = "z"', 's = "z'),
    "Sub inside a Sub": GOOD.replace("    Exit Sub\n", "    Sub Inner()\n    End Sub\n"),
}


def _gate(source: str) -> list[str]:
    reports = vbacheck.check_project({"Sample": source.replace("\n", "\r\n")})
    return ([str(p) for r in reports.values() for p in r.problems]
            + vbacheck.callback_problems(reports, ["OnButton"], ["Sample"]))


def test_the_gate_passes_a_good_sample() -> None:
    assert _gate(GOOD) == []


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_the_gate_bites(broken: str) -> None:
    assert BROKEN[broken] != GOOD, "the sample must really be broken"
    assert _gate(BROKEN[broken]), f"{broken} passed the gate"


def test_the_build_refuses_vba_that_fails_the_gate(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for f in addin.source_dir().iterdir():
        (src / f.name).write_bytes(f.read_bytes())
    bas = src / f"{addin.RIBBON_MODULE}.bas"
    bas.write_bytes(bas.read_bytes().replace(b"    End If\r\n    RunPython", b"    RunPython"))
    with pytest.raises(addin.AddinError, match="would not compile"):
        addin.build(tmp_path / "x.xlam", src=src)
    assert not (tmp_path / "x.xlam").exists()


# --- 1. names: nothing collides in the built add-in ------------------------------------------


def _standard_modules(parts: dict[str, bytes]) -> list[str]:
    ole = olefile.OleFileIO(parts["xl/vbaProject.bin"])
    project = ole.openstream("PROJECT").read().decode("cp1252")
    return re.findall(r"^Module=(\w+)", project, re.M)


def test_no_name_collides_in_the_built_addin(parts: dict[str, bytes], vba: dict[str, str]) -> None:
    ole = olefile.OleFileIO(parts["xl/vbaProject.bin"])
    project = ole.openstream("PROJECT").read().decode("cp1252")
    name = re.search(r'^Name="([^"]+)"', project, re.M).group(1)
    dir_names = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    assert name.encode() in dir_names  # the dir stream's PROJECTNAME agrees
    reports = vbacheck.check_project(vba)
    dir_refs = [r.name for r in (vbaproject.STDOLE, vbaproject.OFFICE) if r.name.encode() in dir_names]
    assert len(dir_refs) == 2
    assert vbacheck.collisions(name, reports, _standard_modules(parts), dir_refs) == []
    assert name.lower() not in {m.lower() for m in vba}


@pytest.mark.parametrize("project, modules, expect", [
    ("prodbook", {"Prodbook": "Sub A()\r\nEnd Sub\r\n"}, "collides with project"),  # the old add-in
    ("p", {"Helper": "Sub Helper()\r\nEnd Sub\r\n"}, "collides with module"),
    ("p", {"A": "Sub Go()\r\nEnd Sub\r\n", "B": "Public Function Go()\r\nEnd Function\r\n"}, "public in both"),
    ("p", {"Office": "Sub A()\r\nEnd Sub\r\n"}, "collides with reference"),
    ("p", {"A": "Sub p()\r\nEnd Sub\r\n"}, "collides with project"),
    ("Select", {"A": "Sub B()\r\nEnd Sub\r\n"}, "reserved word"),
])
def test_collisions_are_found(project: str, modules: dict[str, str], expect: str) -> None:
    reports = vbacheck.check_project(modules)
    found = vbacheck.collisions(project, reports, list(modules), ["stdole", "Office"])
    assert any(expect in f for f in found), found


def test_a_procedure_declared_twice_in_a_module_is_refused() -> None:
    reports = vbacheck.check_project({"A": "Sub X()\r\nEnd Sub\r\nFunction x()\r\nEnd Function\r\n"})
    assert any("declared twice" in str(p) for p in reports["A"].problems)
    ok = vbacheck.check_project({"A": "Property Get V()\r\nEnd Property\r\nProperty Let V(a)\r\nEnd Property\r\n"})
    assert ok["A"].problems == []


# --- 5. function wizard help, generated from the docstrings ----------------------------------

MACRO_OPTIONS = re.compile(r'Application\.MacroOptions Macro:="(\w+)", _\s+Description:="((?:[^"]|"")*)", _\s+'
                           r'Category:="(\w+)", _\s+ArgumentDescriptions:=Array\( _\s+(.*?)\)\r\n', re.S)


def test_every_function_has_wizard_help_matching_its_signature(vba: dict[str, str]) -> None:
    found = {m.group(1): m for m in MACRO_OPTIONS.finditer(vba[addin.HELP_MODULE])}
    assert list(found) == [f.__name__ for f in udfs.UDFS]
    declared = {m.group(1): m.group(2) for m in FUNC.finditer(vba["xlwings_udfs"])}
    for fn in udfs.UDFS:
        m = found[fn.__name__]
        h = udfs.function_help(fn)
        assert m.group(3) == udfs.CATEGORY == "prodbook"
        assert m.group(2).replace('""', '"') == h.description and 0 < len(h.description) <= 255
        texts = [t.replace('""', '"') for t in re.findall(r'"((?:[^"]|"")*)"', m.group(4))]
        args = [a.strip().removeprefix("Optional ").strip() for a in declared[fn.__name__].split(",")]
        assert len(texts) == len(args) == len(h.arguments)  # one help string per Excel argument
        assert [a for a, _ in h.arguments] == args
        assert texts == [t for _, t in h.arguments] and all(0 < len(t) <= 255 for t in texts)
    # Excel registers it when the add-in opens
    assert re.search(rf"Sub Workbook_Open\(\)\r\n\s+{addin.HELP_FUNCTION}\r\nEnd Sub", vba["ThisWorkbook"])


def test_help_over_excels_limit_or_missing_is_refused() -> None:
    def LONG_ONE(a: int = 0, caller: object = None) -> int:
        """Short."""

    LONG_ONE.__doc__ = "Short.\n\n    Args:\n        a: " + "x" * 256 + "\n"
    assert len(udfs.function_help(LONG_ONE).arguments[0][1]) == 256
    with pytest.raises(addin.AddinError, match="at most 255"):
        addin.help_vba([LONG_ONE])
    LONG_ONE.__doc__ = "Short.\n\n    Args:\n        a: " + "x" * 255 + "\n"
    assert "x" * 255 in "\r\n".join(addin.help_vba([LONG_ONE]))  # 255 itself is fine

    def NO_HELP(a: int, b: int) -> int:
        """Adds.

        Args:
            a: first.
        """
    with pytest.raises(ValueError, match="missing \\['b'\\]"):
        udfs.function_help(NO_HELP)


# --- 6. build and install ---------------------------------------------------------------------


def _conf(data: bytes) -> dict[str, str]:
    sheet = ET.fromstring(data)
    rows = {}
    for row in sheet.iter(MAIN + "row"):
        texts = ["".join(t.text or "" for t in c.iter(MAIN + "t")) for c in row.iter(MAIN + "c")]
        rows[texts[0]] = texts[1] if len(texts) > 1 else ""
    return rows


def test_a_build_copy_says_run_install_instead_of_calling_python(parts: dict[str, bytes],
                                                                   vba: dict[str, str]) -> None:
    conf = _conf(parts["xl/worksheets/sheet1.xml"])
    assert conf["Interpreter_Win"] == conf["Interpreter_Mac"] == ""  # blank in the build output
    ribbon_code = vba[addin.RIBBON_MODULE]
    check = re.search(rf"Function {addin.SETUP_CHECK}\(\) As String\r\n(.*?)End Function", ribbon_code, re.S)
    assert check, ribbon_code
    body = check.group(1)
    assert '"Interpreter_Mac"' in body and '"Interpreter_Win"' in body and "prodbook addin install" in body
    assert f'CONF_SHEET As String = "{addin.CONF_SHEET}"' in ribbon_code
    # the button asks before RunPython; every function asks before calling Python
    action = re.search(r"Sub ProdbookAction\(control As IRibbonControl\)\r\n(.*?)End Sub", ribbon_code, re.S)
    assert action.group(1).index(addin.SETUP_CHECK) < action.group(1).index("RunPython")
    for fn in udfs.UDFS:
        body = re.search(rf"Function {fn.__name__}\(.*?\r\n(.*?)End Function", vba["xlwings_udfs"], re.S).group(1)
        assert body.index(f"{addin.SETUP_CHECK}()") < body.index("XLPy.CallUDF"), fn.__name__


def _xlstart(tmp_path: Path) -> Path:
    d = tmp_path / "Excel" / "XLSTART"
    d.mkdir(parents=True)
    return d


def test_install_writes_the_interpreter_and_no_temp_file_inside_xlstart(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    xlstart = _xlstart(tmp_path)
    seen: list[tuple[Path, list[str]]] = []
    real_replace = os.replace

    def watch(src: str, dst: str) -> None:  # what XLSTART holds at the moment the file goes in
        seen.append((Path(src), sorted(p.name for p in xlstart.iterdir())))
        real_replace(src, dst)

    monkeypatch.setattr(addin.os, "replace", watch)
    target = addin.install_into(xlstart, interpreter=r"C:\Users\apm\prodbook\python.exe")
    assert target == xlstart / "prodbook.xlam"
    [(tmp, during)] = seen
    assert tmp.parent != xlstart and during == []  # Excel never sees a .tmp in XLSTART
    assert tmp.parent.stat().st_dev == xlstart.stat().st_dev  # same volume: the replace is one step
    assert sorted(p.name for p in xlstart.iterdir()) == ["prodbook.xlam"]
    assert [p.name for p in tmp.parent.iterdir()] == ["XLSTART"]  # no temporary file left beside it
    with zipfile.ZipFile(target) as z:
        conf = _conf(z.read("xl/worksheets/sheet1.xml"))
    key = "Interpreter_Mac" if sys.platform == "darwin" else "Interpreter_Win"
    assert conf[key] == r"C:\Users\apm\prodbook\python.exe"


def test_a_locked_addin_file_is_a_plain_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xlstart = _xlstart(tmp_path)
    old = xlstart / "prodbook.xlam"
    old.write_bytes(b"the installed add-in, open in Excel")

    def locked(src: str, dst: str) -> None:
        raise PermissionError(13, "The process cannot access the file because it is being used", dst)

    monkeypatch.setattr(addin.os, "replace", locked)
    with pytest.raises(addin.AddinError) as err:
        addin.install_into(xlstart, interpreter="python")
    assert "Close Excel" in str(err.value) and "run the command again" in str(err.value)
    assert old.read_bytes() == b"the installed add-in, open in Excel"
    assert sorted(p.name for p in xlstart.iterdir()) == ["prodbook.xlam"]
    assert [p.name for p in xlstart.parent.iterdir()] == ["XLSTART"]  # nothing left behind

    monkeypatch.setattr(Path, "unlink", lambda self, missing_ok=False: locked(str(self), str(self)))
    with pytest.raises(addin.AddinError, match="Close Excel"):
        addin.uninstall_from(xlstart)


def test_install_command_prints_the_locked_message_not_a_traceback(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    xlstart = _xlstart(tmp_path)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(addin, "_excel_startup_dir", lambda: xlstart)
    monkeypatch.setattr(addin, "_close_in_excel", lambda: None)
    result = CliRunner().invoke(main, ["addin", "install"])
    assert result.exit_code == 0, result.output
    assert (xlstart / "prodbook.xlam").exists() and "Installed" in result.output

    def locked(src: str, dst: str) -> None:
        raise PermissionError(13, "in use", dst)

    monkeypatch.setattr(addin.os, "replace", locked)
    result = CliRunner().invoke(main, ["addin", "install"])
    assert result.exit_code == 1
    assert "Close Excel" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, PermissionError)


@pytest.mark.parametrize("platform, raised, advice", [
    ("darwin", "Command failed: OSERROR: -1743 MESSAGE: The user has declined permission.",
     "Privacy & Security > Automation"),
    ("darwin", "Command failed: OSERROR: -600 MESSAGE: Application isn't running.", "Start Excel once"),
    ("win32", "(-2147221005, 'Invalid class string', None, None)", "Excel is installed for this Windows user"),
], ids=["mac automation refused", "mac excel not answering", "windows without excel"])
def test_install_where_excel_cannot_be_asked_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             platform: str, raised: str, advice: str) -> None:
    """Until 2026-12-05 these ended in a traceback: xlwings' own error, as it came."""
    monkeypatch.setattr(sys, "platform", platform)

    def refused() -> Path:
        raise RuntimeError(raised)

    monkeypatch.setattr(addin, "_excel_startup_dir", refused)
    for command in ("install", "uninstall"):
        result = CliRunner().invoke(main, ["addin", command])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert advice in result.output and f"run `prodbook addin {command}` again" in result.output
        assert ("Nothing was installed" if command == "install" else "Nothing was removed") in result.output
        assert raised.split(":")[0] in result.output and "find its startup folder" in result.output
    xlstart = _xlstart(tmp_path)
    monkeypatch.setattr(addin, "_excel_startup_dir", lambda: xlstart)
    monkeypatch.setattr(addin, "_close_in_excel", refused)  # an Excel busy in a dialog
    result = CliRunner().invoke(main, ["addin", "install"])
    assert result.exit_code == 1 and advice in result.output and "close the add-in" in result.output
    assert not (xlstart / "prodbook.xlam").exists()


# --- the Windows smoke test: the parts that need no Excel -------------------------------------

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def smoke():
    spec = importlib.util.spec_from_file_location("smoke_test", ROOT / "addin" / "smoke_test.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["smoke_test"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules["smoke_test"]


def test_smoke_checks_come_from_the_ribbon_and_the_functions(smoke) -> None:
    checks = smoke.planned_checks()
    assert [c.target for c in checks if c.kind == "button"] == [a.id for a in ribbon.available_actions()]
    assert [c.target for c in checks if c.kind == "function"] == [f.__name__ for f in udfs.UDFS]
    assert [c.kind for c in checks][:4] == ["install", "compile", "setup", "help"] and checks[-1].kind == "uninstall"
    ghost = ribbon.Action("pbNew", "New", "Help", "grpDaily", "tip", jobs=("ta",))
    assert "pbNew" in [c.target for c in smoke.planned_checks([*ribbon.available_actions(), ghost])]
    assert smoke.COMPILE_CONTROL_ID == 578
    assert smoke.DEMO.is_file() and [p for p in smoke.VENDOR_FILES.iterdir()
                                      if p.suffix.lower() in ribbon.VENDOR_EXTENSIONS]


def test_smoke_function_cases_cover_every_function_with_real_values(smoke) -> None:
    cases = smoke.function_cases(ROOT / "workbooks" / "demo-tracker.xlsx")
    assert [c.name for c in cases] == [f.__name__ for f in udfs.UDFS]
    for c in cases:
        assert c.formula.startswith(f"={c.name}(") and c.formula.endswith(")")
        if c.name == "PRODBOOK_WHY":  # the reason of a cell its setup fills with a wrong argument
            assert c.setup and c.expected.startswith("#VALUE! ") and len(c.expected) > 20, c
            continue
        assert c.expected not in (None, "") and not (isinstance(c.expected, str) and c.expected.startswith("#")), c
    from datetime import datetime
    assert smoke.same(datetime(2026, 6, 4), 46177.0)  # a date cell read back as its serial number
    assert smoke.same(datetime(2026, 6, 4), datetime(2026, 6, 4)) and not smoke.same(datetime(2026, 6, 4), 46178)
    assert smoke.same(34, 34.0) and smoke.same("Done late", "Done late") and not smoke.same("Done", "Done late")


def test_smoke_checks_excel_error_values_as_python_gives_them(smoke) -> None:
    """With Config 'Function Errors' = Excel on the copy, Excel's ISERROR, ERROR.TYPE and IFERROR see the
    functions' errors (in a cell and in a spilled column), and =PRODBOOK_WHY gives Text mode's reason: each
    expected answer is worked out from what Python returns in each mode."""
    setup, cases = smoke.error_cases(ROOT / "workbooks" / "demo-tracker.xlsx")
    assert [c.target for c in smoke.planned_checks() if c.kind == "errors"] == [c.formula for c in cases]
    assert smoke.planned_checks()[-1].kind == "uninstall"
    want = {c.formula: c.expected for c in cases}
    assert want["=ISERROR(A1)"] is True and want["=ERROR.TYPE(A1)"] == 3 and want['=IFERROR(A1,"caught")'] == "caught"
    assert want["=ERROR.TYPE(A2)"] == 7  # #N/A: a vendor not on the Vendors sheet
    assert want["=ISERROR(A4)"] is True and want["=ISERROR(A5)"] is False  # the spilled column's two rows
    assert want["=PRODBOOK_WHY(A1)"] == want["=PRODBOOK_WHY(A4)"] == "#VALUE! anchor must be a date (got 'soon')"
    assert dict(setup)["A1"].startswith("=TA_DUE(") and smoke.ERROR_SETTING == ("Function Errors", "Excel")


def test_smoke_button_command_runs_ribbon_run_quietly(smoke, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The exact line RunPython gets, executed here against the stand-in for Excel."""
    import xlwings as xw

    from conftest import base_sheets, write_book
    from fakexl import FakeBook

    book = FakeBook.from_file(write_book(tmp_path / "t.xlsx", base_sheets()))
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    answer = tmp_path / "pbRebuildTA.json"
    exec(smoke.button_command("pbRebuildTA", answer), {})
    report = __import__("json").loads(answer.read_text(encoding="utf-8"))
    assert report["title"] == "Rebuild T&A" and "milestones for 2 PO lines" in report["message"]
    assert book.app.alerts == []  # nothing waited for a click


def test_smoke_checks_a_second_follow_ups_press_replaces_the_outlook_drafts(smoke, tmp_path: Path) -> None:
    """On a PC with Outlook the smoke test presses Follow-up drafts once more: the tracker's drafts of today are
    made anew, one per vendor; a press that piles drafts up (as before) or keeps the earlier ones fails it."""
    from datetime import date

    from prodbook.jobs.followups_job import tracker_mark
    from prodbook.workbook.outlook import DraftMark, deliver, outlook_drafts
    from test_outlook import FakeOutlook, vendor_message

    assert "outlook" in [c.kind for c in smoke.planned_checks()]
    tracker, day = tmp_path / "demo-tracker.xlsx", date(2027, 3, 1)
    mark = DraftMark(tracker_mark(tracker), day.isoformat())
    mail = FakeOutlook()
    mail.own(subject="my own draft")
    deliver([vendor_message("BD1"), vendor_message("CN1")], None, lambda: mail, mark=mark)
    press = lambda: deliver([vendor_message("BD1"), vendor_message("CN1")], None, lambda: mail, mark=mark)  # noqa: E731
    got = smoke.drafts_check(mail, tracker, day, press)
    assert got.ok and got.said() == "2 draft(s) before the press, 2 after, for 2 vendor(s); 0 left from before"
    piled = smoke.drafts_check(mail, tracker, day, lambda: outlook_drafts([vendor_message("BD1")], mail, tmp_path,
                                                                          mark))  # made, the earlier not deleted
    assert not piled.ok and len(mail.drafts) == 4 and piled.vendors.count("BD1") == 2


def test_smoke_test_runs_here_only_as_a_list(smoke, capsys: pytest.CaptureFixture) -> None:
    assert smoke.main(["--list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(smoke.planned_checks())
    if not sys.platform.startswith("win"):
        assert smoke.main([]) == 2


def test_addin_actions_lists_each_button_in_columns() -> None:
    """`prodbook addin actions`: every button's label starts in one column and its command in another, whatever
    the length of its id ('pbImportOutlook' once ran into its label)."""
    result = CliRunner().invoke(main, ["addin", "actions"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(ribbon.ACTIONS)
    starts = {(line.index(a.label, len(a.id)), line.index(a.cli or "(in Excel only)", len(a.id) + len(a.label)))
              for a, line in zip(ribbon.ACTIONS, lines, strict=True)}
    assert len(starts) == 1, lines
