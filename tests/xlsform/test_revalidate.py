"""Server re-validation with the form's logic: relevance (groups, repeats), calculates stored from
the server, required (static and dynamic), constraints with the form's Thai/English messages,
non-relevant values blanked, failing expressions as warnings."""
from __future__ import annotations

import datetime as dt

import pytest
from pyxform.xls2xform import convert

from app.xlsform.revalidate import logic_of, media_needed, revalidate
from app.xlsform.submission import check_submission, parse_submission
from app.xlsform.xform import read_definition

BKK = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=BKK)


def form(md: str):
    return read_definition(convert(xlsform=md, file_type=".md").xform)


def xml(body: str, form_id: str = "t", version: str = "1") -> bytes:
    return (f'<?xml version="1.0"?><data id="{form_id}" version="{version}">{body}'
            f"<meta><instanceID>uuid:1</instanceID></meta></data>").encode()


def check(definition, body: str, **kw):
    return revalidate(parse_submission(xml(body)), definition, set(), now=kw.pop("now", NOW), **kw)


def codes(result, level: str | None = None) -> list[tuple[str, str]]:
    return [(e["code"], e["path"]) for e in result.errors if level is None or e["level"] == level]


def blocking(result) -> list[tuple[str, str]]:
    return codes(result, "error")


# ------------------------------------------------------------------------------- relevance
CHAIN = """
| settings |
| | form_id | version |
| | t | 1 |
| survey |
| | type | name | label | required | relevant | calculation | constraint |
| | select_one yn | q1 | Q1 | | | | |
| | begin group | g | G | | ${q1} = 'yes' | | |
| | integer | q2 | Q2 | yes | | | |
| | text | q3 | Q3 | yes | ${q2} > 5 | | |
| | select_one yn | q4 | Q4 | | | | |
| | end group | | | | | | |
| | text | after | After | | ${q3} != '' | | |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
"""


@pytest.fixture(scope="module")
def chain():
    return form(CHAIN)


def test_non_relevant_group_values_are_blanked_and_never_checked(chain):
    # q1 = no: the group is not relevant; its bad integer, bad choice and missing required are ignored.
    r = check(chain, "<q1>no</q1><g><q2>abc</q2><q3>hello</q3><q4>maybe</q4></g><after>x</after>")
    assert blocking(r) == []
    assert r.data["/data/g/q2"] == "" and r.data["/data/g/q3"] == "" and r.data["/data/g/q4"] == ""
    # the chain goes on: after reads q3, which is blanked, so `after` is not relevant either
    assert r.data["/data/after"] == ""
    assert r.data["/data/q1"] == "no"


def test_relevant_group_is_checked_required_only_when_relevant(chain):
    r = check(chain, "<q1>yes</q1><g><q2/><q3/><q4/></g><after/>")
    assert blocking(r) == [("required", "/data/g/q2")]
    r = check(chain, "<q1>yes</q1><g><q2>3</q2><q3/><q4/></g><after/>")
    assert blocking(r) == []  # q3 only relevant when q2 > 5
    r = check(chain, "<q1>yes</q1><g><q2>7</q2><q3/><q4/></g><after/>")
    assert blocking(r) == [("required", "/data/g/q3")]
    r = check(chain, "<q1>yes</q1><g><q2>7</q2><q3>ok</q3><q4>maybe</q4></g><after>kept</after>")
    assert blocking(r) == [("choice", "/data/g/q4")]
    assert r.data["/data/after"] == "kept"


def test_missing_elements_count_as_empty_like_on_the_device(chain):
    # ODK Collect leaves non-relevant nodes out of the submission: the group is simply absent.
    r = check(chain, "<q1>no</q1>")
    assert blocking(r) == []
    assert "/data/g/q2" not in r.data  # nothing invented in the stored data
    r = check(chain, "<q1>yes</q1>")
    assert blocking(r) == [("required", "/data/g/q2")]


# ------------------------------------------------------------------------------- calculates
CALC = """
| settings |
| | form_id | version |
| | t | 1 |
| survey |
| | type | name | label | calculation | relevant |
| | integer | a | A | | |
| | calculate | c2 | | ${c1} + 1 | |
| | calculate | c1 | | ${a} * 2 | |
| | calculate | label_of | | jr:choice-name(${fruit}, '${fruit}') | |
| | select_one fruit | fruit | Fruit | | |
| | calculate | stamp | | now() | |
| | calculate | hidden_calc | | ${a} + 100 | ${a} > 50 |
| choices |
| | list_name | name | label::Thai (th) | label::English (en) |
| | fruit | mango | มะม่วง | Mango |
"""


