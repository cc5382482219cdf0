"""Reading and checking submitted instances against a form built from a small XLSForm."""
from __future__ import annotations

import pytest
from pyxform.xls2xform import convert

from app.xlsform.submission import (
    ParsedSubmission,
    SubmissionUnreadable,
    check_submission,
    extract_answers,
    parse_submission,
)
from app.xlsform.xform import read_definition

FORM_MD = """
| settings |
| | form_id | version |
| | hh_survey | 2024 |
| survey |
| | type | name | label::Thai (th) | label::English (en) | required | relevant | calculation | parameters |
| | text | name | ชื่อ | Name | yes | | | |
| | integer | age | อายุ | Age | | | | |
| | decimal | income | รายได้ | Income | | | | |
| | date | visit | วันที่ | Visit date | | | | |
| | time | at | เวลา | Time | | | | |
| | dateTime | stamp | วันเวลา | Stamp | | | | |
| | geopoint | loc | พิกัด | Location | | | | |
| | geotrace | path | เส้นทาง | Path | | | | |
| | acknowledge | ack | รับทราบ | Acknowledge | | | | |
| | range | score | คะแนน | Score | | | | start=1;end=5;step=1 |
| | select_one yn | ok | ตกลงไหม | Agree? | | | | |
| | select_multiple fruit | likes | ผลไม้ | Fruits | | | | |
| | select_one fruit or_other | fav | ชอบที่สุด | Favourite | | | | |
| | select_one county | county | อำเภอ | County | | | | |
| | select_one_from_file villages.csv | village | หมู่บ้าน | Village | | | | |
| | image | photo | รูป | Photo | | | | |
| | calculate | calc | | | | | 1 div 0 | |
| | text | spouse | คู่สมรส | Spouse | yes | ${age} > 18 | | |
| | begin group | g | กลุ่ม | Group | | ${age} > 0 | | |
| | text | inner | ข้างใน | Inner | yes | | | |
| | end group | | | | | | | |
| | begin repeat | hh | สมาชิก | Members | | | | |
| | text | mname | ชื่อสมาชิก | Member name | yes | | | |
| | integer | mage | อายุสมาชิก | Member age | | | | |
| | begin repeat | kids | ลูก | Children | | | | |
| | text | kname | ชื่อลูก | Child name | | | | |
| | end repeat | | | | | | | |
| | end repeat | | | | | | | |
| choices |
| | list_name | name | label::Thai (th) | label::English (en) | cf |
| | yn | yes | ใช่ | Yes | |
| | yn | no | ไม่ใช่ | No | |
| | fruit | mango | มะม่วง | Mango | |
| | fruit | durian | ทุเรียน | Durian | |
| | county | king | คิง | King | wa |
| | county | pierce | เพียร์ซ | Pierce | wa |
"""

# choice_filter on county is added via a second form below to keep FORM_MD simple.
FILTER_MD = """
| settings |
| | form_id |
| | cf_form |
| survey |
| | type | name | label | choice_filter |
| | select_one state | state | State | |
| | select_one county | county | County | cf=${state} |
| choices |
| | list_name | name | label | cf |
| | state | wa | Washington | |
| | state | tx | Texas | |
| | county | king | King | wa |
| | county | harris | Harris | tx |
"""


@pytest.fixture(scope="module")
def definition():
    return read_definition(convert(xlsform=FORM_MD, file_type=".md").xform)


BASE = {
    "name": "Somchai",
    "age": "",
    "income": "",
    "visit": "",
    "at": "",
    "stamp": "",
    "loc": "",
    "path": "",
    "ack": "",
    "score": "",
    "ok": "",
    "likes": "",
    "fav": "",
    "fav_other": "",
    "county": "",
    "village": "",
    "photo": "",
    "calc": "",
    "spouse": "",
}


def submission(overrides: dict | None = None, *, g: str = "<g><inner/></g>", hh: str = "",
               form_id: str = "hh_survey", version: str = "2024", meta: str | None = None,
               extra: str = "") -> bytes:
    values = {**BASE, **(overrides or {})}
    fields = "".join(f"<{k}>{v}</{k}>" if v != "" else f"<{k}/>" for k, v in values.items())
    if meta is None:
        meta = "<meta><instanceID>uuid:0001</instanceID></meta>"
    return (
        f'<?xml version="1.0"?><data id="{form_id}" version="{version}" '
        f'xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">'
        f"{fields}{g}{hh}{extra}{meta}</data>"
    ).encode()


