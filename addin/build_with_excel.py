r"""Fallback build of prodbook.xlam through Excel itself (Windows, by hand).

    python addin\build_with_excel.py build

For a maintainer, if Excel ever refused the VBA project written from source
by `prodbook addin build`: a new workbook, the same .bas/.cls modules imported
through the VBE, ThisWorkbook's code added, the project named prodbookAddin,
the conf sheet and the ribbon part copied from the Linux build, saved as
addin/build/prodbook-excel.xlam. Needs File > Options > Trust Center > Macro
Settings > "Trust access to the VBA project object model" on that PC only.

The smoke test that proves an add-in in real Excel is addin/smoke_test.py.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "build"


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
        project.Name = addin.PROJECT_NAME
        mods = addin.vba_modules(addin.source_dir())
        for m in mods:
            if m.kind.name == "DOCUMENT":
                code = "\r\n".join(ln for ln in m.source.split("\r\n") if not ln.startswith("Attribute VB_"))
                if code.strip():
                    project.VBComponents(wb.api.CodeName if m.name == "ThisWorkbook" else m.name) \
                        .CodeModule.AddFromString(code)
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
    if sys.argv[1:] != ["build"]:
        sys.exit(__doc__)
    if not sys.platform.startswith("win"):
        sys.exit("This script needs Excel on Windows.")
    sys.exit(build())
