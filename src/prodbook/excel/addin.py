"""The Excel add-in: build ``prodbook.xlam`` from its text sources, install it, remove it.

The build runs on any OS (CI builds it on Linux). Its parts:

* ``customUI/customUI14.xml``: the prodbook tab, generated from
  ``prodbook.excel.ribbon.ACTIONS`` (the 2009/07 namespace with its 2007
  relationship type, not mixed with the 2006 pair);
* ``xl/vbaProject.bin``: written from source by ``prodbook.excel.vbaproject``, the
  VBA project ``prodbookAddin``: ``addin_files/ProdbookRibbon.bas`` (the one ribbon
  callback and the is-it-installed check), the xlwings runtime VBA that the
  installed xlwings ships (``xlwings_custom_addin.bas`` and ``Dictionary.cls``,
  its settings sheet set to prodbook.conf), ``xlwings_udfs`` (the VBA
  declarations of ``prodbook.excel.udfs.UDFS`` the way xlwings' "Import
  Functions" writes them), ``ProdbookHelp`` (their function-wizard help from
  the docstrings, registered with ``Application.MacroOptions`` when the add-in
  opens) and ``ThisWorkbook`` (whose Workbook_Open does that);
* the ``prodbook.conf`` sheet from ``addin_files/prodbook.conf.txt`` (the Python
  interpreter is filled in at install time; a copy without one says
  "run prodbook addin install").

Every build passes ``prodbook.excel.vbacheck`` (syntax gate, name clashes,
ribbon callback signatures) and reads each compressed stream back, or is
refused. See addin/README.md for what is verified where.
"""

from __future__ import annotations

import inspect
import os
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import click

from prodbook.excel import errors, ribbon, vbacheck, vbaproject
from prodbook.workbook.atomic import remove_temp, write_temp
from prodbook.workbook.safety import fsync_folder

PROJECT_NAME = "prodbookAddin"
"""The VBA project's name: unlike every module and procedure in it (VBA names are case-insensitive)."""
CONF_NAME = "prodbook"
"""xlwings' runtime (its PROJECT_NAME constant, a string) reads its settings from '<CONF_NAME>.conf'."""
CONF_SHEET = f"{CONF_NAME}.conf"
RIBBON_MODULE = "ProdbookRibbon"
UDF_VBA_MODULE = "xlwings_udfs"
HELP_MODULE = "ProdbookHelp"
HELP_FUNCTION = "ProdbookRegisterHelp"
"""Registers the function-wizard help; ThisWorkbook's Workbook_Open calls it, the smoke test too."""
ERROR_VALUES = "ProdbookErrorValues"
"""In xlwings_udfs: what a function returns, each bare error code ('#VALUE!', Config Function Errors = Excel)
turned into Excel's error value, in an array too."""
ERROR_VALUE = "ProdbookErrorValue"
"""In xlwings_udfs: one value, a bare error code turned into Excel's error value."""
SETUP_CHECK = "ProdbookNotInstalled"
"""In ProdbookRibbon.bas: the message for a copy of the add-in with no interpreter, else empty."""
MAC_UDF = ("#N/A prodbook's spreadsheet functions work in Excel for Windows only; on a Mac, use the T&A "
           "sheet's dates from Rebuild T&A")
"""What a prodbook function shows on a Mac, where xlwings has no spreadsheet functions."""
HELP_LIMIT = 255
"""Application.MacroOptions refuses a Description or an argument description over 255 characters."""
ADDIN_NAME = "prodbook.xlam"
UDF_MODULE = "prodbook.excel.udfs"
SOURCES = Path(__file__).resolve().parent / "addin_files"
"""The add-in's VBA module and conf: shipped inside the package, so a plain pip install can build it."""
REPO_ADDIN_DIR = Path(__file__).resolve().parents[3] / "addin"
"""In a source checkout, where `prodbook addin build` puts the .xlam (addin/build/)."""

CT_ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
RT_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
RT_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
RT_SHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
RT_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
RT_APP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class AddinError(Exception):
    """A build or install problem, said for the person running the command."""


