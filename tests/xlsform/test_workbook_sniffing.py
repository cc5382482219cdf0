"""The upload is looked at before pyxform sees it: wrong formats, damaged files and oversize or
zip-bomb uploads are refused with one clear bilingual Problem."""
from __future__ import annotations

import io
import zipfile

import pytest

from app.xlsform.problems import WorkbookRejected
from app.xlsform.workbook import read_sheets, sniff_workbook
from tests.xlsform.xlsx_builder import simple_form


def refusal(filename: str, data: bytes, **kw):
    with pytest.raises(WorkbookRejected) as exc:
        sniff_workbook(filename, data, **kw)
    problems = exc.value.problems
    assert len(problems) == 1
    p = problems[0]
    assert p.is_error and p.message_th and p.message_en and p.hint_th and p.hint_en
    return p


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


def test_a_real_workbook_passes():
    sniff_workbook("form.xlsx", simple_form())


def test_fifty_megabyte_upload_is_refused_as_too_large():
    p = refusal("big.xlsx", b"PK\x03\x04" + bytes(50 * 1024 * 1024))
    assert p.code == "too_large"
    assert "50 MB" in p.message_en and "10 MB" in p.message_en
    assert "ใหญ่เกินไป" in p.message_th


def test_size_limit_is_a_parameter():
    data = simple_form()
    assert refusal("form.xlsx", data, max_bytes=len(data) - 1).code == "too_large"
    sniff_workbook("form.xlsx", data, max_bytes=len(data))


def test_old_xls_file_is_told_to_save_as_xlsx():
    p = refusal("form.xls", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(2000))
    assert p.code == "xls_format"
    assert ".xls" in p.message_th and ".xlsx" in p.hint_th
    assert "Save As" in p.hint_en


def test_csv_renamed_to_xlsx_is_named_as_such():
    p = refusal("form.xlsx", "type,name,label\ntext,name,ชื่อ\n".encode())
    assert p.code == "not_xlsx_text"
    assert "CSV" in p.message_th and "renamed" in p.message_en


def test_binary_junk_is_not_a_workbook():
    assert refusal("form.xlsx", bytes(range(256)) * 10).code == "not_xlsx"


def test_empty_file_is_refused():
    assert refusal("form.xlsx", b"").code == "empty_file"


def test_truncated_workbook_is_reported_as_damaged():
    data = simple_form()
    assert refusal("form.xlsx", data[: len(data) // 2]).code == "corrupt_zip"


def test_flipped_bytes_inside_a_member_are_reported_as_damaged():
    data = bytearray(zip_of({"xl/workbook.xml": b"<workbook>" + b"x" * 5000 + b"</workbook>"}))
    data[60] ^= 0xFF  # inside the compressed data: CRC no longer matches
    assert refusal("form.xlsx", bytes(data)).code == "corrupt_zip"


def test_zip_without_workbook_is_not_excel():
    p = refusal("form.xlsx", zip_of({"word/document.xml": b"<w/>"}))
    assert p.code == "not_xlsx_zip" and "Word" in p.message_en


def test_zip_bomb_by_ratio_is_refused():
    assert refusal("form.xlsx", zip_of({"xl/workbook.xml": b"<a/>", "xl/big.xml": bytes(20 * 1024 * 1024)})
                   ).code == "zip_bomb"


def test_zip_bomb_by_total_size_is_refused(monkeypatch):
    from app.xlsform import workbook

    monkeypatch.setattr(workbook, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    members = {"xl/workbook.xml": b"<a/>", **{f"xl/s{i}.xml": bytes(300 * 1024) for i in range(4)}}
    assert refusal("form.xlsx", zip_of(members)).code == "zip_bomb"


def test_read_sheets_keeps_excel_row_positions_across_blank_rows():
    from tests.xlsform.xlsx_builder import make_xlsx

    sheets = read_sheets(make_xlsx([["type", "name"], ["text", "a"], [], ["text", "b"]]))
    assert sheets["survey"][3] == ["text", "b"]  # index 3 == Excel row 4