def errors_for(definition, xml: bytes, attachments: set[str] | None = None, limits=None) -> list[dict]:
    return check_submission(parse_submission(xml), definition, attachments or set(), limits)


def codes(errs: list[dict]) -> list[tuple[str, str]]:
    return [(e["path"], e["code"]) for e in errs]


# ------------------------------------------------------------------------------- parsing
def test_parse_reads_ids_and_meta():
    xml = submission(meta="<meta><instanceID>uuid:abc</instanceID><deprecatedID>uuid:old</deprecatedID>"
                          "<instanceName>บ้าน 1</instanceName></meta>")
    p = parse_submission(xml)
    assert isinstance(p, ParsedSubmission)
    assert (p.root_name, p.form_id, p.version) == ("data", "hh_survey", "2024")
    assert (p.instance_id, p.deprecated_id, p.instance_name) == ("uuid:abc", "uuid:old", "บ้าน 1")


def test_parse_accepts_orx_meta():
    xml = submission(meta='<orx:meta><orx:instanceID>uuid:x</orx:instanceID></orx:meta>')
    assert parse_submission(xml).instance_id == "uuid:x"


def test_missing_instance_id_is_unreadable():
    with pytest.raises(SubmissionUnreadable) as exc:
        parse_submission(submission(meta="<meta><instanceID/></meta>"))
    assert "instanceID" in exc.value.message_en and exc.value.message_th


def test_missing_form_id_is_unreadable():
    with pytest.raises(SubmissionUnreadable):
        parse_submission(b"<data><meta><instanceID>uuid:1</instanceID></meta></data>")


@pytest.mark.parametrize("xml", [b"", b"not xml", b"<data id='x'><a></data>", b"<data id='x'>"])
def test_malformed_xml_is_unreadable(xml):
    with pytest.raises(SubmissionUnreadable) as exc:
        parse_submission(xml)
    assert exc.value.message_th and exc.value.message_en


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<data id="hh_survey"><name>&lol4;</name><meta><instanceID>uuid:1</instanceID></meta></data>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<data id="hh_survey"><name>&xxe;</name><meta><instanceID>uuid:1</instanceID></meta></data>"""

DTD_ONLY = b"""<?xml version="1.0"?><!DOCTYPE data SYSTEM "http://example.com/x.dtd">
<data id="hh_survey"><meta><instanceID>uuid:1</instanceID></meta></data>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE, DTD_ONLY], ids=["billion-laughs", "xxe", "external-dtd"])
def test_entities_and_dtds_are_refused_cleanly(xml):
    with pytest.raises(SubmissionUnreadable) as exc:
        parse_submission(xml)
    assert "DTD" in exc.value.message_en and exc.value.message_th


# ------------------------------------------------------------------------------- answers
def test_extract_answers_flattens_groups_and_nests_repeats(definition):
    hh = (
        "<hh><mname>Malee</mname><mage>40</mage><kids><kname>A</kname></kids><kids><kname>B</kname></kids></hh>"
        "<hh><mname>Dang</mname><mage/></hh>"
    )
    xml = submission({"age": "33"}, g="<g><inner>x</inner></g>", hh=hh,
                     extra='<surprise>keep me</surprise><box><a>1</a></box>')
    answers = extract_answers(parse_submission(xml), definition)
    assert answers["/data/name"] == "Somchai"
    assert answers["/data/age"] == "33"
    assert answers["/data/g/inner"] == "x"
    assert "/data/g" not in answers
    assert answers["/data/hh"] == [
        {"/data/hh/mname": "Malee", "/data/hh/mage": "40",
         "/data/hh/kids": [{"/data/hh/kids/kname": "A"}, {"/data/hh/kids/kname": "B"}]},
        {"/data/hh/mname": "Dang", "/data/hh/mage": ""},
    ]
    assert answers["/data/surprise"] == "keep me"
    assert answers["/data/box/a"] == "1"
    assert answers["/data/meta/instanceID"] == "uuid:0001"


def test_extract_answers_keeps_a_repeat_with_a_single_instance_as_a_list(definition):
    xml = submission(hh="<hh><mname>Solo</mname></hh>")
    answers = extract_answers(parse_submission(xml), definition)
    assert answers["/data/hh"] == [{"/data/hh/mname": "Solo"}]


def test_extract_answers_keeps_attributes_and_duplicates(definition):
    xml = submission(extra='<x a="1">v</x>', meta='<meta><instanceID>uuid:1</instanceID>'
                     '<entity dataset="people" id="e1"><label>L</label></entity></meta>')
    xml = xml.replace(b"<age/>", b"<age>1</age><age>2</age>")
    answers = extract_answers(parse_submission(xml), definition)
    assert answers["/data/meta/entity/@dataset"] == "people"
    assert answers["/data/meta/entity/label"] == "L"
    assert answers["/data/x/@a"] == "1"
    assert answers["/data/age"] == ["1", "2"]