# --- sources -------------------------------------------------------------------------------


def xlwings_vba_dir() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent


def vba_text(path: Path) -> str:
    """An exported VBA module's text. The VBE writes it in Windows' code page (cp1252 in the West), where a
    curly apostrophe, a dash or a euro sign in a comment is a byte Latin-1 reads as a control character that
    the module, stored as cp1252 again, cannot hold: the build stopped on it. Bytes cp1252 leaves undefined
    are read as Latin-1, as before."""
    data = path.read_bytes()
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def xlwings_runtime_modules() -> list[vbaproject.Module]:
    """xlwings' own VBA (RunPython, the UDF bridge, config) as xlwings ships it for custom add-ins."""
    here = xlwings_vba_dir()
    bas = here / "xlwings_custom_addin.bas"
    cls = here / "addin" / "Dictionary.cls"
    if not bas.exists() or not cls.exists():
        raise AddinError(f"the installed xlwings ({here}) does not ship xlwings_custom_addin.bas and "
                         "addin/Dictionary.cls; install the xlwings version in pyproject.toml")
    text = vba_text(bas)
    if 'PROJECT_NAME As String = "myaddin"' not in text:
        raise AddinError("xlwings_custom_addin.bas no longer defines PROJECT_NAME \"myaddin\"; check the "
                         "add-in build against this xlwings version")
    text = text.replace('PROJECT_NAME As String = "myaddin"', f'PROJECT_NAME As String = "{CONF_NAME}"')
    return [vbaproject.Module.from_file_text(text),
            vbaproject.Module.from_file_text(vba_text(cls))]


def udf_arguments(fn: Callable[..., Any]) -> list[tuple[str, bool]]:
    """(name, optional) of a UDF's Excel arguments; ``caller`` is xlwings' and not one of them."""
    from prodbook.excel.udfs import excel_arguments  # udfs loads xlwings and the formulas: only when building

    params = inspect.signature(fn).parameters
    return [(p, params[p].default is not inspect.Parameter.empty) for p in excel_arguments(fn)]


def _vba_string(text: str) -> str:
    """A VBA string literal ("" for a quote); refuses what the cp1252 module cannot hold."""
    text.encode("cp1252")
    return '"' + text.replace('"', '""') + '"'


def help_vba(functions: Sequence) -> list[str]:
    """``ProdbookRegisterHelp``: ``Application.MacroOptions`` for every UDF, from its docstring.

    Returns how many functions were registered, so the smoke test can see it
    worked; an Excel that refuses one (an old Mac Excel has no
    ArgumentDescriptions) leaves the others registered and the add-in loads.

    Raises:
        AddinError: A description or an argument's help over 255 characters.
    """
    from prodbook.excel.udfs import CATEGORY, function_help

    lines = ["' Function wizard help (description, one line per argument, category prodbook), generated",
             "' from the docstrings of prodbook.excel.udfs. Workbook_Open calls it.",
             f"Public Function {HELP_FUNCTION}() As Long",
             "    Dim done As Long",
             "    On Error Resume Next"]
    for fn in functions:
        h = function_help(fn)
        for what, text in (("description", h.description), *h.arguments):
            if len(text) > HELP_LIMIT:
                raise AddinError(f"{h.name}: the help for {what} is {len(text)} characters; Excel's "
                                 f"function wizard takes at most {HELP_LIMIT}. Shorten the docstring in "
                                 "prodbook/excel/udfs.py.")
        args = ", _\r\n            ".join(_vba_string(t) for _, t in h.arguments)
        lines += ["    Err.Clear",
                  f"    Application.MacroOptions Macro:={_vba_string(h.name)}, _",
                  f"        Description:={_vba_string(h.description)}, _",
                  f"        Category:={_vba_string(CATEGORY)}, _",
                  f"        ArgumentDescriptions:=Array( _\r\n            {args})",
                  "    If Err.Number = 0 Then done = done + 1"]
    lines += [f"    {HELP_FUNCTION} = done", "End Function", ""]
    return lines


