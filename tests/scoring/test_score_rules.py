"""Named behaviours of app.scoring.score beyond the shared vectors."""
from __future__ import annotations

import json
from fractions import Fraction

from app.scoring import ScoreResult, score

SPEC = {
    "groups": [
        {"name": "law", "label": {"en": "Law"}, "max": 6, "pass_mark": 60, "advice": {"en": "Fix rules"},
         "indicators": ["x1", "x2"]},
        {"name": "money", "label": {"en": "Money"}, "max": 3, "pass_mark": 60, "advice": {"en": "Books"},
         "indicators": ["y1"]},
    ],
    "levels": [
        {"name": "3", "label": {"en": "Good"}, "min_percent": 75, "colour": "#1a7f37"},
        {"name": "2", "label": {"en": "Fair"}, "min_percent": 50, "colour": "#d4a72c"},
        {"name": "1", "label": {"en": "Weak"}, "min_percent": 0, "colour": "#cf222e"},
    ],
    "indicators": [
        {"name": "x1", "path": "/data/p/x1", "group": "law", "label": {"en": "X1"}, "kind": "select",
         "scores": {"0": 0, "1": 1, "2": 2, "3": 3}, "max": 3},
        {"name": "x2", "path": "/data/p/x2", "group": "law", "label": {"en": "X2"}, "kind": "select",
         "scores": {"0": 0, "1": 1, "2": 2, "3": 3}, "max": 3},
        {"name": "y1", "path": "/data/y1", "group": "money", "label": {"en": "Y1"}, "kind": "calculate",
         "scores": None, "max": 3},
    ],
}


def test_result_is_json_serialisable_and_deterministic():
    answers = {"x1": "3", "x2": "1", "y1": "2"}
    first = score(SPEC, answers)
    assert isinstance(first, ScoreResult)
    text = json.dumps(first.to_dict(), ensure_ascii=False, sort_keys=True)
    assert text == json.dumps(score(SPEC, dict(reversed(list(answers.items())))).to_dict(), ensure_ascii=False,
                              sort_keys=True)


def test_exact_percent_is_kept_for_decisions_while_the_shown_percent_is_rounded():
    result = score(SPEC, {"x1": "3", "x2": "1", "y1": "2"})  # 6 / 9
    assert result.percent_exact == Fraction(200, 3)
    assert result.percent == 66.67
    assert result.level["name"] == "2"


def test_unassessed_indicator_leaves_score_and_max():
    result = score(SPEC, {"x1": "3", "x2": "3", "y1": None})
    assert (result.to_dict()["total"], result.to_dict()["max"], result.percent) == (6, 6, 100)
    money = result.groups[1]
    assert (money["score"], money["max"], money["percent"], money["passed"]) == (0, 0, None, None)
    assert result.indicators[2] == {"name": "y1", "label": {"en": "Y1"}, "group": "money", "score": None,
                                    "max": 3, "answered": False}
    assert result.answered == 2 and result.indicator_count == 3


def test_failed_groups_give_their_advice_in_group_order():
    result = score(SPEC, {"x1": "0", "x2": "1", "y1": "0"})
    assert [a["group"] for a in result.advice] == ["law", "money"]
    assert result.advice[0]["advice"] == {"en": "Fix rules"}


def test_a_strength_is_never_also_a_weakness():
    result = score(SPEC, {"x1": "2", "x2": "2", "y1": "2"})
    assert [s["name"] for s in result.strengths] == ["x1", "x2", "y1"]
    assert result.weaknesses == []


def test_an_indicator_below_half_is_not_a_strength():
    result = score(SPEC, {"x1": "1", "x2": "0", "y1": "1"})
    assert result.strengths == []
    assert [w["name"] for w in result.weaknesses] == ["x2", "x1", "y1"]


def test_at_most_five_strengths_and_weaknesses():
    many = {
        "groups": [{"name": "g", "label": {}, "max": 36, "pass_mark": 60, "advice": {},
                    "indicators": [f"q{i}" for i in range(12)]}],
        "levels": SPEC["levels"],
        "indicators": [{"name": f"q{i}", "path": f"/data/q{i}", "group": "g", "label": {}, "kind": "select",
                        "scores": {"0": 0, "3": 3}, "max": 3} for i in range(12)],
    }
    top = score(many, {f"q{i}": "3" for i in range(12)})
    assert [s["name"] for s in top.strengths] == ["q0", "q1", "q2", "q3", "q4"]
    bottom = score(many, {f"q{i}": "0" for i in range(12)})
    assert [s["name"] for s in bottom.weaknesses] == ["q0", "q1", "q2", "q3", "q4"]


def test_level_boundary_is_exact_with_thirds():
    # 2/3 of the max is 66.666...%; a min_percent of 66.67 is not reached, 66.66 is.
    spec = dict(SPEC, levels=[{"name": "hi", "label": {}, "min_percent": 66.67, "colour": None},
                              {"name": "lo", "label": {}, "min_percent": 0, "colour": None}])
    answers = {"x1": "3", "x2": "1", "y1": "2"}
    assert score(spec, answers).level["name"] == "lo"
    spec["levels"][0]["min_percent"] = 66.66
    assert score(spec, answers).level["name"] == "hi"


def test_spec_numbers_may_be_floats_from_json():
    spec = json.loads(json.dumps(SPEC).replace('"max": 3}', '"max": 3.0}'))
    assert score(spec, {"x1": "3", "x2": "3", "y1": "3"}).to_dict()["percent"] == 100


def test_no_answers_means_no_percent_and_no_level():
    result = score(SPEC, {}).to_dict()
    assert (result["total"], result["max"], result["percent"], result["level"]) == (0, 0, None, None)
    assert result["strengths"] == result["weaknesses"] == result["advice"] == []
