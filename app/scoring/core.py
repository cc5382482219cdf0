"""Score one assessment: (scoring spec, answers) -> ScoreResult. Pure: no Flask, no database, no floats.

The spec is what app.xlsform.scoring_spec.read_scoring_spec reads from the workbook (stored on
FormVersion.scoring). The rules, which the JavaScript twin follows to the letter:

* **Answers** map a question's name to its submitted string (a question's absolute path, e.g.
  `/data/p1/i01`, is accepted too; the name is looked up first). Values are stripped.
* **Select indicator**: the answer is a choice name; its points are `scores[choice]`. **Calculate
  indicator**: the answer is a number; it is rounded half up to 2 decimals and clamped to 0..max.
* **Not assessed**: a blank/missing answer (ODK leaves non-relevant questions blank), a choice that has
  no score (e.g. "not applicable"), an unknown choice or a calculate that is not a number. Such an
  indicator is left out of both the score and the maximum, everywhere (group and total): it is
  reported with `answered: false`, `score: null` and its own `max`. Percent, pass and level are
  therefore judged on what was assessed. When nothing in a group (or the whole form) was assessed,
  its percent, `passed` (and the level) are null.
* **Percent** = score / max x 100, rounded half up to 2 decimals for display. Level and pass are
  decided on the exact fraction: a group passes when score x 100 >= pass_mark x max (no pass_mark:
  `passed` is null); the level is the first (best) level whose min_percent <= the exact percent.
* **Strengths**: assessed indicators that earned at least half their max, by share of their max
  (highest first, so full marks come first), ties in form order; at most 5. **Weaknesses**: assessed
  indicators below full marks that are not already listed as strengths, by share (lowest first), ties
  in form order; at most 5. An indicator is never both.
* **Advice**: one entry per group that failed its pass mark, in the groups' order.

Numbers in `to_dict()` are JSON numbers: ints when whole, else floats with at most 2 decimals.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Mapping

MAX_LISTED = 5
_ZERO, _CENT = Decimal(0), Decimal("0.01")


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@functools.lru_cache(maxsize=8192)
def _num(value: Decimal | Fraction) -> int | float:
    """A JSON number with at most 2 decimals (rounded half up). Kept per value: scores, maxima and
    percents come from a small set, and exact Fraction arithmetic is slow."""
    hundredths = _round_half_up(Fraction(value) * 100)
    return hundredths // 100 if hundredths % 100 == 0 else float(Decimal(hundredths) / 100)


json_number = _num  # for callers that store numbers the way results show them


def _round_half_up(x: Fraction) -> int:
    """x rounded to the nearest integer, halves away from zero."""
    if x < 0:
        return -_round_half_up(-x)
    return int(x + Fraction(1, 2))  # int() truncates; x + 1/2 >= 0


@functools.lru_cache(maxsize=8192)
def _percent(score: Decimal, maximum: Decimal) -> Fraction | None:
    return None if maximum <= 0 else Fraction(score) * 100 / Fraction(maximum)


@functools.lru_cache(maxsize=1024)
def _threshold(value: Any) -> Fraction:
    """A pass mark or a level's min_percent as an exact number."""
    return Fraction(_dec(value))


def _parse_number(text: str) -> Decimal | None:
    try:
        d = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


@dataclass
class ScoreResult:
    total: Decimal
    max: Decimal
    percent_exact: Fraction | None  # for level decisions; not serialised
    level: dict[str, Any] | None
    answered: int
    indicator_count: int
    groups: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    strengths: list[dict[str, Any]] = field(default_factory=list)
    weaknesses: list[dict[str, Any]] = field(default_factory=list)
    advice: list[dict[str, Any]] = field(default_factory=list)

    @property
    def percent(self) -> int | float | None:
        return None if self.percent_exact is None else _num(self.percent_exact)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": _num(self.total),
            "max": _num(self.max),
            "percent": self.percent,
            "level": self.level,
            "answered": self.answered,
            "indicator_count": self.indicator_count,
            "groups": self.groups,
            "indicators": self.indicators,
            "strengths": self.strengths,
            "weaknesses": self.weaknesses,
            "advice": self.advice,
        }


