"""A password-protected workbook is named as such (not "damaged") and left alone."""

from __future__ import annotations

from pathlib import Path

import olefile
import pytest

from faults.helpers import TODAY, cli, folder_listing, make_tracker

msoffcrypto = pytest.importorskip("msoffcrypto", reason="msoffcrypto-tool (the test extra) encrypts the fixture")


def _encrypted_tracker(folder: Path) -> Path:
    """A real encrypted .xlsx, as Excel's File > Info > Protect Workbook > Encrypt with Password writes."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_tracker(folder / "plain")
    book = folder / "tracker.xlsx"
    with open(plain, "rb") as src, open(book, "wb") as out:
        OOXMLFile(src).encrypt("s3cret", out)
    plain.unlink()
    plain.parent.rmdir()
    assert olefile.isOleFile(str(book)) and olefile.OleFileIO(str(book)).exists("EncryptionInfo")
    return book


@pytest.mark.parametrize("command", ["refresh", "ta", "validate"])
def test_an_encrypted_workbook_is_called_password_protected(tmp_path, command):
    book = _encrypted_tracker(tmp_path)
    before, listing = book.read_bytes(), folder_listing(tmp_path)
    code, out = cli(command, str(book), "--today", TODAY)
    assert code == 2, out
    assert "'tracker.xlsx' is protected with a password" in out and "Encrypt with Password" in out, out
    assert "damaged" not in out and "Traceback" not in out
    assert book.read_bytes() == before and folder_listing(tmp_path) == listing


def test_an_old_xls_renamed_is_not_called_password_protected(tmp_path):
    """An OLE file without EncryptionInfo (an .xls saved as .xlsx by mistake) keeps its own message."""
    book = tmp_path / "tracker.xlsx"
    with open(book, "wb") as f:
        f.write(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + "Workbook".encode("utf-16-le") + b"\0" * 1000)
    code, out = cli("ta", str(book), "--today", TODAY)
    assert code == 2 and "password" not in out and "not a valid .xlsx package" in out, out
