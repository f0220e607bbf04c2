"""Gaps of the WIP import found on 2026-12-06: reports attached to saved e-mails neither gave nor took a
vendor's date order; Chinese and Vietnamese report-date labels were not read; the run summary called a
report whose columns were not understood 'not a WIP report'; and (found reading the job) a file with no PO
column was 'left to the record check', which only reads style sheets. Each case is real files written here
and imported through the job."""
from __future__ import annotations

import csv
import io
from datetime import date
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import openpyxl

from conftest import assert_finding
from prodbook.core.findings import Code
from prodbook.jobs.runner import run
from test_wip import as_date, ctx, tracker_with_lines, wip_rows

HEADER = ["PO #", "Style #", "Color", "Order Qty", "Cut Qty", "Ex-Factory", "Revised XF", "Remarks"]
CSV_MIME = ("text", "csv")
XLSX_MIME = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def csv_text(*rows: list) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def a_csv(folder: Path, name: str, *rows: list) -> Path:
    path = folder / name
    path.write_bytes(csv_text(*rows))
    return path


def xlsx_bytes(*rows: list) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "WIP"
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def eml(path: Path, *attachments: tuple[str, bytes, tuple[str, str]], sender: str = "merch@dhaka-knit.example",
        sent: str = "Tue, 02 Mar 2027 10:00:00 +0600") -> Path:
    """A message as a mail program saves it: a text body, then the attachments (base64)."""
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Date"] = sender, "apm@retailer.example", "WIP", sent
    m.set_content("Dear team, please find our WIP attached.")
    for name, data, (maintype, subtype) in attachments:
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    path.write_bytes(m.as_bytes(policy=SMTP))
    return path


def by_file(book: Path, name: str) -> list[dict]:
    return [r for r in wip_rows(book) if r["Source File"] == name]


# --- 1. attachments give and take a vendor's date order ----------------------------------------------------

def test_an_attached_report_tells_how_its_vendor_writes_dates_to_a_file_of_the_run(tmp_path):
    """BD1's e-mailed report showed 20/04/2027 (day first); its plain file of the same run, whose dates all read
    both ways, was read month first: 01/03/2027 became 3 January and 10/04/2027 became 4 October."""
    book = tracker_with_lines(tmp_path)
    msg = eml(tmp_path / "BD1 WIP.eml", ("weekly.csv", csv_text(
        ["Report date: 02/03/2027"], HEADER, ["4500000001", "S1", "Heather Grey", 600, 600, "20/04/2027", "", ""]),
        CSV_MIME))  # no vendor in its name: the sender, BD1's merchandiser, decides
    unsure = a_csv(tmp_path, "dhaka_wip_b.csv", ["Report date: 01/03/2027"], HEADER,
                   ["4500000003", "S1", "Light Blue", 500, 100, "10/04/2027", "05/05/2027", ""])
    result = run(book, ["wip"], ctx(msg, unsure))
    (row,) = by_file(book, "dhaka_wip_b.csv")
    assert (as_date(row["Report Date"]), as_date(row["Planned XF"]), as_date(row["Revised XF"])) == (
        date(2027, 3, 1), date(2027, 4, 10), date(2027, 5, 5))
    note = assert_finding(result.findings, Code.WIP_DATE_ORDER, file="dhaka_wip_b.csv", value="01/03/2027")
    assert "'20/04/2027' in BD1 WIP.eml > attachment 'weekly.csv'" in note.message