def error_values_vba() -> list[str]:
    """``ProdbookErrorValue`` and ``ProdbookErrorValues``: a bare error code Python returns becomes ``CVErr``.

    Exactly the seven codes of ``errors.CV_ERRORS``, whole: Text mode's '#VALUE! offset must be a number' and
    every other value pass unchanged, so the same add-in serves both settings. Private: not in the function
    wizard's list.
    """
    cases = []
    for code, number in errors.CV_ERRORS.items():
        cases += [f"        Case {_vba_string(code)}", f"            {ERROR_VALUE} = CVErr({number})"]
    return ["' Config 'Function Errors' = Excel: Python returns an error as its bare code ('#VALUE!'), which",
            "' becomes Excel's error value here, in the array of a whole-column call too.",
            f"Private Function {ERROR_VALUE}(ByVal value As Variant) As Variant",
            f"    {ERROR_VALUE} = value",
            "    If VarType(value) <> vbString Then Exit Function",
            "    Select Case value",
            *cases,
            "    End Select",
            "End Function",
            "",
            f"Private Function {ERROR_VALUES}(result As Variant) As Variant",  # ByRef: a column is not copied in
            "    Dim r As Long, c As Long, grid As Boolean",
            "    If Not IsArray(result) Then",
            f"        {ERROR_VALUES} = {ERROR_VALUE}(result)",
            "        Exit Function",
            "    End If",
            "    On Error Resume Next",
            "    Err.Clear",
            "    c = UBound(result, 2)",
            "    grid = (Err.Number = 0)",
            "    Err.Clear",
            "    On Error GoTo 0",
            "    If grid Then",
            "        For r = LBound(result, 1) To UBound(result, 1)",
            "            For c = LBound(result, 2) To UBound(result, 2)",
            "                If VarType(result(r, c)) = vbString Then",  # a blank cell is "", no code
            f'                    If Left$(result(r, c), 1) = "#" Then result(r, c) = {ERROR_VALUE}(result(r, c))',
            "                End If",
            "            Next c",
            "        Next r",
            "    Else",
            "        For r = LBound(result) To UBound(result)",
            "            If VarType(result(r)) = vbString Then",
            f'                If Left$(result(r), 1) = "#" Then result(r) = {ERROR_VALUE}(result(r))',
            "            End If",
            "        Next r",
            "    End If",
            f"    {ERROR_VALUES} = result",
            "End Function",
            ""]


def udf_vba(functions: Sequence = ()) -> str:
    """The ``xlwings_udfs`` module: one VBA Function per UDF, calling Python through xlwings.

    The same code xlwings' "Import Functions" generates for an add-in
    (``xlwings.udfs.generate_vba_wrapper``), written here so the build needs no
    Excel and no "Trust access to the VBA project object model". Each function
    first asks ``ProdbookNotInstalled``: a copy with no interpreter shows
    "run prodbook addin install" in the cell instead of a missing-DLL error.
    What Python returns goes through ``ProdbookErrorValues`` (``error_values_vba``).
    """
    if not functions:
        from prodbook.excel.udfs import UDFS
        functions = UDFS
    lines = [f'Attribute VB_Name = "{UDF_VBA_MODULE}"',
             "' Generated by `prodbook addin build` from prodbook.excel.udfs: changes are lost at the next build.",
             '#Const App = "Microsoft Excel"', "", *error_values_vba()]
    for fn in functions:
        name = fn.__name__
        args = udf_arguments(fn)
        sig = ", ".join(("Optional " if opt else "") + a for a, opt in args)
        params = [p.name for p in inspect.signature(fn).parameters.values()]
        call = ", ".join("Nothing" if p == "caller" else p for p in params)
        lines += [f"Function {name}({sig})",
                  "        #If Mac Then",  # xlwings' UDFs need its Windows DLL: a Mac stopped on a missing file
                  f"            {name} = {_vba_string(MAC_UDF)}",
                  "            Exit Function",
                  "        #End If",
                  "        Dim setup As String",
                  f"        setup = {SETUP_CHECK}()",
                  "        If Len(setup) > 0 Then",
                  f"            {name} = setup",
                  "            Exit Function",
                  "        End If",
                  '        #If App = "Microsoft Excel" Then',
                  "            If TypeOf Application.Caller Is Range Then On Error GoTo failed",
                  f'            {name} = {ERROR_VALUES}(XLPy.CallUDF("{UDF_MODULE}", "{name}", Array({call}), '
                  "ActiveWorkbook, Application.Caller))",
                  "            Exit Function",
                  "        #Else",
                  f'            {name} = {ERROR_VALUES}(XLPy.CallUDF("{UDF_MODULE}", "{name}", Array({call})))',
                  "            Exit Function",
                  "        #End If",
                  "failed:",
                  f"        {name} = Err.Description",
                  "End Function", ""]
    return "\r\n".join(lines)


