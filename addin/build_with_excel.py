"""Windows smoke test of the add-in, and the fallback build through Excel itself.

Run on a Windows PC with Excel and prodbook installed (the same venv as
`prodbook addin install`), from the repository root:

    python addin\\build_with_excel.py smoke      # check the Linux-built add-in in real Excel
    python addin\\build_with_excel.py build      # fallback: build prodbook.xlam through Excel

smoke: builds addin/build/prodbook.xlam with `prodbook addin build`, opens it
in a new Excel instance, and checks what Linux cannot: that Excel loads the
VBA project written from source (it compiles it: VBE "Debug > Compile" is
run through the object model when trusted access is on, else a UDF call
forces compilation), that =TA_DUE() calculates in a cell, and that the
ribbon's Python side runs an action on a demo tracker through the live back
end. Prints PASS/FAIL per check; exit status 1 on any failure.

build: the path for a maintainer if Excel ever refused the source-built VBA
project: a new workbook, the .bas/.cls modules imported through the VBE
(needs File > Options > Trust Center > Macro Settings > "Trust access to
the VBA project object model"), the ribbon XML and conf sheet copied from
the Linux build, saved as addin/build/prodbook-excel.xlam.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "build"


def _check(name: str, ok: bool, detail: str = "") -> bool:
    print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""))
    return ok


def smoke() -> int:
    import xlwings as xw

    from prodbook.excel import addin, ribbon
    from prodbook.demo.tracker import write_demo

    xlam = addin.build(OUT / "prodbook.xlam", interpreter=sys.executable)
    results = []
    app = xw.App(visible=True, add_book=False)
    try:
        book = app.books.open(str(xlam))
        results.append(_check("Excel opens the add-in", book.name == "prodbook.xlam"))
        try:
            comps = [c.Name for c in book.api.VBProject.VBComponents]
            results.append(_check("VBA modules present", {"Prodbook", "xlwings", "xlwings_udfs"} <= set(comps),
                                  ", ".join(comps)))
        except Exception as exc:  # trusted access off: fine for users, only this check is skipped
            print(f"SKIP  VBA module list (turn on trusted access to the VBA project to see it): {exc}")
        demo = write_demo(Path(tempfile.mkdtemp()), date.today())
        tracker = app.books.open(str(demo))
        cell = tracker.sheets[0].range("ZZ1")
        cell.formula = '=TA_DUE(DATE(2027,4,15),-15,"")'
        app.calculate()
        value = cell.value
        results.append(_check("=TA_DUE calculates", isinstance(value, (datetime, float)) and value not in (0,),
                              repr(value)))
        cell.clear()
        report = ribbon.perform(ribbon.action("pbRebuildTA"), tracker)
        results.append(_check("Rebuild T&A through the live back end", report.ok or "milestones" in report.message,
                              report.message.splitlines()[0]))
        report = ribbon.perform(ribbon.action("pbUndo"), tracker)
        results.append(_check("Undo last through the live back end", "Undid" in report.message,
                              report.message.splitlines()[0]))
        print("Now click each button of the prodbook tab in this Excel window; each shows a message box.")
    finally:
        input("Press Enter to close Excel...")
        app.quit()
    return 0 if all(results) else 1


def build() -> int:
    import xlwings as xw

    from prodbook.excel import addin

    linux = addin.build(OUT / "prodbook.xlam")
    target = OUT / "prodbook-excel.xlam"
    work = Path(tempfile.mkdtemp())
    app = xw.App(visible=False, add_book=False)
    try:
        wb = app.books.add()
        project = wb.api.VBProject
        mods = addin.vba_modules(addin.source_dir())
        for m in mods:
            if m.kind.name == "DOCUMENT":
                continue
            ext = ".cls" if m.kind.name == "CLASS" else ".bas"
            path = work / f"{m.name}{ext}"
            text = m.source
            if ext == ".cls":
                text = "VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n" + text
            path.write_text(text, encoding="cp1252", newline="")
            project.VBComponents.Import(str(path))
        wb.sheets[0].name = addin.CONF_SHEET
        for i, (k, v) in enumerate(addin.read_conf(addin.source_dir() / "prodbook.conf.txt"), 1):
            wb.sheets[0].range((i, 1)).value = [k, v or None]
        wb.api.IsAddin = True
        tmp = work / "prodbook.xlam"
        wb.api.SaveAs(str(tmp), FileFormat=55)  # xlOpenXMLAddIn
        wb.close()
    finally:
        app.quit()
    # Excel has no object model for the ribbon part: add the one from the Linux build.
    with zipfile.ZipFile(linux) as src, zipfile.ZipFile(tmp) as built, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in built.infolist():
            data = built.read(item.filename)
            if item.filename == "_rels/.rels":
                rel = (f'<Relationship Id="rIdProdbookUI" Type="{addin.ribbon.CUSTOMUI_REL}" '
                       'Target="customUI/customUI14.xml"/>')
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            out.writestr(item, data)
        out.writestr("customUI/customUI14.xml", src.read("customUI/customUI14.xml"))
    shutil.rmtree(work, ignore_errors=True)
    print(f"Built '{target}' through Excel.")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("smoke", "build"):
        sys.exit(__doc__)
    if not sys.platform.startswith("win"):
        sys.exit("This script needs Excel on Windows.")
    sys.exit(smoke() if sys.argv[1] == "smoke" else build())
