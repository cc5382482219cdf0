"""Scoring declared in the workbook (app.xlsform.scoring_spec): a valid declaration becomes the spec on
the Conversion and the FormVersion; each mistake is named with its sheet, row and column in Thai and
English; a modified copy of a scored workbook publishes and scores by its new rules."""
from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from app import db
from app.forms.publishing import publish_workbook
from app.models import FormVersion
from app.scoring import score
from app.xlsform.convert import convert_workbook
from app.xlsform.problems import WorkbookRejected
from app.xlsform.scoring_spec import read_scoring_spec
from app.xlsform.workbook import read_sheets
from tests.xlsform.xlsx_builder import make_xlsx

TH, EN = "label::Thai (th)", "label::English (en)"

BASE = {
    "survey": [
        ["type", "name", TH, EN, "score_group", "calculation", "score_max"],
        ["select_one level03", "i01", "มีระเบียบกลุ่ม", "Written rules", "rule_of_law", "", ""],  # row 2
        ["select_one level03", "i02", "ทบทวนระเบียบ", "Rules reviewed", "rule_of_law", "", ""],  # row 3
        ["decimal", "rate", "อัตราดอกเบี้ยร้อยละต่อปี", "Interest rate % a year", "", "", ""],  # row 4
        ["calculate", "i03", "ดอกเบี้ยไม่เกิน 15%", "Interest at most 15 %", "rule_of_law",
         "if(${rate} > 15, 0, 3)", 3],  # row 5
        ["begin group", "p2", "คุณธรรม", "Morality", "", "", ""],  # row 6
        ["select_one level03", "i04", "ออมทุกเดือน", "Saves every month", "morality", "", ""],  # row 7
        ["end group", "", "", "", "", "", ""],  # row 8
        ["select_one level03", "i05", "ปันผล", "Dividends shared", "value", "", ""],  # row 9
    ],
    "choices": [
        ["list_name", "name", TH, EN, "score"],
        ["level03", "0", "ไม่มี", "None", 0],  # row 2
        ["level03", "1", "มีบ้าง", "Partly", 1],
        ["level03", "2", "ส่วนใหญ่", "Mostly", 2],
        ["level03", "3", "ครบถ้วน", "Fully", 3],  # row 5
    ],
    "settings": [["form_id", "version", "form_title", "default_language"],
                 ["sg_test", "1", "แบบประเมิน (ฉบับร่าง)", "Thai (th)"]],
    "score_groups": [
        ["name", TH, EN, "max", "pass_mark", "advice::Thai (th)", "advice::English (en)"],
        ["rule_of_law", "หลักนิติธรรม", "Rule of law", 9, "60%", "ทบทวนระเบียบ", "Revise the rules"],  # row 2
        ["morality", "หลักคุณธรรม", "Morality", 3, 60, "ท่องคุณธรรม ๕ ประการ", "Recite the five virtues"],  # row 3
        ["value", "หลักความคุ้มค่า", "Value for money", None, 60, "อบรมการกู้ยืม", "Borrowing wisely"],  # row 4
    ],
    "levels": [
        ["name", TH, EN, "min_percent", "colour"],
        ["3", "ระดับ 3 ดี", "Level 3 good", 75, "#1a7f37"],  # row 2
        ["2", "ระดับ 2 ปานกลาง", "Level 2 fair", 50, "#d4a72c"],  # row 3
        ["1", "ระดับ 1 ต้องพัฒนา", "Level 1 needs development", None, "#cf222e"],  # row 4
    ],
}


def sheets(**changes) -> dict:
    out = copy.deepcopy(BASE)
    out.update(changes)
    return out


def build(s: dict) -> bytes:
    s = dict(s)
    return make_xlsx(s.pop("survey"), s.pop("choices", None), s.pop("settings", None), **s)


def spec_and_problems(s: dict):
    return read_scoring_spec(read_sheets(build(s)))