def help_module(functions: Sequence = ()) -> vbaproject.Module:
    """The ``ProdbookHelp`` module: ``help_vba`` for ``functions`` (default: every UDF)."""
    if not functions:
        from prodbook.excel.udfs import UDFS
        functions = UDFS
    lines = [f'Attribute VB_Name = "{HELP_MODULE}"',
             "' Generated by `prodbook addin build` from prodbook.excel.udfs: changes are lost at the next build.",
             "Option Explicit", "", *help_vba(functions)]
    return vbaproject.Module.from_file_text("\r\n".join(lines))


def this_workbook() -> vbaproject.Module:
    """ThisWorkbook, whose Workbook_Open registers the function help when Excel loads the add-in."""
    doc = vbaproject.Module.document("ThisWorkbook", "workbook")
    code = ["Option Explicit", "", "Private Sub Workbook_Open()", f"    {HELP_FUNCTION}", "End Sub", ""]
    return vbaproject.Module(doc.name, doc.kind, doc.source + "\r\n".join(code))


def read_conf(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition("\t")
        rows.append((key.strip(), value.strip()))
    return rows


def source_dir(src: Path | None = None) -> Path:
    d = Path(src) if src else SOURCES
    if not (d / f"{RIBBON_MODULE}.bas").exists():
        raise AddinError(f"the add-in sources are not in '{d}' ({RIBBON_MODULE}.bas missing): reinstall "
                         "prodbook, or pass --src")
    return d


def vba_modules(src: Path) -> list[vbaproject.Module]:
    """Every module of the add-in's VBA project, in the order the VBE lists them."""
    mods = [this_workbook(), vbaproject.Module.document("Sheet1", "worksheet")]
    for bas in sorted(src.glob("*.bas")):
        mods.append(vbaproject.Module.from_file_text(vba_text(bas)))
    mods += xlwings_runtime_modules()
    mods.append(vbaproject.Module.from_file_text(udf_vba()))
    mods.append(help_module())
    return mods


# --- the package ---------------------------------------------------------------------------


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def conf_sheet_xml(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(f'<row r="{i}">{_cell(f"A{i}", k)}{_cell(f"B{i}", v) if v else ""}</row>'
                   for i, (k, v) in enumerate(rows, 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS_MAIN}" '
            f'xmlns:r="{NS_R}"><sheetPr codeName="Sheet1"/><dimension ref="A1:B{max(len(rows), 1)}"/>'
            '<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            '<cols><col min="1" max="1" width="18" customWidth="1"/><col min="2" max="2" width="60" '
            f'customWidth="1"/></cols><sheetData>{body}</sheetData></worksheet>')


def package_parts(vba_bin: bytes, conf: Sequence[tuple[str, str]], ribbon_xml: str) -> dict[str, bytes]:
    """Every part of the .xlam, by name."""
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    parts = {
        "[Content_Types].xml": head + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT_ADDIN}"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.styles+xml"/>'
            f'<Override PartName="/xl/vbaProject.bin" ContentType="{CT_VBA}"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
            'package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.extended-properties+xml"/>'
            "</Types>"),
        "_rels/.rels": head + (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RT_DOC}" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{RT_CORE}" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{RT_APP}" Target="docProps/app.xml"/>'
            f'<Relationship Id="rIdProdbookUI" Type="{ribbon.CUSTOMUI_REL}" '
            'Target="customUI/customUI14.xml"/>'
            "</Relationships>"),
        "customUI/customUI14.xml": ribbon_xml,
        "docProps/core.xml": head + (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>prodbook</dc:title>'
            "<dc:creator>prodbook</dc:creator></cp:coreProperties>"),
        "docProps/app.xml": head + (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Microsoft Excel</Application></Properties>"),
        "xl/workbook.xml": head + (
            f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}"><workbookPr codeName="ThisWorkbook"/>'
            '<bookViews><workbookView visibility="hidden"/></bookViews>'
            f'<sheets><sheet name="{CONF_SHEET}" sheetId="1" r:id="rId1"/></sheets>'
            '<calcPr calcId="191029"/></workbook>'),
        "xl/_rels/workbook.xml.rels": head + (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RT_SHEET}" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RT_STYLES}" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{RT_VBA}" Target="vbaProject.bin"/>'
            "</Relationships>"),
        "xl/styles.xml": head + (
            f'<styleSheet xmlns="{NS_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
            '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
            '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/>'
            '<top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
            'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" '
            'fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle '
            'name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
        "xl/worksheets/sheet1.xml": conf_sheet_xml(conf),
    }
    out = {name: text.encode("utf-8") for name, text in parts.items()}
    out["xl/vbaProject.bin"] = vba_bin
    return out