def test_an_attached_report_follows_how_its_vendor_writes_dates_in_a_file_of_the_run(tmp_path):
    """The other way: the file shows day first, the attachment's dates all read both ways and took the
    tracker's month-first order."""
    book = tracker_with_lines(tmp_path)
    shows = a_csv(tmp_path, "dhaka_wip_a.csv", ["Report date: 02/03/2027"], HEADER,
                  ["4500000001", "S1", "Heather Grey", 600, 600, "20/04/2027", "", ""])
    msg = eml(tmp_path / "BD1 WIP.eml", ("dhaka_wip_b.xlsx", xlsx_bytes(
        ["Report date: 01/03/2027"], HEADER, ["4500000003", "S1", "Light Blue", 500, 100, "10/04/2027",
                                              "05/05/2027", ""]), XLSX_MIME))
    result = run(book, ["wip"], ctx(shows, msg))
    (row,) = by_file(book, "BD1 WIP.eml > attachment 'dhaka_wip_b.xlsx'")
    assert (as_date(row["Report Date"]), as_date(row["Planned XF"]), as_date(row["Revised XF"])) == (
        date(2027, 3, 1), date(2027, 4, 10), date(2027, 5, 5))
    note = assert_finding(result.findings, Code.WIP_DATE_ORDER, value="01/03/2027")
    assert note.file == "BD1 WIP.eml > attachment 'dhaka_wip_b.xlsx'" and "'dhaka_wip_a.csv'" in note.message


def test_two_messages_of_one_vendor_share_its_date_order_and_each_attachment_is_read_once(tmp_path, monkeypatch):
    """Attachments count between messages too, and reading them all first does not read any twice."""
    from prodbook.jobs import wip_job
    reads: list[str] = []
    real = wip_job.read_vendor_file
    monkeypatch.setattr(wip_job, "read_vendor_file", lambda path, config, shown: reads.append(shown) or real(
        path, config, shown))
    book = tracker_with_lines(tmp_path)
    first = eml(tmp_path / "a.eml", ("dhaka_wip_a.csv", csv_text(
        ["Report date: 02/03/2027"], HEADER, ["4500000001", "S1", "Heather Grey", 600, 600, "20/04/2027", "", ""]),
        CSV_MIME))
    second = eml(tmp_path / "b.eml", ("dhaka_wip_b.csv", csv_text(
        ["Report date: 01/03/2027"], HEADER, ["4500000003", "S1", "Light Blue", 500, 100, "10/04/2027", "", ""]),
        CSV_MIME))
    run(book, ["wip"], ctx(first, second))
    (row,) = by_file(book, "b.eml > attachment 'dhaka_wip_b.csv'")
    assert (as_date(row["Report Date"]), as_date(row["Planned XF"])) == (date(2027, 3, 1), date(2027, 4, 10))
    assert sorted(reads) == ["a.eml > attachment 'dhaka_wip_a.csv'", "b.eml > attachment 'dhaka_wip_b.csv'"]


# --- 2. Chinese and Vietnamese report-date labels ---------------------------------------------------------

ROW = ["4500000001", "S1", "Heather Grey", 600, 300, "2027-04-20", "", ""]


def test_a_chinese_report_date_label_dates_the_report(tmp_path):
    """'报告日期：2027年3月1日' above the header: the file was dated today, so an old report became the newest."""
    book = tracker_with_lines(tmp_path)
    written = tmp_path / "dhaka 进度表.xlsx"
    written.write_bytes(xlsx_bytes(["生产进度表"], ["订单日期: 2027-01-04", "报告日期：2027年2月26日"], [],
                                   HEADER, ROW))
    beside = tmp_path / "dhaka 进度表 2.xlsx"  # the label in one cell, the date (a real date) in the next
    beside.write_bytes(xlsx_bytes(["報告日期", date(2027, 2, 19)], HEADER, [*ROW[:4], 200, *ROW[5:]]))
    as_of = a_csv(tmp_path, "dhaka cn.csv", ["出货日期: 2027-04-15"], ["生产进度 截至2027年2月12日止"], HEADER,
                  [*ROW[:4], 100, *ROW[5:]])
    result = run(book, ["wip"], ctx(written, beside, as_of))
    dates = {r["Source File"]: as_date(r["Report Date"]) for r in wip_rows(book)}
    assert dates == {"dhaka 进度表.xlsx": date(2027, 2, 26), "dhaka 进度表 2.xlsx": date(2027, 2, 19),
                     "dhaka cn.csv": date(2027, 2, 12)}  # not the 出货日期 (ship date) above it
    assert [f for f in result.findings if f.code is Code.WIP_REPORT_DATE and "today" in f.message] == []