@pytest.fixture(scope="module")
def calc():
    return form(CALC)


def test_calculate_chain_is_computed_in_dependency_order_and_stored(calc):
    r = check(calc, "<a>5</a><c2/><c1/><label_of/><fruit/><stamp/><hidden_calc/>")
    assert r.data["/data/c1"] == "10" and r.data["/data/c2"] == "11"
    assert blocking(r) == []
    differs = {e["path"]: e for e in r.errors if e["code"] == "calculate_differs"}
    assert differs["/data/c1"]["value"] == "" and differs["/data/c1"]["server_value"] == "10"
    assert differs["/data/c2"]["level"] == "warning"
    assert differs["/data/c2"]["message_th"] and differs["/data/c2"]["message_en"]


def test_client_calculate_that_differs_is_replaced_with_a_warning(calc):
    r = check(calc, "<a>5</a><c2>999</c2><c1>10.0</c1><label_of/><fruit/><stamp/><hidden_calc/>")
    assert r.data["/data/c2"] == "11" and r.data["/data/c1"] == "10"
    differs = [e for e in r.errors if e["code"] == "calculate_differs"]
    assert [(e["path"], e["value"], e["server_value"]) for e in differs] == [("/data/c2", "999", "11")]
    assert blocking(r) == []


def test_volatile_and_language_dependent_calculates_keep_the_client_value(calc):
    body = ("<a>5</a><c2>11</c2><c1>10</c1><label_of>Mango</label_of><fruit>mango</fruit>"
            "<stamp>2026-03-01T08:00:00.000+07:00</stamp><hidden_calc/>")
    r = check(calc, body)
    assert r.data["/data/stamp"] == "2026-03-01T08:00:00.000+07:00"  # now() on the device is kept
    assert r.data["/data/label_of"] == "Mango"  # the device's language (English) is accepted
    assert [e for e in r.errors if e["code"] == "calculate_differs"] == []
    r = check(calc, body.replace("Mango", ""))
    assert r.data["/data/label_of"] == "มะม่วง"  # the default language (Thai) when it differs


def test_non_relevant_calculate_is_blanked_and_relevant_one_computed(calc):
    r = check(calc, "<a>5</a><c2>11</c2><c1>10</c1><label_of/><fruit/><stamp/><hidden_calc>105</hidden_calc>")
    assert r.data["/data/hidden_calc"] == ""
    r = check(calc, "<a>60</a><c2>121</c2><c1>120</c1><label_of/><fruit/><stamp/><hidden_calc>160</hidden_calc>")
    assert r.data["/data/hidden_calc"] == "160"
    assert [e for e in r.errors if e["code"] == "calculate_differs"] == []


# ------------------------------------------------------------------------------- constraints
CONSTRAINT = """
| settings |
| | form_id | version |
| | t | 1 |
| survey |
| | type | name | label::Thai (th) | label::English (en) | constraint | constraint_message::Thai (th) | constraint_message::English (en) | required | required_message::Thai (th) | required_message::English (en) |
| | integer | age | อายุ | Age | . >= 0 and . <= 120 | อายุต้องอยู่ระหว่าง 0 ถึง 120 ปี | Age must be 0 to 120 | | | |
| | integer | members | จำนวนสมาชิก | Members | . > 0 | | | | | |
| | select_one yn | has_kids | มีลูกไหม | Has children? | | | | | | |
| | integer | kids | จำนวนลูก | Children | . <= ${members} | | | ${has_kids} = 'yes' | กรุณาระบุจำนวนลูก | Enter the number of children |
| choices |
| | list_name | name | label::Thai (th) | label::English (en) |
| | yn | yes | ใช่ | Yes |
| | yn | no | ไม่ใช่ | No |
"""


@pytest.fixture(scope="module")
def cons():
    return form(CONSTRAINT)


