"""A team's own headers: a unit in brackets ('Qty (pcs)', 'Retail ($)'), the apparel words for T&A columns ('Task
Code', 'Supplier', 'TNA Plan'), a header close to a field's that prodbook does not read, and findings that name the
team's column and header row, not prodbook's. Real .xlsx files written with openpyxl, run and read back."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from conftest import add_config, base_sheets, sheet_values, write_book
from prodbook.core.findings import Code, Finding
from prodbook.core.model.sheets import ORDERS, STYLES, TA, normalise_header
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run
from prodbook.workbook.filebook import FileBook
from prodbook.workbook.tracker import Tracker

TODAY = date(2027, 2, 1)


def ctx(out: Path) -> Context:
    return Context(today=TODAY, now=datetime(2027, 2, 1, 9), out=out)


def po_tracker(path: Path, header: list[str], rows: list[list[Any]], *, config: list[list[str]] = (),
               styles: list[list[Any]] | None = None) -> Path:
    """The base tracker with its Orders kept the team's way: 'PO Tracker', a merged title and a note above the
    header in row 4 (no Excel Table), and a Config sheet naming it."""
    sheets = base_sheets()
    del sheets["Orders"]
    if styles is not None:
        sheets["Styles"] = styles
    write_book(path, sheets)
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("PO Tracker", 0)
    ws["A1"] = "SS27 KNITS - PO TRACKER"
    ws.merge_cells("A1:H1")
    ws["A2"] = "Last updated: 28-Jan"
    for c, h in enumerate(header, 1):
        ws.cell(4, c, h)
    for r, row in enumerate(rows, 5):
        for c, v in enumerate(row, 1):
            ws.cell(r, c, v)
    cfg = wb.create_sheet("Config")
    cfg.append(["Setting", "Value"])
    cfg.append(["Sheet: Orders", "PO Tracker"])
    for line in config:
        cfg.append(line)
    wb.save(path)
    return path


LINES = [[4500000001, "S1", "Navy", 1200, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10), date(2027, 5, 20)],
         [4500000002, "S2", "Black", 800, date(2027, 1, 11), date(2027, 4, 30), date(2027, 5, 30), date(2027, 6, 5)]]


def table(path: Path, spec: Any) -> Any:
    return Tracker(FileBook(path)).table(spec)


def about(findings: list[Finding], column: str) -> list[Finding]:
    return [f for f in findings if f.column == column]


# --- U2: a unit in brackets --------------------------------------------------------------------------------------

def test_a_header_with_the_columns_own_unit_in_brackets_is_read(tmp_path: Path) -> None:
    """'Qty (pcs)' on the team's PO sheet is Qty (it feeds the exceptions and the report); 'Retail ($)', 'FOB (US$)'
    and 'Fabric Weight (gsm)' on its Style Master are Retail (USD), FOB (USD) and Fabric Weight (g/m2). prodbook's
    own bracketed headers ('FOB (USD)') are read as before."""
    styles = [["Style No", "Description", "Supplier", "TNA Plan", "Style Status", "FOB (US$)", "Retail ($)",
               "Fabric Weight (gsm)"],
              ["S1", "Crew tee", "BD1", "Knit", "Development", 4.25, 19.5, 180],
              ["S2", "Chino", "CN1", "Knit", "Development", "7.10", 39, 240]]
    book = po_tracker(tmp_path / "team.xlsx", ["PO No.", "Style No", "Colour", "Qty\n(Units)", "PO Date", "Ex-Fty Date",
                                               "In DC", "Cxl Date"], LINES, styles=styles)
    orders = table(book, ORDERS)
    assert orders.header_row == 4 and "qty" in orders.columns
    assert orders.frame["qty"].tolist() == [1200, 800]
    st = table(book, STYLES)
    assert st.frame[["fob", "retail", "weight_gsm"]].values.tolist() == [[4.25, 19.5, 180], [7.1, 39, 240]]
    assert st.frame["template"].tolist() == ["Knit", "Knit"]  # 'TNA Plan'
    result = run(book, ["validate"], ctx(tmp_path))
    assert not [f for f in result.findings if f.code is Code.COLUMN_MISSING], \
        "\n".join(f.text() for f in result.findings)

    # prodbook's own header with its unit in brackets, and a bare one beside a bracketed one
    sheets = base_sheets()
    sheets["Styles"] = [["Style #", "Description", "Vendor", "T&A Template", "Status", "FOB (USD)"],
                        ["S1", "Crew tee", "BD1", "Knit", "Adopted", 4.25]]
    sheets["Orders"][0][3] = "Qty"
    sheets["Orders"][0].append("Qty (pcs)")
    for r in sheets["Orders"][1:]:
        r.append(5)
    own = write_book(tmp_path / "own.xlsx", sheets)
    assert table(own, STYLES).frame["fob"].tolist() == [4.25]
    assert table(own, ORDERS).columns["qty"] == 3  # prodbook's 'Qty' wins over 'Qty (pcs)'


def test_a_quantity_in_dozens_or_a_price_in_another_currency_is_not_read_and_is_said(tmp_path: Path) -> None:
    """'Qty (Dzn)' counts dozens: read as pieces it would be a twelfth of the order, so it is not Qty; 'FOB (EUR)'
    is not FOB (USD). Each is said once, an info naming the sheet, the column letter and the header, and what to
    do; without it the column was kept and not read, silently."""
    styles = [["Style No", "Description", "Supplier", "TNA Plan", "Style Status", "FOB (EUR)"],
              ["S1", "Crew tee", "BD1", "Knit", "Development", 3.9],
              ["S2", "Chino", "CN1", "Knit", "Development", 6.5]]
    rows = [[*r[:3], 100, *r[4:]] for r in LINES]
    book = po_tracker(tmp_path / "team.xlsx", ["PO No.", "Style No", "Colour", "Qty (Dzn)", "PO Date", "Ex-Fty Date",
                                               "In DC", "Cxl Date"], rows, styles=styles)
    assert "qty" not in table(book, ORDERS).columns
    assert "fob" not in table(book, STYLES).columns
    result = run(book, ["validate"], ctx(tmp_path))
    dozens = about(result.findings, "Qty (Dzn)")
    assert len(dozens) == 1 and dozens[0].severity == "info", [f.text() for f in dozens]
    said = dozens[0].text()
    assert "sheet 'PO Tracker', row 4" in said and "column D 'Qty (Dzn)'" in said and "dozens" in said
    assert "pieces" in said and "=D5*12" in said
    euro = about(result.findings, "FOB (EUR)")
    assert len(euro) == 1 and "column F 'FOB (EUR)'" in euro[0].message and "US dollars" in euro[0].message
    issues = [dict(zip(sheet_values(book, "Issues")[0], r)) for r in sheet_values(book, "Issues")[1:]]
    assert [r["Field"] for r in issues if r["Sheet"] == "PO Tracker" and "dozens" in str(r["Problem"])] \
        == ["Qty (Dzn)"]


def test_a_header_close_to_a_fields_is_named_with_the_config_line_that_reads_it(tmp_path: Path) -> None:
    """A header that begins as a field's header or synonym ('Size Range (US)', 'Ship Mode Requested') of a field
    prodbook reads from no column is said once, with the exact `Column:` line; typed as said, it is read, and said
    no more. A header beginning as a field read from another column ('Qty Shipped' beside 'Qty') is not named."""
    styles = [["Style No", "Description", "Supplier", "TNA Plan", "Style Status", "Size Range (US)"],
              ["S1", "Crew tee", "BD1", "Knit", "Development", "S-XL"],
              ["S2", "Chino", "CN1", "Knit", "Development", "28-40"]]
    rows = [[*r, "Sea", 1000] for r in LINES]
    header = ["PO No.", "Style No", "Colour", "Qty", "PO Date", "Ex-Fty Date", "In DC", "Cxl Date",
              "Ship Mode Requested", "Qty Shipped"]
    book = po_tracker(tmp_path / "team.xlsx", header, rows, styles=styles)
    result = run(book, ["validate"], ctx(tmp_path))
    size = about(result.findings, "Size Range (US)")
    assert len(size) == 1 and size[0].severity == "info" and size[0].sheet == "Styles"
    assert "column F 'Size Range (US)'" in size[0].message
    assert "'Column: Styles / Size Range' = 'Size Range (US)'" in size[0].message
    mode = about(result.findings, "Ship Mode Requested")
    assert len(mode) == 1 and "'Column: Orders / Ship Mode' = 'Ship Mode Requested'" in mode[0].message
    assert mode[0].sheet == "PO Tracker" and mode[0].row == 4 and "column I" in mode[0].message
    assert about(result.findings, "Qty Shipped") == []

    wb = openpyxl.load_workbook(book)
    wb["Config"].append(["Column: Styles / Size Range", "Size Range (US)"])
    wb["Config"].append(["Column: Orders / Ship Mode", "Ship Mode Requested"])
    wb.save(book)
    again = run(book, ["validate"], ctx(tmp_path))
    assert about(again.findings, "Size Range (US)") == [] and about(again.findings, "Ship Mode Requested") == []
    assert table(book, STYLES).frame["size_range"].tolist() == ["S-XL", "28-40"]


# --- U2: apparel words for the T&A ---------------------------------------------------------------------------------

def test_tna_words_teams_use_are_read_without_a_mapping(tmp_path: Path) -> None:
    """'TNA Plan' on the Style Master, 'Activity Code' on the templates, and the team's own TNA sheet with 'Task
    Code' and 'Supplier' (another team's: 'Milestone Code', 'Factory') are read without a Config line. The Style
    Master's own 'Factory' column stays its Factory: synonyms are a sheet's own."""
    sheets = base_sheets()
    sheets["Styles"] = [["Style No", "Description", "Supplier", "Factory", "TNA Plan", "Style Status"],
                        ["S1", "Crew tee", "BD1", "Dhaka Unit 2", "Knit", "Development"],
                        ["S2", "Chino", "CN1", "Ningbo Plant", "Knit", "Development"]]
    sheets["T&A Templates"][0][1] = "Activity Code"
    sheets["TNA"] = [["PO No", "Style No", "Colour", "Supplier", "Task Code", "Task", "Owner", "Plan Date", "Forecast",
                      "Actual Date", "Status", "Variance", "Remarks"]]
    del sheets["T&A"]
    book = add_config(write_book(tmp_path / "team.xlsx", sheets), ("Sheet: T&A", "TNA"))
    st = table(book, STYLES)
    assert st.frame[["vendor", "factory", "template"]].values.tolist() == [["BD1", "Dhaka Unit 2", "Knit"],
                                                                           ["CN1", "Ningbo Plant", "Knit"]]
    result = run(book, ["ta"], ctx(tmp_path))
    assert not [f for f in result.findings if f.code in (Code.STYLE_NO_TEMPLATE, Code.COLUMN_MISSING)], \
        "\n".join(f.text() for f in result.findings)
    tna = sheet_values(book, "TNA")
    assert tna[0] == sheets["TNA"][0]  # no 'Code' or 'Vendor' column added beside the team's
    assert {r[4] for r in tna[1:]} == {"LD", "LD-APP", "CUT", "XF", "DC"}
    assert {r[3] for r in tna[1:]} == {"BD1", "CN1"}

    # another team: 'Milestone Code' and 'Factory' on its T&A; a 'Factory' holding vendor codes (BD1, CN1) is the
    # Vendor, one holding factory names is the team's own (tests/test_factory_and_units.py)
    wb = openpyxl.load_workbook(book)
    wb["TNA"]["D1"], wb["TNA"]["E1"] = "Factory", "Milestone Code"
    wb.save(book)
    ta = table(book, TA)
    assert ta.columns["vendor"] == 3 and ta.columns["code"] == 4


# --- U3, U4: the team's header and header row in findings ------------------------------------------------------------

def test_findings_name_the_teams_header_and_the_header_row(tmp_path: Path) -> None:
    """A PO line with no ex-factory date is named by the team's 'Ex-Fty Date' (message, column, the Issues
    sheet's Field), a blank in-DC by 'In DC Date', a vendor with no holiday country by the Vendors sheet's
    'Holidays'."""
    rows = [[*r[:5], None if i == 0 else r[5], *r[6:]] for i, r in enumerate(LINES)]
    rows[1][6] = None  # no In-DC on the second line
    book = po_tracker(tmp_path / "team.xlsx", ["PO No.", "Style No", "Colour", "Qty", "PO Date", "Ex-Fty Date",
                                               "In DC Date", "Cxl Date"], rows)
    wb = openpyxl.load_workbook(book)
    wb["T&A Templates"].append(["Knit", "DC-IN", "DC receipt", "DC", "In-DC", 0, "Calendar", "No", "Shipping"])
    wb["Vendors"]["G1"] = "Holidays"
    wb["Vendors"]["G2"] = None
    wb.save(book)
    result = run(book, ["ta"], ctx(tmp_path))
    xf = [f for f in result.findings if f.code is Code.ANCHOR_DATE_MISSING and f.row == 5]
    assert xf and all(f.column == "Ex-Fty Date" and "no date in its 'Ex-Fty Date' cell" in f.message for f in xf), \
        [f.text() for f in xf]
    dc = [f for f in result.findings if f.code is Code.ANCHOR_DATE_MISSING and f.row == 6]
    assert dc and dc[0].column == "In DC Date" and "no date in its 'In DC Date' cell" in dc[0].message
    holiday = [f for f in result.findings if f.code is Code.NO_HOLIDAY_DATA and f.sheet == "Vendors"]
    assert holiday and all(f.column == "Holidays" for f in holiday)
    assert "has no Holidays" in holiday[0].message
    issues = [dict(zip(sheet_values(book, "Issues")[0], r)) for r in sheet_values(book, "Issues")[1:]]
    fields = {r["Field"] for r in issues if r["Code"] == str(Code.ANCHOR_DATE_MISSING)}
    assert fields == {"Ex-Fty Date", "In DC Date"}


def test_a_date_column_the_sheet_lacks_is_said_at_its_header_row(tmp_path: Path) -> None:
    """The team's PO sheet has no In-DC column and a template anchors on it: said at the header (row 4), not at
    the merged title in row 1."""
    rows = [r[:6] + r[7:] for r in LINES]
    book = po_tracker(tmp_path / "no_dc.xlsx", ["PO No.", "Style No", "Colour", "Qty", "PO Date", "Ex-Fty Date",
                                                "Cxl Date"], rows)
    wb = openpyxl.load_workbook(book)
    wb["T&A Templates"].append(["Knit", "DC-IN", "DC receipt", "DC", "In-DC", 0, "Calendar", "No", "Shipping"])
    wb.save(book)
    result = run(book, ["ta"], ctx(tmp_path))
    absent = [f for f in result.findings if f.code is Code.ANCHOR_DATE_MISSING]
    assert [(f.sheet, f.row) for f in absent] == [("PO Tracker", 4)], [f.text() for f in absent]
    assert "no In-DC column" in absent[0].message


# --- U7: a column the Style Master does not keep ---------------------------------------------------------------

def test_a_column_the_style_master_lacks_is_one_error_not_one_per_style(tmp_path: Path) -> None:
    """Three adopted styles and no Retail or Size Range column: one error per column, naming how many styles need
    it, the first, and the Config row that stops it; a blank cell in a column the sheet has is still one error per
    style."""
    sheets = base_sheets()
    sheets["Styles"] = [["Style No", "Description", "Supplier", "TNA Plan", "Style Status", "FOB (USD)"],
                        ["S1", "Crew tee", "BD1", "Knit", "Adopted", None],
                        ["S2", "Chino", "CN1", "Knit", "Adopted", None],
                        ["S3", "Polo", "BD1", "Knit", "Adopted", 6.5]]
    sheets["Config"] = [["Setting", "Value"], ["Required: Adopted", "Description, FOB (USD), Retail (USD), "
                                                                    "Size Range"]]
    book = write_book(tmp_path / "team.xlsx", sheets)
    result = run(book, ["validate"], ctx(tmp_path))
    required = [f for f in result.findings if f.code is Code.REQUIRED and f.sheet == "Styles"]
    by_column: dict[str, list[Finding]] = {}
    for f in required:
        by_column.setdefault(str(f.column), []).append(f)
    assert sorted(by_column) == ["FOB (USD)", "Retail (USD)", "Size Range"], [f.text() for f in required]
    for header in ("Retail (USD)", "Size Range"):
        (one,) = by_column[header]
        assert one.row == 2 and "3 styles" in one.message and "style S1, row 2" in one.message
        assert f"no '{header}' column" in one.message and "Config row 'Required: Adopted'" in one.message
    assert [f.row for f in by_column["FOB (USD)"]] == [2, 3]  # blank cells of a column it has: one per style
    assert all("fill it in" in f.message for f in by_column["FOB (USD)"])
    assert normalise_header("Size Range") in {normalise_header(str(r[3])) for r in sheet_values(book, "Issues")[1:]}