def test_a_bare_chinese_date_label_counts_but_not_an_order_or_ship_date(tmp_path):
    """'日期:' on its own is the report's date (weak, like a bare 'Date:'); '订单日期' before it is not."""
    book = tracker_with_lines(tmp_path)
    path = tmp_path / "dhaka wip.xlsx"
    path.write_bytes(xlsx_bytes(["订单日期: 2027/01/04", "日期: 2027/02/27"], HEADER, ROW))
    run(book, ["wip"], ctx(path))
    assert [as_date(r["Report Date"]) for r in wip_rows(book)] == [date(2027, 2, 27)]


def test_a_vietnamese_report_date_label_dates_the_report(tmp_path):
    """'Ngày báo cáo: 26/02/2027' (report date) and 'Tính đến ngày' (as of) were not read; 'Ngày giao hàng'
    (delivery date) is not the report's date."""
    book = tracker_with_lines(tmp_path)
    first = a_csv(tmp_path, "dhaka vn.csv", ["Ngày giao hàng: 15/04/2027"], ["Ngày báo cáo: 26/02/2027"], HEADER,
                  [*ROW[:5], "20/04/2027", "", ""])
    second = a_csv(tmp_path, "dhaka vn 2.csv", ["BÁO CÁO SẢN XUẤT - Tính đến ngày 19/02/2027"], HEADER,
                   ["4500000003", "S1", "Light Blue", 500, 100, "20/04/2027", "", ""])
    result = run(book, ["wip"], ctx(first, second))
    dates = {r["Source File"]: as_date(r["Report Date"]) for r in wip_rows(book)}
    assert dates == {"dhaka vn.csv": date(2027, 2, 26), "dhaka vn 2.csv": date(2027, 2, 19)}
    assert [f for f in result.findings if f.code is Code.WIP_REPORT_DATE and "today" in f.message] == []


# --- 3. the run summary of a report whose columns were not understood ----------------------------------------

def summary(result) -> list[str]:
    return result.outcomes[0].summary


def test_a_report_with_only_its_mapped_po_column_understood_is_not_called_not_a_report(tmp_path):
    """The team mapped BD1's PO column; its other headers (Knitting, Linking, Ready) are not understood. The
    Issues sheet said so (a warning), but the run summary said 'not a WIP report, skipped'."""
    book = tracker_with_lines(tmp_path, config=[["WIP Column: BD1 / PO #", "Order Ref"]])
    path = a_csv(tmp_path, "dhaka knit.csv", ["Report date: 01-Mar-2027"],
                 ["Order Ref", "Article", "Shade", "Knitting", "Linking", "Ready"],
                 ["4500000001", "S1", "Heather Grey", 600, 300, 100])
    msg = eml(tmp_path / "knit.eml", ("dhaka knit 2.csv", path.read_bytes(), CSV_MIME))
    result = run(book, ["wip"], ctx(path, msg))
    assert "  dhaka knit.csv: not imported, its columns were not understood (see the Issues sheet)" in summary(result)
    assert ("  knit.eml > attachment 'dhaka knit 2.csv': not imported, its columns were not understood (see the "
            "Issues sheet)") in summary(result)
    assert not [line for line in summary(result) if "not a WIP report" in line]
    warn = assert_finding(result.findings, Code.COLUMN_MISSING, file="dhaka knit.csv", severity="warning")
    assert "'Knitting'" in warn.message and "'WIP Column: BD1 / Cut Qty'" in warn.message


def test_a_packing_list_is_still_not_a_report_in_the_summary(tmp_path):
    book = tracker_with_lines(tmp_path)
    path = a_csv(tmp_path, "dhaka packing.csv", ["PO #", "Style #", "Color", "Carton No", "Pcs/Ctn"],
                 ["4500000001", "S1", "Heather Grey", "1-10", 24])
    result = run(book, ["wip"], ctx(path))
    assert "  dhaka packing.csv: not a WIP report, skipped" in summary(result)


# --- 4. found reading the job: a packing list attached, a file with no PO column ----------------------------