def _indicator_points(ind: Mapping[str, Any], value: str | None) -> Decimal | None:
    """The points an answer earns, or None when the indicator is not assessed."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    if ind["kind"] == "select":
        scores = ind.get("scores") or {}
        return _dec(scores[value]) if value in scores else None
    d = _parse_number(value)
    if d is None:
        return None
    maximum = _dec(ind["max"])
    # Clamped to 0..max, then rounded half up to 2 decimals: the same as rounding first (max has at most
    # 2 decimals), and a huge number never reaches quantize.
    return min(max(d, _ZERO), maximum).quantize(_CENT, rounding=ROUND_HALF_UP)


def indicator_points(spec: Mapping[str, Any], answers: Mapping[str, str | None]) -> list[Decimal | None]:
    """The points each indicator of the spec earns from `answers`, in the spec's order; None where it
    is not assessed. With the spec, these numbers are the whole result (`from_points`): the score
    table stores them instead of the result's labels (app/scoring/store.py)."""
    out: list[Decimal | None] = []
    for ind in spec["indicators"]:
        name = ind["name"]
        value = answers.get(name) if name in answers else answers.get(ind.get("path") or "")
        out.append(_indicator_points(ind, value))
    return out


def score(spec: Mapping[str, Any], answers: Mapping[str, str | None]) -> ScoreResult:
    """Score `answers` by `spec` (see the module docstring for every rule)."""
    return from_points(spec, indicator_points(spec, answers))


@dataclass
class Summary:
    """What the score table's columns hold: the totals, the level and each group's result."""

    total: Decimal
    max: Decimal
    percent_exact: Fraction | None
    level: dict[str, Any] | None
    answered: int
    groups: list[dict[str, Any]]

    @property
    def percent(self) -> int | float | None:
        return None if self.percent_exact is None else _num(self.percent_exact)


def summarise(spec: Mapping[str, Any], points: list[Decimal | None]) -> Summary:
    """Totals, level and per-group results of the indicators' `points` (see `indicator_points`)."""
    per_group: dict[str, list[Decimal]] = {g["name"]: [Decimal(0), Decimal(0)] for g in spec["groups"]}
    answered = 0
    for ind, got in zip(spec["indicators"], points):
        if got is None:
            continue
        answered += 1
        acc = per_group.setdefault(ind["group"], [Decimal(0), Decimal(0)])
        acc[0] += got
        acc[1] += _dec(ind["max"])
    groups: list[dict[str, Any]] = []
    total = Decimal(0)
    maximum = Decimal(0)
    for g in spec["groups"]:
        got, most = per_group[g["name"]]
        total += got
        maximum += most
        exact = _percent(got, most)
        pass_mark = g.get("pass_mark")
        passed = None if exact is None or pass_mark is None else exact >= _threshold(pass_mark)
        groups.append({"name": g["name"], "label": g.get("label") or {}, "score": _num(got), "max": _num(most),
                       "percent": None if exact is None else _num(exact), "pass_mark": pass_mark,
                       "passed": passed, "advice": g.get("advice") or {}})
    exact = _percent(total, maximum)
    level = _level(spec, exact)
    return Summary(total, maximum, exact, level, answered, groups)


