"""A vendor's WIP report saved as an old Excel 97-2003 workbook (.xls): written here by LibreOffice from the same
.xlsx that ``test_xlsb`` writes (nothing else on this machine writes one), then imported as that .xlsx is. calamine
reads an .xls's cells and merged ranges but not the rows and columns it hides: xlrd reads those."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from prodbook.workbook import vendor_files
from test_xlsb import HIDDEN_COLUMNS, HIDDEN_ROWS, MERGED, imported_both_ways, laid_out_xlsx

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def saved_as_xls(tmp_path_factory) -> Path:
    """``LAID_OUT`` (a merged two-row header, a hidden line, a hidden note under the table, last week's 'Cut Qty'
    in a hidden column I) saved as .xlsx, then as .xls by LibreOffice (File > Save As > Excel 97-2003)."""
    folder = tmp_path_factory.mktemp("xls")
    xlsx = laid_out_xlsx(folder / "laid out.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xls:MS Excel 97", "--outdir", str(folder), str(xlsx)],
                   check=True, capture_output=True, timeout=300)
    return folder / "laid out.xls"


def test_an_xls_hides_what_its_xlsx_hides(saved_as_xls):
    """The .xls LibreOffice saved is a real Excel 97-2003 workbook (an OLE file) that hides what the .xlsx hid:
    checked with xlrd's own reading, the pattern for prodbook's."""
    import xlrd

    assert saved_as_xls.read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    book = xlrd.open_workbook(str(saved_as_xls), formatting_info=True)
    sheet = book.sheet_by_index(0)
    assert [r for r, info in sheet.rowinfo_map.items() if info.hidden] == HIDDEN_ROWS
    assert [c for c, info in sheet.colinfo_map.items() if info.hidden] == [first for first, _ in HIDDEN_COLUMNS]


def test_an_xls_hidden_rows_and_columns_read_as_its_xlsxs(saved_as_xls, tmp_path):
    """calamine gives an .xls's cells and merged ranges, and no word of the rows and columns it hides: a line the
    vendor hid was imported unnamed, and last week's 'Cut Qty' in a hidden column read as if shown. Read as the
    same report's .xlsx is."""
    xlsx, = vendor_files.read_vendor_file(laid_out_xlsx(tmp_path / "r.xlsx"))
    xls, = vendor_files.read_vendor_file(saved_as_xls)
    assert (xlsx.hidden_rows, xlsx.hidden_columns) == (HIDDEN_ROWS, [8])  # the pattern
    assert (xls.hidden_rows, xls.hidden_columns) == (xlsx.hidden_rows, xlsx.hidden_columns)
    assert sorted(xls.merged) == sorted(xlsx.merged) == sorted(MERGED)


def test_a_report_with_hidden_lines_saved_as_xls_imports_as_its_xlsx_does(saved_as_xls, tmp_path):
    """``LAID_OUT`` saved as .xlsx and as .xls: the same Vendor WIP rows, the same words on the terminal and on
    Issues. The hidden line is imported and named; the visible 'Cut' is read, not the hidden one."""
    def as_xls(path: Path) -> Path:
        return Path(shutil.copy(saved_as_xls, path))

    said, issues, rows = imported_both_ways(tmp_path, laid_out_xlsx, as_xls, ".xls")
    assert said[".xls"] == said[".xlsx"]
    assert issues[".xls"] == issues[".xlsx"]
    assert rows[".xls"] == rows[".xlsx"]
    problems = "\n".join(r[5] for r in issues[".xls"])
    assert "row 6 of this file is hidden" in problems, problems
    assert {r["Color"]: r["Cut Qty"] for r in rows[".xls"]} == {"Heather Grey": 600, "Light Blue": 300,
                                                                 "Dark Blue": 200}