# -------------------------------------------------------------------------------- checks
def test_valid_submission_has_no_errors(definition):
    values = {
        "age": "-3", "income": "12.50", "visit": "2024-02-29", "at": "08:30:00.000+07:00",
        "stamp": "2024-03-01T08:30:00.000+07:00", "loc": "13.75 100.5 10 5", "path": "13.7 100.5;13.8 100.6",
        "ack": "OK", "score": "3", "ok": "yes", "likes": "mango durian", "fav": "other",
        "fav_other": "rambutan", "county": "king", "village": "anything-from-csv", "photo": "p1.jpg",
        "calc": "NaN",
    }
    xml = submission(values, g="<g><inner>i</inner></g>",
                     hh="<hh><mname>M</mname><mage>4</mage><kids><kname>k</kname></kids></hh>")
    assert errors_for(definition, xml, {"p1.jpg"}) == []


@pytest.mark.parametrize(
    "field,value",
    [
        ("age", "abc"), ("age", "1.5"), ("income", "12,5"), ("income", "NaN"), ("visit", "2024-02-30"),
        ("visit", "29/02/2024"), ("at", "25:00"), ("stamp", "2024-03-01 08:30"), ("loc", "91 100"),
        ("loc", "13 181"), ("loc", "13"), ("path", "13 100;x"), ("ack", "maybe"), ("score", "9"),
        ("score", "high"),
    ],
)
def test_wrong_type_is_a_type_error(definition, field, value):
    errs = errors_for(definition, submission({field: value}))
    assert codes(errs) == [(f"/data/{field}", "type")]
    assert errs[0]["value"] == value
    assert errs[0]["level"] == "error"


def test_type_message_names_the_question_in_thai_and_english(definition):
    [err] = errors_for(definition, submission({"age": "abc"}))
    assert err["message_th"] == "คำถาม “อายุ” ต้องเป็นจำนวนเต็ม ได้รับ “abc”"
    assert err["message_en"] == "Question “อายุ” must be a whole number; got “abc”"
    assert err["node_path"] == "/data/age"


def test_label_in_the_default_language_is_used(definition):
    assert definition.default_language == "Thai (th)"


def test_calculates_are_not_type_checked(definition):
    assert errors_for(definition, submission({"calc": "whatever"})) == []


def test_select_one_value_must_be_a_choice(definition):
    errs = errors_for(definition, submission({"ok": "maybe"}))
    assert codes(errs) == [("/data/ok", "choice")]
    assert "ตกลงไหม" in errs[0]["message_th"] and "maybe" in errs[0]["message_en"]


def test_select_multiple_each_value_must_be_a_choice(definition):
    errs = errors_for(definition, submission({"likes": "mango apple"}))
    assert codes(errs) == [("/data/likes", "choice")]
    assert "“apple”" in errs[0]["message_en"]


def test_or_other_accepts_other(definition):
    assert errors_for(definition, submission({"fav": "other"})) == []
    assert codes(errors_for(definition, submission({"fav": "banana"}))) == [("/data/fav", "choice")]


def test_select_from_external_file_is_not_checked(definition):
    assert errors_for(definition, submission({"village": "v-999"})) == []


def test_choice_filter_still_checks_membership_in_the_full_list():
    d = read_definition(convert(xlsform=FILTER_MD, file_type=".md").xform)
    assert d.node("/data/county").itemset.choice_filter
    ok = b'<data id="cf_form"><state>wa</state><county>harris</county><meta><instanceID>u:1</instanceID></meta></data>'
    assert check_submission(parse_submission(ok), d, set()) == []
    bad = ok.replace(b"harris", b"nowhere")
    assert codes(check_submission(parse_submission(bad), d, set())) == [("/data/county", "choice")]


def test_required_missing_is_flagged_when_no_relevant_anywhere(definition):
    errs = errors_for(definition, submission({"name": ""}))
    assert codes(errs) == [("/data/name", "required")]
    assert "ชื่อ" in errs[0]["message_th"]


def test_required_white_space_only_counts_as_empty(definition):
    assert codes(errors_for(definition, submission({"name": "   "}))) == [("/data/name", "required")]


