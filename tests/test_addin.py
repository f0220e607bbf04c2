"""The add-in file: built from source on Linux, then opened as a zip and checked part by part.

The VBA is read back with olevba (oletools), the compound file with olefile:
tools written independently of prodbook's writer.
"""

from __future__ import annotations

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

from prodbook.excel import addin, ribbon, udfs, vbaproject
from prodbook.cli import main
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
    return addin.build(tmp_path_factory.mktemp("addin") / "prodbook.xlam")


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
    code = vba["Prodbook"]
    assert "RunPython" in code and "control.Id" in code and "prodbook.excel.ribbon" in code


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
    wanted = {"Refresh all", "Rebuild T&A", "Check records", "Undo last", "Settings / Help",
              "Import vendor WIP...", "Exceptions", "Follow-up drafts", "Production report",
              "Vendor scorecard"}
    assert wanted == {a.label for a in ribbon.ACTIONS}


def test_udf_declarations_are_the_functions_of_udfs(vba: dict[str, str]) -> None:
    declared = {m.group(1): m.group(2) for m in FUNC.finditer(vba["xlwings_udfs"])}
    assert list(declared) == [f.__name__ for f in udfs.UDFS]
    for fn in udfs.UDFS:
        args = [a.strip().removeprefix("Optional ").strip() for a in declared[fn.__name__].split(",")]
        assert args == [a for a, _ in addin.udf_arguments(fn)]
        assert not {a.lower() for a in args} & VBA_KEYWORDS, fn.__name__
        assert f'XLPy.CallUDF("prodbook.excel.udfs", "{fn.__name__}"' in vba["xlwings_udfs"]


def test_xlwings_runtime_is_in_the_project_with_our_name(vba: dict[str, str]) -> None:
    assert 'PROJECT_NAME As String = "prodbook"' in vba["xlwings"]
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


def test_interpreter_is_written_at_install_time(tmp_path: Path) -> None:
    out = addin.build(tmp_path / "p.xlam", interpreter=r"C:\Users\apm\prodbook\python.exe")
    with zipfile.ZipFile(out) as z:
        assert b"C:\\Users\\apm\\prodbook\\python.exe" in z.read("xl/worksheets/sheet1.xml")


def test_vba_project_streams(xlam: Path) -> None:
    with zipfile.ZipFile(xlam) as z:
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    streams = {"/".join(p) for p in ole.listdir()}
    assert {"PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir", "VBA/Prodbook"} <= streams
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x00\x00"
    project = ole.openstream("PROJECT").read().decode("cp1252")
    pid = re.search(r'^ID="([^"]+)"', project, re.M).group(1)
    fields = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', project, re.M))
    key = sum(pid.encode()) & 0xFF
    assert vbaproject.decrypt(bytes.fromhex(fields["CMG"])) == (key, b"\x00\x00\x00\x00")
    assert vbaproject.decrypt(bytes.fromhex(fields["DPB"])) == (key, b"\x00")
    assert vbaproject.decrypt(bytes.fromhex(fields["GC"])) == (key, b"\xff")
    assert "Module=Prodbook" in project and "Class=Dictionary" in project
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


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=9000),
                 st.text(alphabet="ab \r\n", max_size=9000).map(str.encode),
                 st.lists(st.sampled_from([b"Sub ", b"End Sub\r\n", b"    ", b"RunPython ", b"x"]),
                          max_size=2000).map(b"".join)))
def test_compression_round_trips_through_olevba(data: bytes) -> None:
    assert bytes(decompress_stream(bytearray(vbaproject.compress(data)))) == data


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
