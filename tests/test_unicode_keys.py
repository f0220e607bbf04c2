"""Keys in the Unicode forms vendors and machines give them: full-width text from an Asian keyboard
('ＰＯ４５０００００００１'), accents typed apart from their letter (a Mac's file names, some vendor
systems), no-break and zero-width spaces from a copied web page or e-mail. Each is the key the APM typed."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from conftest import base_sheets, sheet_values, write_book
from prodbook.core import keys
from prodbook.jobs.base import Context
from prodbook.jobs.runner import run

TODAY = date(2027, 3, 3)
NFC_CREME = unicodedata.normalize("NFC", "Crème")
NFD_CREME = unicodedata.normalize("NFD", "Crème")


def full_width(text: str) -> str:
    """``text`` as an IME in full-width mode types it: ASCII letters, digits and signs at U+FF01.."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def ctx(*files: Path) -> Context:
    return Context(today=TODAY, now=datetime(2027, 3, 3, 9, 0), files=tuple(files))


def tracker(tmp_path: Path) -> Path:
    sheets = base_sheets()
    sheets["Orders"] += [
        ["4500000001", "S1", "Heather Grey", 600, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10),
         date(2027, 5, 20)],
        ["4500000005", "S1", NFC_CREME, 400, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10),
         date(2027, 5, 20)],
        ["4500000006", "S1", "Off White", 300, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10),
         date(2027, 5, 20)]]
    sheets["Config"] = [["Setting", "Value"], ["WIP Vendor: *", "BD1"]]
    return write_book(tmp_path / "tracker.xlsx", sheets)


def vendor_file(folder: Path, name: str, lines: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "WIP"
    ws.append(["WIP report as of 01-Mar-2027"])
    ws.append([])
    ws.append(["PO No.", "Style No", "Colour", "Order Qty", "Cut Qty", "Sewn Qty", "Packed Qty"])
    for line in lines:
        ws.append(line)
    path = folder / name
    wb.save(path)
    return path


def wip_rows(path: Path) -> list[dict]:
    rows = sheet_values(path, "Vendor WIP")
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[0]] if rows else []


def test_a_report_typed_full_width_or_copied_from_the_web_matches_the_orders(tmp_path):
    book = tracker(tmp_path)
    f = vendor_file(tmp_path, "weekly.xlsx", [
        [full_width("PO4500000001"), full_width("S1"), full_width("NAVY"), 1200, 1150, 800, 300],
        ["4500000001", "S1", "\u00a0Heather\u00a0Grey\u200b", 600, 600, 450, 0],  # e-mail: no-break, zero-width
        ["4500000005", "S\u200b1", NFD_CREME, 400, 100, 0, 0],  # decomposed: a Mac or the vendor's system
        ["4500000006", full_width("S-1"), "Off\u3000White", 300, 0, 0, 0]])
    result = run(book, ["wip"], ctx(f))
    got = [(r["PO #"], r["Style #"], r["Color"], r["Cut Qty"]) for r in wip_rows(book)]
    assert got == [("4500000001", "S1", "Navy", 1150), ("4500000001", "S1", "Heather Grey", 600),
                   ("4500000005", "S1", NFC_CREME, 100), ("4500000006", "S1", "Off White", 0)]
    assert result.outcomes[0].data == {"files": 1, "imported": 4, "not_imported": 0}


def test_a_report_sent_again_under_its_name_in_the_other_unicode_form_replaces_it(tmp_path):
    """The first report was saved from Outlook on Windows (NFC name); the vendor's corrected one came through a
    Mac's folder (NFD name) and no longer lists the line it had wrong: it is the same file, so it replaces it."""
    book = tracker(tmp_path)
    first = tmp_path / "nfc"
    again = tmp_path / "nfd"
    first.mkdir()
    again.mkdir()
    run(book, ["wip"], ctx(vendor_file(first, f"{NFC_CREME} weekly.xlsx",
                                       [["4500000001", "S1", "Navy", 1200, 1150, 800, 300]])))
    result = run(book, ["wip"], ctx(vendor_file(again, f"{NFD_CREME} weekly.xlsx",
                                                [["4500000001", "S1", "Heather Grey", 600, 600, 450, 0]])))
    rows = wip_rows(book)
    assert [(r["PO #"], r["Color"]) for r in rows] == [("4500000001", "Heather Grey")]
    said = "\n".join(result.outcomes[0].summary)
    assert "kept beside" not in said and "other report" not in said  # the same file: nothing to explain