def test_constraint_violation_uses_the_forms_thai_and_english_message(cons):
    r = check(cons, "<age>130</age><members>3</members><has_kids>no</has_kids><kids/>")
    [e] = [e for e in r.errors if e["level"] == "error"]
    assert (e["code"], e["path"], e["node_path"], e["value"]) == ("constraint", "/data/age", "/data/age", "130")
    assert "อายุต้องอยู่ระหว่าง 0 ถึง 120 ปี" in e["message_th"] and "อายุ" in e["message_th"]
    assert "Age must be 0 to 120" in e["message_en"]


def test_constraint_without_message_gets_a_default_naming_the_question(cons):
    r = check(cons, "<age>30</age><members>0</members><has_kids>no</has_kids><kids/>")
    [e] = [e for e in r.errors if e["level"] == "error"]
    assert e["code"] == "constraint" and e["path"] == "/data/members"
    assert "จำนวนสมาชิก" in e["message_th"] and "Members" in e["message_en"] and "“0”" in e["message_en"]


def test_constraint_reads_other_answers_and_skips_empty_and_badly_typed_values(cons):
    r = check(cons, "<age>30</age><members>2</members><has_kids>yes</has_kids><kids>5</kids>")
    assert blocking(r) == [("constraint", "/data/kids")]
    r = check(cons, "<age>abc</age><members>2</members><has_kids>no</has_kids><kids/>")
    assert blocking(r) == [("type", "/data/age")]  # not also a constraint error


def test_dynamic_required_with_its_message(cons):
    r = check(cons, "<age>30</age><members>2</members><has_kids>yes</has_kids><kids/>")
    [e] = [e for e in r.errors if e["level"] == "error"]
    assert (e["code"], e["path"]) == ("required", "/data/kids")
    assert "กรุณาระบุจำนวนลูก" in e["message_th"] and "Enter the number of children" in e["message_en"]
    r = check(cons, "<age>30</age><members>2</members><has_kids>no</has_kids><kids/>")
    assert blocking(r) == []


# ------------------------------------------------------------------------------- repeats
REPEAT = """
| settings |
| | form_id | version |
| | t | 1 |
| survey |
| | type | name | label | required | relevant | calculation | constraint |
| | begin repeat | members | Members | | | | |
| | integer | age | Age | yes | | | |
| | calculate | adult | | | | if(${age} >= 18, 'yes', 'no') | |
| | text | job | Job | yes | ${adult} = 'yes' | | |
| | integer | born | Born | | | | . <= 2026 - ${age} |
| | end repeat | | | | | | |
| | calculate | n_adults | | | | count(${members}[adult = 'yes']) | |
"""


@pytest.fixture(scope="module")
def rep():
    return form(REPEAT)


def test_each_repeat_instance_is_evaluated_in_its_own_context(rep):
    body = ("<members><age>30</age><adult/><job/><born>1990</born></members>"
            "<members><age>10</age><adult/><job>farmer</job><born>2015</born></members>"
            "<members><age>50</age><adult/><job>teacher</job><born>2000</born></members>"
            "<n_adults/>")
    r = check(rep, body)
    members = r.data["/data/members"]
    assert [m["/data/members/adult"] for m in members] == ["yes", "no", "yes"]
    assert members[1]["/data/members/job"] == ""  # not relevant for a child: blanked
    assert members[2]["/data/members/job"] == "teacher"
    assert r.data["/data/n_adults"] == "2"
    assert sorted(blocking(r)) == [("constraint", "/data/members[3]/born"), ("required", "/data/members[1]/job")]
    [e] = [e for e in r.errors if e["code"] == "constraint"]
    assert "(entry 3)" in e["message_en"] and "(รายการที่ 3)" in e["message_th"]


# ------------------------------------------------------------------------------- failures
def test_runtime_expression_error_is_a_warning_never_a_crash(rep):
    definition = form(REPEAT)  # a copy to spoil
    job = definition.node("/data/members/job")
    job.relevant = "count('not a node-set') > 0"  # parses; fails when evaluated
    definition.node("/data/members/age").constraint = "concat(. , "  # does not parse (old publish)
    body = "<members><age>30</age><adult/><job/><born/></members><members><age>10</age><adult/><job/><born/></members>"
    r = check(definition, body)
    warnings = [e for e in r.errors if e["code"] == "expression_error"]
    assert {e["node_path"] for e in warnings} == {"/data/members/job", "/data/members/age"}
    assert all(e["level"] == "warning" and e["message_th"] and e["message_en"] for e in warnings)
    job_warning = next(e for e in warnings if e["node_path"] == "/data/members/job")
    assert "count('not a node-set') > 0" in job_warning["message_en"] and "Job" in job_warning["message_en"]
    # the failing relevant counts as relevant: nothing blanked, and its required is not enforced
    assert blocking(r) == []
    assert r.data["/data/members"][0]["/data/members/age"] == "30"


