"""Exports of submissions as CSV (ZIP with repeats) and XLSX: columns, repeats, labels, safety."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook

from app.reports.export import (
    ExportOptions,
    build_tables,
    csv_file_names,
    iter_csv,
    safe_text,
    write_csv,
    write_xlsx,
)
from tests.reports.helpers import EN, flat_definition, sample_data, sample_definition

NAMES = ExportOptions(headers="names")


def record(instance_id="uuid:1", data=None, **kw):
    rec = {
        "instance_id": instance_id,
        "received_at": datetime(2024, 3, 5, 3, 30, tzinfo=timezone.utc),
        "status": "accepted",
        "submitted_by": "officer1",
        "version": "2024030101",
        "data": sample_data() if data is None else data,
        "attachments": [],
    }
    rec.update(kw)
    return rec


def xlsx_sheets(definition, records, options=NAMES) -> dict[str, list[list]]:
    out = io.BytesIO()
    write_xlsx(definition, records, out, options)
    out.seek(0)
    wb = load_workbook(out)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def csv_tables(definition, records, options=NAMES) -> dict[str, list[list[str]]]:
    out = io.BytesIO()
    zipped = write_csv(definition, records, out, options)
    raw = out.getvalue()
    if not zipped:
        return {"main": _read_csv(raw)}
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        return {name: _read_csv(zf.read(name)) for name in zf.namelist()}


def _read_csv(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def as_dicts(rows):
    header, *body = rows
    return [dict(zip(header, r)) for r in body]


def test_columns_follow_form_order_skip_notes_keep_calculates_and_flatten_groups():
    main = build_tables(sample_definition(), NAMES)[0]
    assert main.headers[:11] == ["_instance_id", "_submission_time", "_status", "_version", "_submitted_by",
                                 "_received_th", "_group_name", "_village", "_district", "_level", "_assessed_on"]
    questions = main.headers[11:]
    assert "intro" not in questions
    assert questions == [
        "name", "age", "balance", "crops", "crops/rice", "crops/cassava", "crops/rubber", "sex",
        "hh/village", "hh/photo", "hh/location", "score", "meta/instanceID",
    ]


def test_select_multiple_gets_raw_column_and_one_flag_column_per_option():
    rows = as_dicts(xlsx_sheets(sample_definition(), [record()])["household"])
    assert rows[0]["crops"] == "rice rubber"
    assert (rows[0]["crops/rice"], rows[0]["crops/cassava"], rows[0]["crops/rubber"]) == (1, 0, 1)
    csv_rows = as_dicts(csv_tables(sample_definition(), [record()])["household.csv"])
    assert (csv_rows[0]["crops/rice"], csv_rows[0]["crops/cassava"]) == ("1", "0")


def test_unanswered_select_multiple_leaves_option_flags_empty():
    data = sample_data()
    del data["/data/crops"]
    rows = as_dicts(xlsx_sheets(sample_definition(), [record(data=data)])["household"])
    assert rows[0]["crops"] is None and rows[0]["crops/rice"] is None


def test_meta_columns_carry_instance_time_status_version_and_submitter():
    row = as_dicts(xlsx_sheets(sample_definition(), [record()])["household"])[0]
    assert row["_instance_id"] == "uuid:1"
    assert row["_submission_time"] == "2024-03-05T03:30:00+00:00"
    assert (row["_status"], row["_version"], row["_submitted_by"]) == ("accepted", "2024030101", "officer1")


def test_named_columns_carry_group_district_level_and_thai_time():
    rec = {**record(), "group_name": "กลุ่มออมทรัพย์บ้านนาดี", "village": "บ้านนาดี", "district": "เมืองเลย",
           "level": "ระดับ 3 ดี", "assessed_on": date(2024, 3, 4)}
    row = as_dicts(xlsx_sheets(sample_definition(), [rec])["household"])[0]
    assert row["_received_th"] == "2024-03-05 10:30"  # 03:30 UTC is 10:30 in Thailand
    assert (row["_group_name"], row["_village"], row["_district"], row["_level"]) == (
        "กลุ่มออมทรัพย์บ้านนาดี", "บ้านนาดี", "เมืองเลย", "ระดับ 3 ดี")
    assert row["_assessed_on"] == "2024-03-04"
    labelled = build_tables(sample_definition(), ExportOptions(headers="labels"))[0].headers
    assert labelled[5:11] == ["รับเมื่อ (เวลาไทย)", "กลุ่ม", "หมู่บ้าน", "อำเภอ", "ระดับ (เซิร์ฟเวอร์)", "วันที่ประเมิน"]


def test_repeat_rows_get_own_sheet_linked_to_the_submission_by_parent_key():
    sheets = xlsx_sheets(sample_definition(), [record("uuid:1"), record("uuid:2", sample_data("สมหญิง"))])
    assert list(sheets) == ["household", "members", "visits"]
    members = as_dicts(sheets["members"])
    assert sheets["members"][0] == ["_parent_key", "_key", "mname", "mage"]
    assert [(m["_parent_key"], m["_key"], m["mname"]) for m in members] == [
        ("uuid:1", "uuid:1:/data/members[1]", "แดง"),
        ("uuid:1", "uuid:1:/data/members[2]", "ดำ"),
        ("uuid:2", "uuid:2:/data/members[1]", "แดง"),
        ("uuid:2", "uuid:2:/data/members[2]", "ดำ"),
    ]
    assert members[0]["mage"] == 7


def test_nested_repeat_rows_point_at_their_parent_repeat_row():
    visits = as_dicts(xlsx_sheets(sample_definition(), [record("uuid:1")])["visits"])
    assert [(v["_parent_key"], v["_key"], v["vdate"]) for v in visits] == [
        ("uuid:1:/data/members[1]", "uuid:1:/data/members[1]/visits[1]", "2024-03-01"),
        ("uuid:1:/data/members[2]", "uuid:1:/data/members[2]/visits[1]", "2024-03-02"),
        ("uuid:1:/data/members[2]", "uuid:1:/data/members[2]/visits[2]", "2024-03-09"),
    ]


def test_csv_export_of_form_with_repeats_is_a_zip_with_one_csv_per_table():
    tables = csv_tables(sample_definition(), [record()])
    assert sorted(tables) == ["household-members.csv", "household-visits.csv", "household.csv"]
    assert csv_file_names(sample_definition()) == ["household.csv", "household-members.csv", "household-visits.csv"]
    members = as_dicts(tables["household-members.csv"])
    assert members[1]["_parent_key"] == "uuid:1" and members[1]["mname"] == "ดำ"
    visits = as_dicts(tables["household-visits.csv"])
    assert visits[2]["_parent_key"] == members[1]["_key"]


def test_csv_export_of_form_without_repeats_is_a_single_csv():
    out = io.BytesIO()
    zipped = write_csv(flat_definition(), [record(data={"/data/name": "A", "/data/n": "3"})], out, NAMES)
    assert zipped is False
    rows = _read_csv(out.getvalue())
    assert rows[0][-2:] == ["name", "n"] and rows[1][-2:] == ["A", "3"]


def test_labels_mode_uses_question_labels_in_chosen_language_and_choice_labels_for_values():
    sheets = xlsx_sheets(sample_definition(), [record()], ExportOptions(headers="labels", language=EN))
    row = as_dicts(sheets["household"])[0]
    assert row["Head of household"] == "สมชาย ใจดี"
    assert row["Sex"] == "Male"
    assert row["Crops grown"] == "Rice, Rubber"
    assert row["Crops grown/Rubber"] == 1 and row["Crops grown/Cassava"] == 0
    assert as_dicts(sheets["members"])[0]["Member name"] == "แดง"


def test_labels_mode_defaults_to_the_forms_default_language():
    row = as_dicts(xlsx_sheets(sample_definition(), [record()], ExportOptions(headers="labels"))["household"])[0]
    assert row["เพศ"] == "ชาย"
    assert row["พืชที่ปลูก/ข้าว"] == 1


def test_names_mode_keeps_choice_names_as_values():
    row = as_dicts(xlsx_sheets(sample_definition(), [record()])["household"])[0]
    assert row["sex"] == "m"


def test_unknown_header_mode_is_refused():
    with pytest.raises(ValueError):
        ExportOptions(headers="codes")


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_quoted_in_csv(evil):
    data = sample_data(name=evil)
    row = as_dicts(csv_tables(sample_definition(), [record(data=data)])["household.csv"])[0]
    assert row["name"] == "'" + evil


@pytest.mark.parametrize("evil", ["=1+1", "+1+2", "-2+3", "@SUM(A1)"])
def test_formula_like_text_is_quoted_in_xlsx_and_never_stored_as_formula(evil):
    data = sample_data(name=evil, **{"/data/hh/village": evil})
    out = io.BytesIO()
    write_xlsx(sample_definition(), [record(data=data, submitted_by=evil)], out, NAMES)
    out.seek(0)
    ws = load_workbook(out)["household"]
    header = [c.value for c in ws[1]]
    cells = {h: c for h, c in zip(header, ws[2])}
    for column in ("name", "hh/village", "_submitted_by"):
        assert cells[column].value == "'" + evil
        assert cells[column].data_type == "s"


def test_formula_like_labels_in_headers_are_quoted():
    definition = sample_definition()
    definition.node("/data/name").label = {"Thai (th)": "=cmd|' /C calc'!A0"}
    main = build_tables(definition, ExportOptions())[0]
    sheets = xlsx_sheets(definition, [], ExportOptions())
    assert "=cmd|' /C calc'!A0" in main.headers
    assert "'=cmd|' /C calc'!A0" in sheets["household"][0]


def test_negative_numbers_from_numeric_questions_stay_numbers():
    data = sample_data(**{"/data/age": "-5"})
    row = as_dicts(xlsx_sheets(sample_definition(), [record(data=data)])["household"])[0]
    assert row["age"] == -5 and isinstance(row["age"], int)
    assert row["balance"] == -5.25
    csv_row = as_dicts(csv_tables(sample_definition(), [record(data=data)])["household.csv"])[0]
    assert csv_row["age"] == "-5" and csv_row["balance"] == "-5.25"


def test_negative_looking_text_from_text_questions_is_still_quoted():
    data = sample_data(name="-5")
    row = as_dicts(xlsx_sheets(sample_definition(), [record(data=data)])["household"])[0]
    assert row["name"] == "'-5"


def test_non_numeric_answer_to_numeric_question_is_exported_as_safe_text():
    data = sample_data(**{"/data/age": "-1+2"})
    row = as_dicts(xlsx_sheets(sample_definition(), [record(data=data)])["household"])[0]
    assert row["age"] == "'-1+2"


def test_thai_text_survives_csv_with_bom_and_xlsx():
    csv_row = as_dicts(csv_tables(sample_definition(), [record()])["household.csv"])[0]
    assert csv_row["name"] == "สมชาย ใจดี" and csv_row["hh/village"] == "บ้านนาดี"
    chunks = b"".join(iter_csv(flat_definition(), [record(data={"/data/name": "ทดสอบ"})], NAMES))
    assert chunks.startswith(b"\xef\xbb\xbf") and "ทดสอบ".encode() in chunks
    row = as_dicts(xlsx_sheets(sample_definition(), [record()])["household"])[0]
    assert row["name"] == "สมชาย ใจดี"


def test_control_characters_do_not_break_the_xlsx():
    data = sample_data(name="a\x01b\x1fc")
    row = as_dicts(xlsx_sheets(sample_definition(), [record(data=data)])["household"])[0]
    assert row["name"] == "abc"


def test_empty_submissions_list_gives_headers_only():
    sheets = xlsx_sheets(sample_definition(), [])
    assert [len(rows) for rows in sheets.values()] == [1, 1, 1]
    tables = csv_tables(sample_definition(), [])
    assert all(len(rows) == 1 for rows in tables.values())
    single = b"".join(iter_csv(flat_definition(), [], NAMES))
    assert _read_csv(single) == [["_instance_id", "_submission_time", "_status", "_version", "_submitted_by",
                                  "_received_th", "_group_name", "_village", "_district", "_level", "_assessed_on",
                                  "name", "n"]]


def test_records_are_consumed_once_as_a_stream():
    def records():
        for i in range(3):
            yield record(f"uuid:{i}")

    sheets = xlsx_sheets(sample_definition(), records())
    assert len(sheets["household"]) == 4 and len(sheets["members"]) == 7


def test_safe_text_leaves_ordinary_text_alone():
    assert safe_text("บ้าน 5") == "บ้าน 5"
    assert safe_text("") == ""
    assert safe_text("=x") == "'=x"


def test_an_export_over_versions_keeps_questions_and_options_a_later_version_dropped():
    """v1 asked `age` and offered cassava; v2 dropped both (and added `phone`): the merged definition
    keeps v1's answers in their own columns, in v1's place, and v2's new question too."""
    from app.reports.export import definition_for_versions
    from app.xlsform.definition import Node

    v1 = sample_definition(version="1")
    v2 = sample_definition(version="2")
    v2.root.children = [c for c in v2.root.children if c.name != "age"]
    v2.root.children.insert(2, Node(path="/data/phone", name="phone", kind="field", control="input",
                                    label={EN: "Phone"}))
    crops = next(n for n in v2.nodes() if n.name == "crops")
    crops.choices = [c for c in crops.choices if c.name != "cassava"]
    v2.root.children[-2].children = [c for c in v2.root.children[-2].children if c.name != "mage"]

    merged = definition_for_versions(v2, [v1])
    main = build_tables(merged, NAMES)[0]
    assert main.headers[11:] == [
        "name", "age", "phone", "balance", "crops", "crops/rice", "crops/rubber", "crops/cassava", "sex",
        "hh/village", "hh/photo", "hh/location", "score", "meta/instanceID",
    ]
    members = build_tables(merged, NAMES)[1]
    assert "mage" in members.headers
    old_row = as_dicts(xlsx_sheets(merged, [record()])["household"])[0]
    assert old_row["age"] == 42 and old_row["crops/cassava"] == 0 and old_row["crops/rubber"] == 1
    cassava = as_dicts(xlsx_sheets(merged, [record(data={**sample_data(), "/data/crops": "cassava"})])["household"])[0]
    assert cassava["crops/cassava"] == 1 and cassava["crops/rice"] == 0
    # the latest definition itself is left as it was
    assert "age" not in [n.name for n in v2.nodes()]
    assert [c.name for c in crops.choices] == ["rice", "rubber"]
    # without older versions nothing changes
    assert build_tables(definition_for_versions(v2, []), NAMES)[0].headers == build_tables(v2, NAMES)[0].headers


def test_a_table_longer_than_a_worksheet_goes_on_in_the_next_sheet(monkeypatch):
    from app.reports import export

    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 3)  # header + 2 rows per sheet
    definition = flat_definition()
    records = [record(f"uuid:{n}", data={"/data/name": f"n{n}", "/data/n": str(n)}) for n in range(5)]
    sheets = xlsx_sheets(definition, records)
    assert list(sheets) == ["flat", "flat (2)", "flat (3)"]
    assert all(rows[0][0] == "_instance_id" for rows in sheets.values())
    assert [r[0] for rows in sheets.values() for r in rows[1:]] == [f"uuid:{n}" for n in range(5)]