def rejected(s: dict) -> list:
    with pytest.raises(WorkbookRejected) as e:
        convert_workbook("f.xlsx", build(s))
    return e.value.problems


def one(problems, code):
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, f"{code} in {[(p.code, p.message_en) for p in problems]}"
    p = found[0]
    assert p.message_th and p.message_en and p.hint_th and p.hint_en
    return p


LEVEL03 = {"0": 0, "1": 1, "2": 2, "3": 3}


def test_valid_declaration_gives_the_spec_on_the_conversion():
    conv = convert_workbook("f.xlsx", build(sheets()))
    assert [p.code for p in conv.warnings if p.code.startswith("scoring")] == []
    assert conv.scoring == {
        "groups": [
            {"name": "rule_of_law", "label": {"Thai (th)": "หลักนิติธรรม", "English (en)": "Rule of law"}, "max": 9,
             "pass_mark": 60, "advice": {"Thai (th)": "ทบทวนระเบียบ", "English (en)": "Revise the rules"},
             "indicators": ["i01", "i02", "i03"]},
            {"name": "morality", "label": {"Thai (th)": "หลักคุณธรรม", "English (en)": "Morality"}, "max": 3,
             "pass_mark": 60, "advice": {"Thai (th)": "ท่องคุณธรรม ๕ ประการ", "English (en)": "Recite the five virtues"},
             "indicators": ["i04"]},
            {"name": "value", "label": {"Thai (th)": "หลักความคุ้มค่า", "English (en)": "Value for money"}, "max": 3,
             "pass_mark": 60, "advice": {"Thai (th)": "อบรมการกู้ยืม", "English (en)": "Borrowing wisely"},
             "indicators": ["i05"]},
        ],
        "levels": [
            {"name": "3", "label": {"Thai (th)": "ระดับ 3 ดี", "English (en)": "Level 3 good"}, "min_percent": 75,
             "colour": "#1a7f37"},
            {"name": "2", "label": {"Thai (th)": "ระดับ 2 ปานกลาง", "English (en)": "Level 2 fair"}, "min_percent": 50,
             "colour": "#d4a72c"},
            {"name": "1", "label": {"Thai (th)": "ระดับ 1 ต้องพัฒนา", "English (en)": "Level 1 needs development"},
             "min_percent": 0, "colour": "#cf222e"},
        ],
        "indicators": [
            {"name": "i01", "path": "/data/i01", "group": "rule_of_law",
             "label": {"Thai (th)": "มีระเบียบกลุ่ม", "English (en)": "Written rules"}, "kind": "select",
             "scores": LEVEL03, "max": 3},
            {"name": "i02", "path": "/data/i02", "group": "rule_of_law",
             "label": {"Thai (th)": "ทบทวนระเบียบ", "English (en)": "Rules reviewed"}, "kind": "select",
             "scores": LEVEL03, "max": 3},
            {"name": "i03", "path": "/data/i03", "group": "rule_of_law",
             "label": {"Thai (th)": "ดอกเบี้ยไม่เกิน 15%", "English (en)": "Interest at most 15 %"},
             "kind": "calculate", "scores": None, "max": 3},
            {"name": "i04", "path": "/data/p2/i04", "group": "morality",
             "label": {"Thai (th)": "ออมทุกเดือน", "English (en)": "Saves every month"}, "kind": "select",
             "scores": LEVEL03, "max": 3},
            {"name": "i05", "path": "/data/i05", "group": "value",
             "label": {"Thai (th)": "ปันผล", "English (en)": "Dividends shared"}, "kind": "select",
             "scores": LEVEL03, "max": 3},
        ],
    }
    result = score(conv.scoring, {"i01": "3", "i02": "3", "/data/i03": "3", "i04": "2", "i05": "0"})
    assert (result.to_dict()["total"], result.to_dict()["max"], result.level["name"]) == (11, 15, "2")
    assert [a["group"] for a in result.advice] == ["value"]