def gate(modules: Sequence[vbaproject.Module], callbacks: Sequence[str] = (ribbon.CALLBACK,),
         project: str = PROJECT_NAME) -> list[str]:
    """What VBA would refuse in ``modules``: syntax, name clashes, ribbon callback signatures."""
    sources = {m.name: m.source for m in modules}
    reports = vbacheck.check_project(sources)
    standard = [m.name for m in modules if m.kind is vbaproject.ModuleKind.STANDARD]
    problems = [str(p) for r in reports.values() for p in r.problems]
    problems += vbacheck.collisions(project, reports, standard, [r.name for r in REFERENCES])
    problems += vbacheck.callback_problems(reports, callbacks, standard)
    return problems


REFERENCES = (vbaproject.STDOLE, vbaproject.OFFICE)


def build_bytes(*, src: Path | None = None, interpreter: str | None = None) -> bytes:
    """The .xlam's bytes, checked: the VBA passes ``gate`` and every stream reads back exactly."""
    import io

    src = source_dir(src)
    conf = read_conf(src / "prodbook.conf.txt")
    if interpreter:
        key = "Interpreter_Mac" if sys.platform == "darwin" else "Interpreter_Win"
        conf = [(k, interpreter if k == key else v) for k, v in conf]
    modules = vba_modules(src)
    problems = gate(modules)
    if problems:
        raise AddinError("the add-in's VBA would not compile; fix the sources:\n  " + "\n  ".join(problems))
    for m in modules:
        data = m.source.encode("cp1252")
        if vbaproject.decompress(vbaproject.compress(data)) != data:  # never seen; refuse rather than ship
            raise AddinError(f"VBA module {m.name} does not read back after compression")
    vba_bin = vbaproject.vba_project(PROJECT_NAME, modules, REFERENCES)
    parts = package_parts(vba_bin, conf, ribbon.ribbon_xml())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():  # [Content_Types].xml first, as Office writes it
            z.writestr(name, data)
    return buf.getvalue()


def locked_message(path: Path) -> str:
    return (f"'{path}' is in use, most likely by Excel. Close Excel (every window) and run the "
            "command again.")