def test_required_missing_element_is_flagged(definition):
    xml = submission().replace(b"<name>Somchai</name>", b"")
    assert codes(errors_for(definition, xml)) == [("/data/name", "required")]


def test_required_with_own_relevant_is_not_flagged(definition):
    # spouse is required but has relevant ${age} > 18
    assert errors_for(definition, submission({"spouse": ""})) == []


def test_required_inside_group_with_relevant_is_not_flagged(definition):
    assert errors_for(definition, submission(g="<g><inner/></g>")) == []
    assert errors_for(definition, submission(g="")) == []


def test_required_inside_repeat_is_flagged_per_entry(definition):
    hh = "<hh><mname>A</mname></hh><hh><mname/></hh>"
    errs = errors_for(definition, submission(hh=hh))
    assert codes(errs) == [("/data/hh[2]/mname", "required")]
    assert errs[0]["node_path"] == "/data/hh/mname"
    assert "(รายการที่ 2)" in errs[0]["message_th"] and "(entry 2)" in errs[0]["message_en"]


def test_nested_repeat_error_path_has_every_position(definition):
    hh = "<hh><mname>A</mname></hh><hh><mname>B</mname><mage>x</mage></hh>"
    assert codes(errors_for(definition, submission(hh=hh))) == [("/data/hh[2]/mage", "type")]


def test_dynamic_required_is_skipped():
    md = """
| survey |
| | type | name | label | required |
| | text | a | A | ${b} = 'x' |
| | text | b | B | |
"""
    d = read_definition(convert(xlsform=md, file_type=".md").xform)
    xml = f'<data id="{d.form_id}"><a/><b>x</b><meta><instanceID>u:1</instanceID></meta></data>'.encode()
    assert check_submission(parse_submission(xml), d, set()) == []


def test_empty_values_are_fine_unless_required(definition):
    assert errors_for(definition, submission()) == []


def test_text_longer_than_limit_is_a_size_error(definition):
    errs = errors_for(definition, submission({"name": "ก" * 10_001}))
    assert codes(errs) == [("/data/name", "size")]
    assert errors_for(definition, submission({"name": "ก" * 10_000})) == []
    assert codes(errors_for(definition, submission({"name": "abcdefghijk"}), limits={"max_text_length": 10})) == [
        ("/data/name", "size")
    ]


def test_too_many_repeat_entries_is_a_size_error(definition):
    hh = "<hh><mname>A</mname></hh>" * 4
    assert errors_for(definition, submission(hh=hh), limits={"max_repeat_count": 4}) == []
    errs = errors_for(definition, submission(hh=hh + "<hh><mname>A</mname></hh>"), limits={"max_repeat_count": 4})
    assert codes(errs) == [("/data/hh", "size")]
    assert errs[0]["value"] == "5"


def test_default_repeat_limit_is_1000(definition):
    hh = "<hh><mname>A</mname></hh>" * 1001
    assert codes(errors_for(definition, submission(hh=hh))) == [("/data/hh", "size")]


def test_upload_naming_a_file_not_received_is_attachment_missing(definition):
    errs = errors_for(definition, submission({"photo": "p1.jpg"}), attachments={"other.jpg"})
    assert codes(errs) == [("/data/photo", "attachment_missing")]
    assert errs[0]["value"] == "p1.jpg"
    assert errors_for(definition, submission({"photo": "p1.jpg"}), attachments={"p1.jpg"}) == []


def test_unknown_element_is_a_warning_and_known_meta_is_not(definition):
    xml = submission(extra="<surprise>1</surprise>",
                     meta="<meta><instanceID>uuid:1</instanceID><deprecatedID>uuid:0</deprecatedID>"
                          "<audit>audit.csv</audit></meta>")
    errs = errors_for(definition, xml)
    assert codes(errs) == [("/data/surprise", "unknown_field")]
    assert errs[0]["level"] == "warning"


def test_duplicate_answer_is_flagged(definition):
    xml = submission().replace(b"<age/>", b"<age>1</age><age>2</age>")
    assert codes(errors_for(definition, xml)) == [("/data/age", "duplicate")]


def test_other_form_is_a_form_mismatch_and_nothing_else(definition):
    errs = errors_for(definition, submission({"age": "abc"}, form_id="someone_else"))
    assert codes(errs) == [("/data", "form_mismatch")]
    assert "someone_else" in errs[0]["message_en"]


def test_other_version_is_a_form_mismatch_but_checks_still_run(definition):
    errs = errors_for(definition, submission({"age": "abc"}, version="1999"))
    assert codes(errs) == [("/data", "form_mismatch"), ("/data/age", "type")]