def test_plain_forms_have_no_spec():
    plain = copy.deepcopy(BASE)
    for name in ("score_groups", "levels"):
        plain.pop(name)
    plain["survey"] = [row[:4] for row in plain["survey"] if row[1] != "i03"]
    assert convert_workbook("f.xlsx", build(plain)).scoring is None  # a score column alone is not scoring
    assert read_scoring_spec({"survey": [["type", "name"], ["text", "a"]]}) == (None, [])


def test_unknown_score_group_on_a_question():
    s = sheets()
    s["survey"][2][4] = "rule_of_lw"
    p = one(rejected(s), "scoring_unknown_group")
    assert (p.sheet, p.row, p.column, p.level) == ("survey", 3, "score_group", "error")
    assert "rule_of_lw" in p.message_th and "rule_of_lw" in p.message_en and "rule_of_law" in p.hint_en


def test_score_group_without_indicators():
    s = sheets()
    s["score_groups"].append(["participation", "หลักการมีส่วนร่วม", "Participation", None, 60, "", ""])
    p = one(rejected(s), "scoring_empty_group")
    assert (p.sheet, p.row, p.column) == ("score_groups", 5, "name")
    assert "participation" in p.message_en


@pytest.mark.parametrize("values, row", [
    ((50, 75, None), 3),  # out of order
    ((75, 75, None), 3),  # the same threshold twice: overlapping levels
    ((75, 80, 0), 3),
])
def test_levels_must_strictly_decrease(values, row):
    s = sheets()
    for i, v in enumerate(values):
        s["levels"][i + 1][3] = v
    p = one(rejected(s), "scoring_levels_order")
    assert (p.sheet, p.row, p.column) == ("levels", row, "min_percent")
    assert "overlap" in p.message_en


def test_last_level_must_be_the_zero_floor():
    s = sheets()
    s["levels"][3][3] = 20
    p = one(rejected(s), "scoring_levels_floor")
    assert (p.sheet, p.row, p.column) == ("levels", 4, "min_percent")
    s["levels"][3][3] = 0
    assert convert_workbook("f.xlsx", build(s)).scoring["levels"][2]["min_percent"] == 0


def test_only_the_last_level_may_be_blank():
    s = sheets()
    s["levels"][2][3] = None
    p = one(rejected(s), "scoring_levels_order")
    assert (p.sheet, p.row) == ("levels", 3)


def test_non_numeric_score_on_a_scored_list():
    s = sheets()
    s["choices"][3][4] = "สอง"
    p = one(rejected(s), "scoring_bad_score")
    assert (p.sheet, p.row, p.column) == ("choices", 4, "score")
    assert "สอง" in p.message_en


def test_negative_score_is_refused():
    s = sheets()
    s["choices"][2][4] = -1
    assert one(rejected(s), "scoring_bad_score").row == 3


def test_unscored_option_is_a_warning_and_means_not_assessed():
    s = sheets()
    s["choices"].append(["level03", "na", "ไม่เกี่ยวข้อง", "Not applicable", None])
    conv = convert_workbook("f.xlsx", build(s))
    p = one(conv.warnings, "scoring_unscored_option")
    assert (p.sheet, p.row, p.column, p.level) == ("choices", 6, "score", "warning")
    assert "na" not in conv.scoring["indicators"][0]["scores"]
    result = score(conv.scoring, {"i01": "na", "i02": "3", "i03": "3", "i04": "3", "i05": "3"}).to_dict()
    assert (result["total"], result["max"]) == (12, 12)


def test_select_on_a_list_without_scores():
    s = sheets()
    s["survey"].append(["select_one yn", "i06", "มีสมุดบัญชี", "Has a cash book", "value", "", ""])
    s["choices"] += [["yn", "yes", "ใช่", "Yes", None], ["yn", "no", "ไม่ใช่", "No", None]]
    p = one(rejected(s), "scoring_no_scores")
    assert (p.sheet, p.row, p.column) == ("survey", 10, "score_group")