def test_an_attached_packing_list_is_named_as_one_not_as_a_style_sheet(tmp_path):
    """A packing list attached beside the report was named 'not a WIP report (it has style columns but no PO
    column)... save it and import it with the other files': it has a PO column, and importing it as a file
    imports nothing either. Its note is the one a packing-list file gets."""
    book = tracker_with_lines(tmp_path)
    msg = eml(tmp_path / "shipment.eml",
              ("dhaka WIP.csv", csv_text(["Report date: 01-Mar-2027"], HEADER, ROW), CSV_MIME),
              ("dhaka packing list.csv", csv_text(["PO #", "Style #", "Color", "Carton No", "Pcs/Ctn"],
                                                  ["4500000001", "S1", "Heather Grey", "1-10", 24]), CSV_MIME))
    result = run(book, ["wip"], ctx(msg))
    assert [r["Source File"] for r in wip_rows(book)] == ["shipment.eml > attachment 'dhaka WIP.csv'"]
    note = assert_finding(result.findings, Code.COLUMN_MISSING,
                          file="shipment.eml > attachment 'dhaka packing list.csv'")
    assert "packing list" in note.message and "'Carton No'" in note.message
    assert "style columns but no PO column" not in note.message and "save it from the message" not in note.message
    assert "  shipment.eml > attachment 'dhaka packing list.csv': not a WIP report, skipped" in summary(result)


def test_a_report_without_a_po_column_read_is_not_left_to_the_record_check(tmp_path):
    """A report whose PO header ('Job No') is not understood is an error ('not imported'); the summary said
    'not a WIP report, left to the record check', which reads only style and costing sheets."""
    book = tracker_with_lines(tmp_path)
    path = a_csv(tmp_path, "dhaka wip.csv", ["Report date: 01-Mar-2027"],
                 ["Job No", "Article", "Shade", "Cut Qty", "Sewn Qty"], ["4500000001", "S1", "Heather Grey", 600, 300])
    result = run(book, ["wip"], ctx(path))
    assert "  dhaka wip.csv: not imported, its columns were not understood (see the Issues sheet)" in summary(result)
    assert not [line for line in summary(result) if "record check" in line]
    assert_finding(result.findings, Code.COLUMN_MISSING, file="dhaka wip.csv", severity="error")


def test_a_damaged_message_attachment_or_file_is_named_in_the_summary_not_as_no_report_attached(tmp_path):
    """A damaged message, or one whose only report is damaged, was summed up as 'no WIP report attached'; a
    damaged report beside a good one, or a damaged file, had no line at all (only the Issues sheet knew)."""
    book = tracker_with_lines(tmp_path)
    broken = b"PK\x03\x04 not a real workbook" * 10
    both = eml(tmp_path / "both.eml", ("dhaka WIP.csv", csv_text(["Report date: 01-Mar-2027"], HEADER, ROW), CSV_MIME),
               ("dhaka WIP 2.xlsx", broken, XLSX_MIME))
    only = eml(tmp_path / "only.eml", ("dhaka WIP 3.xlsx", broken, XLSX_MIME))
    (tmp_path / "damaged.msg").write_bytes(b"not an outlook message")
    (tmp_path / "dhaka damaged.xlsx").write_bytes(broken)
    result = run(book, ["wip"], ctx(both, only, tmp_path / "damaged.msg", tmp_path / "dhaka damaged.xlsx"))
    lines = summary(result)
    assert "  both.eml > attachment 'dhaka WIP 2.xlsx': not imported (see the Issues sheet)" in lines
    assert "  only.eml > attachment 'dhaka WIP 3.xlsx': not imported (see the Issues sheet)" in lines
    assert "  damaged.msg: could not be read as an e-mail message, skipped (see the Issues sheet)" in lines
    assert "  dhaka damaged.xlsx: could not be read, skipped (see the Issues sheet)" in lines
    assert not [line for line in lines if "no WIP report attached" in line]
    assert [r["Source File"] for r in wip_rows(book)] == ["both.eml > attachment 'dhaka WIP.csv'"]