def test_the_plain_checks_still_run_without_logic_and_agree_on_shape(chain):
    parsed = parse_submission(xml("<q1>yes</q1><g><q2>x</q2><q3/><q4/></g><after/>"))
    plain = check_submission(parsed, chain, set())
    full = revalidate(parsed, chain, set(), now=NOW)
    assert set(plain[0]) == set(full.errors[0]) == {"path", "node_path", "code", "level", "message_th",
                                                    "message_en", "value"}
    assert parsed.root.find("g/q2").text == "x"  # the parsed submission is left as received


def test_other_form_gives_only_form_mismatch(chain):
    r = revalidate(parse_submission(xml("<q1>yes</q1>", form_id="other")), chain, set())
    assert [e["code"] for e in r.errors] == ["form_mismatch"]


# ------------------------------------------------------------------------------- time, data
TODAY = """
| settings |
| | form_id | version |
| | t | 1 |
| survey |
| | type | name | label | constraint |
| | end | end | | |
| | date | visit | Visit | . <= today() |
"""


def test_today_is_the_day_the_form_was_filled_not_the_day_it_synced():
    definition = form(TODAY)
    body = "<end>2026-01-05T16:00:00.000+07:00</end><visit>{}</visit>"
    r = revalidate(parse_submission(xml(body.format("2026-01-05"))), definition, set())
    assert blocking(r) == []
    r = revalidate(parse_submission(xml(body.format("2026-01-06"))), definition, set())
    assert blocking(r) == [("constraint", "/data/visit")]


PULLDATA = """
| settings |
| | form_id | version |
| | t | 1 |
| survey |
| | type | name | label | calculation |
| | text | fruit | Fruit | |
| | calculate | price | | pulldata('prices', 'price', 'name', ${fruit}) |
"""


def test_pulldata_reads_the_media_csv_and_without_it_keeps_the_client_value():
    definition = form(PULLDATA)
    assert media_needed(definition) == {"prices.csv"}
    parsed = parse_submission(xml("<fruit>mango</fruit><price>40</price>"))
    r = revalidate(parsed, definition, set(), now=NOW, media={"prices.csv": b"name,price\nmango,35\n"})
    assert r.data["/data/price"] == "35"
    assert [(e["code"], e["value"], e["server_value"]) for e in r.errors] == [("calculate_differs", "40", "35")]
    r = revalidate(parsed, definition, set(), now=NOW)
    assert r.data["/data/price"] == "40"
    assert [(e["code"], e["level"]) for e in r.errors] == [("logic_data_missing", "warning")]


def test_logic_is_compiled_once_per_definition(chain):
    assert logic_of(chain) is logic_of(chain)


# ------------------------------------------------------------------------------- NaN calculates
NAN_FORM = """
| settings |
| | form_id | version |
| | t | 1 |
| survey |
| | type | name | label | required | relevant | calculation |
| | select_one yn | q1 | Q1 | | | |
| | integer | a | A | | ${q1} = 'yes' | |
| | calculate | total | | | | ${a} + 1 |
| | text | why | Why | ${total} != '' | | |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
"""


def test_a_calculate_that_is_not_a_number_stores_empty_and_fires_nothing_downstream():
    """`a` not relevant: ${a} + 1 is NaN. JavaRosa stores empty, so `why` is not required; storing
    "NaN" made it required and a valid submission "needs correction"."""
    definition = form(NAN_FORM)
    result = check(definition, "<q1>no</q1><a/><total>NaN</total><why/>")
    assert blocking(result) == []
    assert result.data["/data/total"] == ""
    relevant = check(definition, "<q1>yes</q1><a>4</a><total/><why/>")
    assert result.data["/data/total"] == "" and relevant.data["/data/total"] == "5"
    assert blocking(relevant) == [("required", "/data/why")]
