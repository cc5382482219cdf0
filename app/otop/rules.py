"""The OTOP proposal's rules, pure: which mapped households could form a group, which occupations are
"stars", and how far the groups are from the proposal's three indicators. No Flask, no database: the
pages (app/otop/views.py) feed them rows they aggregated with SQL, and tests feed them small tables.

- **Occupation** of a household's occupation row: its OTOP sub-group when it has one ("3.1" ผ้า),
  else its occupation category ("rice"). Both clustering and the star rule group by it, so "same
  occupation or OTOP sub-group" means the same thing on every page.
- **Candidate group**: at least `min_members` (5, the registration rule) households who said they would
  join an occupational group, in the same area (village, or tambon when the scope is tambon) with the
  same occupation. A household with two occupations may appear in two candidates.
- **Star occupation score** = the weighted average of four factors, each scaled to 0..1 within the
  area, x 100: households (against the occupation with the most), average potential (out of the
  scale's top), income share (of all occupations' income) and interest (share of its households who
  would join a group). Weights come from the hh_mapping workbook's `star_weights` sheet.
- **Indicators**: stage reached / groups at the base stage x 100, cut to two decimals
  (app/periods.percent_cut), met when >= the target percent (80 / 50 / 60 in the proposal; the
  group_followup workbook's `indicators` sheet).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Iterable, Mapping

from app.periods import percent_cut

MIN_GROUP_MEMBERS = 5
SCOPES = ("village", "tambon")
STAGES = ("formed", "registered", "product_developed", "otop_registered", "selling_online")
STAR_FACTORS = ("households", "potential", "income_share", "interest")


# ------------------------------------------------------------------------------- occupations

@dataclass(frozen=True, order=True)
class Occupation:
    """An occupation as the proposal groups households: kind "otop" (value = OTOP sub-group code) or
    "category" (value = the occupation category's choice name)."""

    kind: str
    value: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"

    @classmethod
    def parse(cls, key: str) -> Occupation | None:
        kind, _, value = (key or "").partition(":")
        if kind not in ("otop", "category") or not value:
            return None
        return cls(kind, value)


def occupation_of(category: str | None, otop_subgroup: str | None) -> Occupation | None:
    if otop_subgroup:
        return Occupation("otop", otop_subgroup)
    if category:
        return Occupation("category", category)
    return None


def house_sort_key(house_no: str | None) -> tuple:
    """'2' < '12/1' < '12/2' < '101' (numbers compared as numbers)."""
    parts = re.split(r"(\d+)", house_no or "")
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


# --------------------------------------------------------------------------- candidate groups

@dataclass(frozen=True)
class MappedHousehold:
    """One mapped household as clustering sees it: where it is, whether it would join a group, and the
    occupations it has."""

    ref: int  # the caller's id (HouseholdProfile.id)
    district: str
    tambon: str
    village: str
    house_no: str
    interested: bool
    occupations: frozenset[Occupation] = field(default_factory=frozenset)


def candidate_key(scope: str, area: str, occupation: Occupation) -> str:
    """`village:42010101:otop:3.1`: a candidate group's name (parse_candidate_key reads it back)."""
    return f"{scope}:{area}:{occupation.key}"


@dataclass(frozen=True)
class Candidate:
    scope: str  # village | tambon
    area: str  # the village or tambon code
    district: str
    occupation: Occupation
    members: tuple[MappedHousehold, ...]

    @property
    def key(self) -> str:
        """Stable name of the candidate, for links and the registration it starts."""
        return candidate_key(self.scope, self.area, self.occupation)

    @property
    def size(self) -> int:
        return len(self.members)


def parse_candidate_key(key: str) -> tuple[str, str, Occupation] | None:
    scope, _, rest = (key or "").partition(":")
    area, _, occupation = rest.partition(":")
    occ = Occupation.parse(occupation)
    if scope not in SCOPES or not area or occ is None:
        return None
    return scope, area, occ


def candidate_groups(households: Iterable[MappedHousehold], scope: str = "village",
                     min_members: int = MIN_GROUP_MEMBERS) -> list[Candidate]:
    """Clusters of interested households with the same occupation in the same village (scope "village")
    or tambon (scope "tambon"), of at least `min_members`; biggest first, then by area and occupation.
    A household counts once per cluster even if it lists the occupation twice."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    clusters: dict[tuple[str, str, Occupation], dict[int, MappedHousehold]] = {}
    for hh in households:
        if not hh.interested:
            continue
        area = hh.village if scope == "village" else hh.tambon
        if not area:
            continue
        for occ in hh.occupations:
            clusters.setdefault((area, hh.district, occ), {})[hh.ref] = hh
    out = []
    for (area, district, occ), members in clusters.items():
        if len(members) >= min_members:
            ordered = tuple(sorted(members.values(), key=lambda h: (h.village, house_sort_key(h.house_no), h.ref)))
            out.append(Candidate(scope, area, district, occ, ordered))
    out.sort(key=lambda c: (-c.size, c.area, c.occupation))
    return out


def spanning_villages(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The tambon candidates that bring together households of two or more villages (one whose members
    all live in one village is that village's candidate again)."""
    return [c for c in candidates if len({m.village for m in c.members}) > 1]


# --------------------------------------------------------------------------- star occupations

@dataclass(frozen=True)
class OccupationFigures:
    """What the star rule needs of one occupation in an area (aggregated by SQL)."""

    occupation: Occupation
    households: int
    potential_sum: int  # over the occupation rows that gave a potential
    potential_count: int
    income: Decimal
    interested: int  # households with this occupation who would join a group

    @property
    def average_potential(self) -> Fraction | None:
        return Fraction(self.potential_sum, self.potential_count) if self.potential_count else None


@dataclass(frozen=True)
class StarOccupation:
    rank: int
    figures: OccupationFigures
    factors: dict[str, Fraction]  # factor -> 0..1
    score: Decimal  # 0..100, cut to two decimals


def _weights(weights: Mapping[str, Decimal | int | float | str]) -> dict[str, Fraction]:
    out = {}
    for name in STAR_FACTORS:
        raw = weights.get(name, 0)
        w = Fraction(str(raw)) if raw not in (None, "") else Fraction(0)
        if w < 0:
            raise ValueError(f"the weight of {name} cannot be negative")
        out[name] = w
    return out


def star_scores(rows: Iterable[OccupationFigures], weights: Mapping[str, Decimal | int | float | str],
                potential_max: int = 5) -> list[StarOccupation]:
    """Every occupation with its factors and score, best first (ties: more households, then the
    occupation's key). Weights of factors not named count as 0; all weights 0 give every score 0."""
    rows = [r for r in rows if r.households > 0]
    w = _weights(weights)
    total_w = sum(w.values(), Fraction(0))
    most = max((r.households for r in rows), default=0)
    all_income = sum((Decimal(r.income or 0) for r in rows), Decimal(0))
    scored = []
    for r in rows:
        avg = r.average_potential
        factors = {
            "households": Fraction(r.households, most) if most else Fraction(0),
            "potential": min(Fraction(1), avg / potential_max) if avg is not None and potential_max > 0 else Fraction(0),
            "income_share": Fraction(Decimal(r.income or 0)) / Fraction(all_income) if all_income > 0 else Fraction(0),
            "interest": Fraction(r.interested, r.households),
        }
        value = sum((w[k] * factors[k] for k in STAR_FACTORS), Fraction(0)) / total_w * 100 if total_w else Fraction(0)
        score = _decimal(value).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        scored.append((value, r, factors, score))
    scored.sort(key=lambda t: (-t[0], -t[1].households, t[1].occupation))
    return [StarOccupation(i, r, factors, score) for i, (_v, r, factors, score) in enumerate(scored, start=1)]


def weight_shares(weights: Mapping[str, Decimal | int | float | str]) -> dict[str, Decimal]:
    """Each factor's share of the total weight in percent (cut to 2 decimals), for the rule written on the page."""
    w = _weights(weights)
    total = sum(w.values(), Fraction(0))
    return {k: (percent_cut(_decimal(v), _decimal(total)) if total else Decimal(0)) for k, v in w.items()}


def _decimal(f: Fraction) -> Decimal:
    return Decimal(f.numerator) / Decimal(f.denominator)


# --------------------------------------------------------------------------------- indicators

@dataclass(frozen=True)
class IndicatorTarget:
    name: str  # the stage reached (product_developed, otop_registered, selling_online)
    of: str  # the base stage (registered, otop_registered)
    target_percent: Decimal
    label_th: str = ""
    label_en: str = ""


# The proposal's own indicators (DOMAIN.md); the group_followup workbook's `indicators` sheet overrides them.
PROPOSAL_INDICATORS = (
    IndicatorTarget("product_developed", "registered", Decimal(80), "กลุ่มที่เข้าร่วมพัฒนาผลิตภัณฑ์ใหม่หรือปรับปรุงผลิตภัณฑ์",
                    "Participating groups with a new or improved product"),
    IndicatorTarget("otop_registered", "registered", Decimal(50), "กลุ่มที่เข้าร่วมขึ้นทะเบียนเป็นผู้ผลิตผู้ประกอบการ OTOP",
                    "Participating groups registered as OTOP producers"),
    IndicatorTarget("selling_online", "otop_registered", Decimal(60), "กลุ่ม OTOP ที่ขายสินค้าออนไลน์",
                    "OTOP groups selling online"),
)


@dataclass(frozen=True)
class IndicatorResult:
    target: IndicatorTarget
    numerator: int
    denominator: int
    percent: Decimal | None  # None when no group is at the base stage
    met: bool | None

    @property
    def bar_percent(self) -> Decimal:
        return Decimal(0) if self.percent is None else max(Decimal(0), min(Decimal(100), self.percent))


def indicator_attainment(stage_counts: Mapping[str, int], targets: Iterable[IndicatorTarget]) -> list[IndicatorResult]:
    """Each indicator from the counts of groups per stage ({stage: count})."""
    out = []
    for t in targets:
        num, den = int(stage_counts.get(t.name, 0) or 0), int(stage_counts.get(t.of, 0) or 0)
        pct = percent_cut(num, den)
        out.append(IndicatorResult(t, num, den, pct, None if pct is None else pct >= t.target_percent))
    return out