def test_two_orders_rows_that_differ_only_in_unicode_form_are_one_line(tmp_path):
    """'Crème' typed on a PC and pasted from a Mac look the same in the cell: the second is a repeat of the
    first, as the T&A matches them, not a line of its own."""
    sheets = base_sheets()
    sheets["Orders"] += [
        ["4500000005", "S1", NFC_CREME, 400, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10),
         date(2027, 5, 20)],
        [full_width("4500000005"), "S1", NFD_CREME, 400, date(2027, 1, 4), date(2027, 4, 15),
         date(2027, 5, 10), date(2027, 5, 20)]]
    book = write_book(tmp_path / "tracker.xlsx", sheets)
    result = run(book, ["ta"], ctx())
    dup = [f for f in result.findings if f.code.name == "DUPLICATE_KEY"]
    assert [(f.sheet, f.row) for f in dup] == [("Orders", 5)]
    ta = sheet_values(book, "T&A")
    assert sum(1 for r in ta[1:] if r[0] == "4500000005" and r[4] == "XF") == 1


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def _disguises(text: str) -> list[str]:
    """``text`` as machines write it: NFC, NFD, NFKC, full-width, with zero-width and no-break spaces."""
    return [text, unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text),
            unicodedata.normalize("NFKC", text), full_width(text), f"\u200b{text}\ufeff",
            "\u00a0" + text.replace(" ", "\u00a0") + "\u2060"]


@given(_TEXT)
def test_every_fold_of_a_key_ignores_the_unicode_form_and_folds_alike(text):
    disguised = _disguises(text)
    want = keys.fold_text(text)
    assert [keys.fold_text(t) for t in disguised] == [want] * len(disguised)
    assert [keys.fold_ref(t) for t in disguised] == [keys.fold_ref(text)] * len(disguised)
    assert keys.fold_text(want) == want and keys.fold_ref(keys.fold_ref(text)) == keys.fold_ref(text)
    # the column-wise twins fold each value as fold_text does (both sides of a match fold alike)
    column = np.array([*disguised, "x", *disguised], dtype=object)
    assert keys.fold_column(column).tolist() == [keys.fold_text(t) for t in column]
    assert keys.upper_stripped(pd.Series(column, dtype=object)).tolist() == [keys.fold_text(t) for t in column]
    frame = pd.DataFrame({"po": column, "style": column[::-1], "color": column, "code": column})
    assert len(set(keys.index_key(frame)[: len(disguised)])) == 1


def test_a_style_number_with_accents_or_another_script_keeps_its_letters(tmp_path):
    """A vendor's system that cannot type 'ÉTÉ-01' sends 'ETE-01': the same style. A style '女装-01' is not the
    style '01' (every letter of another script once folded to nothing, so the two collided)."""
    assert keys.fold_ref("ÉTÉ-01") == keys.fold_ref("ete 01") == keys.fold_ref(unicodedata.normalize("NFD", "été01"))
    assert keys.fold_ref("女装-01") != keys.fold_ref("01") and keys.fold_ref("女装-01") == keys.fold_ref("女装 1")
    assert keys.fold_ref("PO ٤٥٠٠١") == keys.fold_ref("45001")  # Arabic-Indic digits are the digits
    sheets = base_sheets()
    sheets["Styles"].append(["ÉTÉ-01", "Sundress", "BD1", "Knit", "Adopted"])
    sheets["Orders"] += [
        ["4500000007", "ÉTÉ-01", "Navy", 500, date(2027, 1, 4), date(2027, 4, 15), date(2027, 5, 10),
         date(2027, 5, 20)]]
    sheets["Config"] = [["Setting", "Value"], ["WIP Vendor: *", "BD1"]]
    book = write_book(tmp_path / "tracker.xlsx", sheets)
    f = vendor_file(tmp_path, "weekly.xlsx", [["4500000007", "ETE-01", "NAVY", 500, 320, 100, 0]])
    result = run(book, ["wip"], ctx(f))
    assert [(r["PO #"], r["Style #"], r["Cut Qty"]) for r in wip_rows(book)] == [("4500000007", "ÉTÉ-01", 320)]
    assert result.outcomes[0].data == {"files": 1, "imported": 1, "not_imported": 0}


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=10))
def test_a_folded_reference_folds_to_itself(text):
    assert keys.fold_ref(keys.fold_ref(text)) == keys.fold_ref(text)