def from_points(spec: Mapping[str, Any], points: list[Decimal | None]) -> ScoreResult:
    """The whole result (groups, indicators, strengths, weaknesses, advice) from the indicators' points."""
    summary = summarise(spec, points)
    indicators: list[dict[str, Any]] = []
    shares: list[tuple[Fraction, int, dict[str, Any]]] = []  # (share, form order, entry) of assessed ones
    for order, (ind, got) in enumerate(zip(spec["indicators"], points)):
        maximum = _dec(ind["max"])
        entry = {"name": ind["name"], "label": ind.get("label") or {}, "group": ind["group"],
                 "score": None if got is None else _num(got), "max": _num(maximum),
                 "answered": got is not None}
        indicators.append(entry)
        if got is not None:
            shares.append((Fraction(got) / Fraction(maximum), order, entry))
    advice = [{"group": g["name"], "label": g["label"], "advice": g["advice"]}
              for g in summary.groups if g["passed"] is False]
    groups, total, maximum, exact, level = (summary.groups, summary.total, summary.max, summary.percent_exact,
                                            summary.level)
    answered = summary.answered

    def brief(entry: dict[str, Any]) -> dict[str, Any]:
        return {k: entry[k] for k in ("name", "label", "group", "score", "max")}

    best = sorted((s for s in shares if s[0] >= Fraction(1, 2)), key=lambda s: (-s[0], s[1]))[:MAX_LISTED]
    strong = {s[1] for s in best}
    worst = sorted((s for s in shares if s[0] < 1 and s[1] not in strong), key=lambda s: (s[0], s[1]))[:MAX_LISTED]

    return ScoreResult(
        total=total, max=maximum, percent_exact=exact, level=level, answered=answered,
        indicator_count=len(spec["indicators"]), groups=groups, indicators=indicators,
        strengths=[brief(s[2]) for s in best], weaknesses=[brief(s[2]) for s in worst], advice=advice,
    )


def _level(spec: Mapping[str, Any], exact: Fraction | None) -> dict[str, Any] | None:
    """The first (best) level whose min_percent the exact percent reaches."""
    if exact is None:
        return None
    for lv in spec["levels"]:
        if exact >= _threshold(lv["min_percent"]):
            return {"name": lv["name"], "label": lv.get("label") or {}, "colour": lv.get("colour")}
    return None


def level_scorer(spec: Mapping[str, Any]):  # noqa: ANN201 - (answers) -> (level, total, maximum)
    """A function answers -> (level, total, maximum) giving exactly score()'s level (and, through
    percent_of(total, maximum), its percent) without the rest of the result, the spec's numbers
    prepared once and the level decided on decimals (score x 100 >= min_percent x max: the same exact
    comparison as on the fraction): for re-scoring many records under one spec (app/scoring/preview.py,
    ~10x faster than score())."""
    counted = {g["name"] for g in spec["groups"]}
    indicators = [(ind, ind["name"], ind.get("path") or "", _dec(ind["max"]))
                  for ind in spec["indicators"] if ind["group"] in counted]
    levels = [(_dec(lv["min_percent"]), {"name": lv["name"], "label": lv.get("label") or {},
                                         "colour": lv.get("colour")}) for lv in spec["levels"]]
    hundred = Decimal(100)

    def level(answers: Mapping[str, str | None]) -> tuple[dict[str, Any] | None, Decimal, Decimal]:
        total = maximum = Decimal(0)
        for ind, name, path, most in indicators:
            points = _indicator_points(ind, answers.get(name) if name in answers else answers.get(path))
            if points is not None:
                total += points
                maximum += most
        if maximum <= 0:
            return None, total, maximum
        scaled = total * hundred
        return next((dict(lv) for floor, lv in levels if scaled >= floor * maximum), None), total, maximum

    return level


def percent_of(total: Decimal, maximum: Decimal) -> int | float | None:
    """score()'s percent for a total and maximum."""
    exact = _percent(total, maximum)
    return None if exact is None else _num(exact)


def level_of(spec: Mapping[str, Any], answers: Mapping[str, str | None]) -> tuple[dict[str, Any] | None, int | float | None]:
    """(level, percent) exactly as score() gives them (see level_scorer)."""
    level, total, maximum = level_scorer(spec)(answers)
    return level, percent_of(total, maximum)