def test_max_that_disagrees_with_the_indicators_is_a_warning_and_the_sum_is_used():
    s = sheets()
    s["score_groups"][1][3] = 12
    conv = convert_workbook("f.xlsx", build(s))
    p = one(conv.warnings, "scoring_max_mismatch")
    assert (p.sheet, p.row, p.column, p.level) == ("score_groups", 2, "max", "warning")
    assert "12" in p.message_en and "9" in p.message_en
    assert conv.scoring["groups"][0]["max"] == 9


@pytest.mark.parametrize("value", [120, -5, "abc", 0.6, "60.555"])
def test_pass_mark_must_be_a_percent(value):
    s = sheets()
    s["score_groups"][2][4] = value
    p = one(rejected(s), "scoring_bad_pass_mark")
    assert (p.sheet, p.row, p.column) == ("score_groups", 3, "pass_mark")


@pytest.mark.parametrize("value, expected", [("60%", 60), (" 60 % ", 60), (0, 0), (100, 100), ("62.5", 62.5)])
def test_pass_mark_forms(value, expected):
    s = sheets()
    s["score_groups"][2][4] = value
    spec, problems = spec_and_problems(s)
    assert not [p for p in problems if p.is_error]
    assert spec["groups"][1]["pass_mark"] == expected


def test_scored_calculate_needs_score_max():
    s = sheets()
    s["survey"][4][6] = None
    p = one(rejected(s), "scoring_score_max")
    assert (p.sheet, p.row, p.column) == ("survey", 5, "score_max")


def test_only_select_one_and_calculate_can_be_scored():
    s = sheets()
    s["survey"][3][4] = "rule_of_law"  # the decimal "rate"
    p = one(rejected(s), "scoring_bad_type")
    assert (p.sheet, p.row, p.column) == ("survey", 4, "score_group")


def test_indicator_in_a_repeat_is_refused():
    s = sheets()
    s["survey"][5][0] = "begin repeat"
    s["survey"][7][0] = "end repeat"
    p = one(rejected(s), "scoring_in_repeat")
    assert (p.sheet, p.row) == ("survey", 7)


def test_missing_levels_sheet():
    s = sheets()
    s.pop("levels")
    p = one(rejected(s), "scoring_missing_sheet")
    assert p.sheet == "levels"


def test_every_problem_is_reported_at_once():
    s = sheets()
    s["survey"][2][4] = "nope"
    s["choices"][3][4] = "x"
    s["levels"][3][3] = 10
    codes = {p.code for p in rejected(s)}
    assert {"scoring_unknown_group", "scoring_bad_score", "scoring_levels_floor"} <= codes


# --- publishing: the spec is stored with the version; a modified copy scores by its new rules ------

def stored_spec(version_id: int) -> dict:
    db.session.expire_all()
    return db.session.scalar(select(FormVersion).where(FormVersion.id == version_id)).scoring


def test_publish_stores_the_spec_and_a_plain_form_stores_none(app):
    fv = publish_workbook("sg.xlsx", build(sheets()), "somchai").form_version
    assert stored_spec(fv.id)["groups"][0]["indicators"] == ["i01", "i02", "i03"]
    plain = publish_workbook("p.xlsx", make_xlsx([["type", "name", "label"], ["text", "a", "ก"]], None,
                                                  [["form_id", "version"], ["plain", "1"]]), "somchai").form_version
    assert stored_spec(plain.id) is None