def write_file(dest: Path, data: bytes, *, staging: Path | None = None) -> Path:
    """Write ``data`` to ``dest`` whole or not at all, the temporary file in ``staging`` (default: dest's folder).

    The shared atomic write (``prodbook.workbook.atomic``) with the temporary
    file somewhere else than beside ``dest``: Excel opens every file in
    XLSTART. A file Excel holds open, or a folder prodbook may not write in,
    is a plain AddinError.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(staging) if staging else dest.parent
    try:
        tmp = write_temp(staging / dest.name, data)
    except PermissionError:
        raise AddinError(f"prodbook may not write in '{staging}'; ask IT for write access to it, or "
                         "install for your own user account.") from None
    except OSError as exc:  # disk full...
        raise AddinError(f"could not write in '{staging}' ({exc.strerror or exc}); nothing was changed.") from None
    try:
        os.replace(tmp, dest)
    except PermissionError:
        remove_temp(tmp)
        raise AddinError(locked_message(dest)) from None
    except OSError as exc:
        remove_temp(tmp)
        raise AddinError(f"could not write '{dest}' ({exc.strerror or exc}); nothing was changed.") from None
    fsync_folder(dest.parent)
    return dest


def build(dest: Path, *, src: Path | None = None, interpreter: str | None = None,
          staging: Path | None = None) -> Path:
    """Build the add-in into ``dest`` (a file path); returns it.

    Args:
        dest: Where to write the .xlam.
        src: The add-in sources (default: the ones shipped in the package).
        interpreter: Python to run prodbook with, written to the conf sheet
            (Interpreter_Win, or Interpreter_Mac on macOS). Without it the add-in
            says "run prodbook addin install" instead of calling Python.
        staging: Folder for the temporary file (default: dest's folder).
    """
    return write_file(Path(dest), build_bytes(src=src, interpreter=interpreter), staging=staging)


# --- install -------------------------------------------------------------------------------


def _excel_startup_dir() -> Path:
    """Excel's XLSTART folder (per user), the way `xlwings addin install` finds it."""
    import xlwings as xw

    if xw.apps and (active := xw.apps.active) is not None:
        return Path(active.startup_path)
    with xw.App(visible=False) as app:
        return Path(app.startup_path)


def _no_excel_message() -> str:
    return ("Excel is not available on this computer (prodbook's add-in runs in Microsoft Excel on "
            "Windows or macOS). Here you can still build the add-in file with `prodbook addin build`, "
            "and run every job with the `prodbook` command on the workbook file.")


def _close_in_excel() -> None:
    """An open copy of the add-in would keep its file locked: close it in every running Excel."""
    import xlwings as xw

    for app in xw.apps:
        try:
            app.books[ADDIN_NAME].close()
        except KeyError:
            pass


def staging_dir(startup: Path) -> Path:
    """Where install writes its temporary file: the folder holding XLSTART, never XLSTART itself.

    Excel opens every file in XLSTART, a half-written ``.tmp`` too; the
    parent folder is on the same volume, so the final replace is one step.
    """
    return Path(startup).parent


def install_into(startup: Path, *, interpreter: str, src: Path | None = None) -> Path:
    """Build the add-in for ``interpreter`` into the ``startup`` folder (XLSTART); returns the file."""
    startup = Path(startup)
    startup.mkdir(parents=True, exist_ok=True)
    return build(startup / ADDIN_NAME, src=src, interpreter=interpreter, staging=staging_dir(startup))


def uninstall_from(startup: Path) -> Path:
    """Remove the add-in from the ``startup`` folder; a file Excel holds is a plain AddinError."""
    target = Path(startup) / ADDIN_NAME
    try:
        target.unlink(missing_ok=True)
    except PermissionError:
        raise AddinError(locked_message(target)) from None
    return target


MAC_NOT_PERMITTED = "-1743"
"""macOS' errAEEventNotPermitted: Privacy & Security > Automation does not let this program control Excel."""


def excel_refused(doing: str, exc: BaseException, command: str = "install") -> str:
    """What to do when Excel could not be asked (``doing``: what ``prodbook addin COMMAND`` asked of it), in the
    APM's words."""
    said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    again = f"run `prodbook addin {command}` again. Nothing was {'installed' if command == 'install' else 'removed'}"
    if sys.platform == "darwin":
        if MAC_NOT_PERMITTED in str(exc) or "not allowed" in str(exc).lower():
            return (f"macOS did not let prodbook control Microsoft Excel to {doing} ({said}). Open System "
                    "Settings > Privacy & Security > Automation, allow Terminal (or the program you typed this "
                    f"in) to control Microsoft Excel, then {again}")
        return (f"prodbook could not ask Microsoft Excel to {doing} ({said}). Start Excel once, close any "
                f"dialog it shows, then {again}")
    return (f"prodbook could not ask Microsoft Excel to {doing} ({said}). Check that Excel is installed for "
            f"this Windows user: start it once, close any dialog it shows (a sign-in, an update), then {again}")


def _ask_excel(doing: str, call: Callable[[], Any], command: str = "install") -> Any:
    """One question install or uninstall puts to Excel; a refusal is an AddinError that says what to do."""
    try:
        return call()
    except AddinError:
        raise
    except Exception as exc:  # COM on Windows (no Excel, a busy one), AppleScript on a Mac (-1743)
        raise AddinError(excel_refused(doing, exc, command)) from None


def install(*, src: Path | None = None) -> Path:
    if not (sys.platform.startswith("win") or sys.platform == "darwin"):
        raise AddinError(_no_excel_message())
    startup = _ask_excel("find its startup folder", _excel_startup_dir)
    _ask_excel("close the add-in it has open", _close_in_excel)
    target = install_into(startup, interpreter=sys.executable, src=src)
    if sys.platform == "darwin":
        from xlwings.cli import runpython_install
        # the AppleScript RunPython needs under the macOS sandbox
        _ask_excel("take the script its buttons run Python with", lambda: runpython_install(None))
    return target


def uninstall() -> Path:
    if not (sys.platform.startswith("win") or sys.platform == "darwin"):
        raise AddinError(_no_excel_message())
    startup = _ask_excel("find its startup folder", _excel_startup_dir, "uninstall")
    _ask_excel("close the add-in it has open", _close_in_excel, "uninstall")
    return uninstall_from(startup)


# --- the command ---------------------------------------------------------------------------


@click.group("addin")
def addin_group() -> None:
    """The Excel add-in: build, install, uninstall, list its buttons."""


@addin_group.command("build")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the add-in (default: addin/build/prodbook.xlam).")
@click.option("--src", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The add-in sources (default: the ones shipped with prodbook).")
def build_command(out: Path | None, src: Path | None) -> None:
    """Build prodbook.xlam from the sources (works on any OS)."""
    try:
        default = REPO_ADDIN_DIR / "build" if REPO_ADDIN_DIR.is_dir() else Path.cwd()
        dest = build(out or default / ADDIN_NAME, src=src)
    except AddinError as exc:
        raise click.ClickException(str(exc)) from None
    shown = [a.label for a in ribbon.available_actions()]
    click.echo(f"Built '{dest}' ({dest.stat().st_size:,} bytes): {len(shown)} buttons "
               f"({', '.join(shown)}).")
    click.echo("This copy has no Python set: to use it in Excel, run `prodbook addin install`.")


@addin_group.command("install")
@click.option("--src", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The add-in sources (default: the ones shipped with prodbook).")
def install_command(src: Path | None) -> None:
    """Build the add-in for this Python and put it in Excel's startup folder."""
    try:
        target = install(src=src)
    except AddinError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Installed '{target}'. Restart Excel: the prodbook tab is next to Home.")


@addin_group.command("uninstall")
def uninstall_command() -> None:
    """Remove the add-in from Excel's startup folder."""
    try:
        target = uninstall()
    except AddinError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Removed '{target}'. Restart Excel.")


@addin_group.command("actions")
def actions_command() -> None:
    """List the ribbon's buttons and the command each one matches."""
    wide_id, wide_label = (max(len(getattr(a, f)) for a in ribbon.ACTIONS) for f in ("id", "label"))
    for a in ribbon.ACTIONS:
        state = "" if a.available else "  (not in this version: left off the ribbon)"
        click.echo(f"{a.id:{wide_id}} {a.label:{wide_label}}  {a.cli or '(in Excel only)'}{state}")


__all__ = ["ADDIN_NAME", "AddinError", "addin_group", "build", "build_bytes", "gate", "help_module", "help_vba",
           "install", "install_into", "package_parts", "staging_dir", "udf_vba", "uninstall", "uninstall_from",
           "vba_modules", "write_file"]