def test_modified_copy_publishes_and_scores_by_the_new_rules(app):
    answers_v1 = {"i01": "3", "i02": "2", "i03": "3", "i04": "2", "i05": "1"}
    v1 = publish_workbook("sg.xlsx", build(sheets()), "somchai").form_version
    r1 = score(stored_spec(v1.id), answers_v1)
    # 11 / 15 = 73.33 % -> level 2; value 1/3 fails
    assert (r1.to_dict()["total"], r1.percent, r1.level["name"]) == (11, 73.33, "2")

    s = sheets()
    s["settings"][1][1] = "2"
    s["survey"][1][1] = "i01_rules"  # renamed indicator
    s["choices"][3][4] = 2.5  # changed score: "2" now earns 2.5
    s["levels"][1][3] = 70  # new threshold for level 3
    s["survey"].append(["select_one level03", "i06", "สืบทอดกิจการ", "Succession planned", "sustainability", "", ""])
    s["score_groups"].append(["sustainability", "หลักความยั่งยืน", "Sustainability", 3, 60, "วางแผนสืบทอด",
                              "Plan succession"])  # a seventh (here: fourth) score group
    v2 = publish_workbook("sg.xlsx", build(s), "somchai").form_version
    assert v2.id != v1.id and v2.version == "2"
    spec = stored_spec(v2.id)
    assert [g["name"] for g in spec["groups"]] == ["rule_of_law", "morality", "value", "sustainability"]
    assert spec["groups"][0]["indicators"] == ["i01_rules", "i02", "i03"]
    assert spec["indicators"][1]["scores"]["2"] == 2.5
    r2 = score(spec, {"i01_rules": "3", "i02": "2", "i03": "3", "i04": "2", "i05": "1", "i06": "3"}).to_dict()
    # 3 + 2.5 + 3 + 2.5 + 1 + 3 = 15 of 18 (the new group's 3 points added) = 83.33 % -> level 3 (>= 70)
    assert (r2["total"], r2["max"], r2["percent"], r2["level"]["name"]) == (15, 18, 83.33, "3")
    assert r2["groups"][3] == {"name": "sustainability", "label": {"Thai (th)": "หลักความยั่งยืน",
                                                                   "English (en)": "Sustainability"},
                               "score": 3, "max": 3, "percent": 100, "pass_mark": 60, "passed": True,
                               "advice": {"Thai (th)": "วางแผนสืบทอด", "English (en)": "Plan succession"}}
    # The old version still scores by the old rules.
    assert score(stored_spec(v1.id), answers_v1).to_dict() == r1.to_dict()


def _with_level_calculate(expr: str) -> dict:
    s = sheets()
    s["survey"].append(["calculate", "pct", "", "", "", "50", ""])  # row 10
    s["survey"].append(["calculate", "provisional_level", "", "", "", expr, ""])  # row 11
    return s


def test_a_calculate_repeating_the_levels_must_use_the_sheets_thresholds():
    """The tablet's provisional level is a calculate (an XForm cannot read the levels sheet): when it
    names a level with other thresholds than the sheet, publishing says where and what to change."""
    stale = "if(${pct} >= 80, 'ระดับ 3 ดี', if(${pct} >= 50, 'ระดับ 2 ปานกลาง', 'ระดับ 1 ต้องพัฒนา'))"
    p = one(rejected(_with_level_calculate(stale)), "scoring_level_calculate")
    assert (p.sheet, p.row, p.column) == ("survey", 11, "calculation")
    assert "80" in p.message_en and "75" in p.hint_en and "75" in p.hint_th
    # matching thresholds (by Thai label, English label or level name) publish
    for good in ("if(${pct} >= 75, 'ระดับ 3 ดี', if(${pct} >= 50, 'ระดับ 2 ปานกลาง', 'ระดับ 1 ต้องพัฒนา'))",
                 'if(${pct} >= 75, "Level 3 good", "other")', "if(${pct} >= 75.0, '3', '')"):
        assert convert_workbook("f.xlsx", build(_with_level_calculate(good))).scoring is not None
    # a comparison that names no level is none of our business
    assert convert_workbook("f.xlsx", build(_with_level_calculate("if(${pct} >= 80, 'yes', 'no')"))).scoring
