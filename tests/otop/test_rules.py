"""The OTOP proposal's pure rules (app/otop/rules.py) on small tables: candidate groups, the star score,
the indicators. No Flask, no database."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.otop.rules import (PROPOSAL_INDICATORS, Candidate, MappedHousehold, Occupation, OccupationFigures,
                            candidate_groups, indicator_attainment, parse_candidate_key, spanning_villages,
                            star_scores, weight_shares)

WEAVING, CHILLI, RICE = Occupation("otop", "3.1"), Occupation("otop", "1.3"), Occupation("category", "rice")


def hh(ref: int, village: str = "42010101", *occupations: Occupation, interested: bool = True) -> MappedHousehold:
    return MappedHousehold(ref, village[:4], village[:6], village, f"{ref}/1", interested,
                           frozenset(occupations or (WEAVING,)))


# (households, scope) -> expected [(area, occupation, member refs)]
CASES = [
    pytest.param([hh(i) for i in range(1, 5)], "village", [], id="4 interested of one occupation: no candidate"),
    pytest.param([hh(i) for i in range(1, 6)], "village", [("42010101", WEAVING, [1, 2, 3, 4, 5])],
                 id="5 do"),
    pytest.param([hh(i) for i in range(1, 6)] + [hh(6, interested=False)], "village",
                 [("42010101", WEAVING, [1, 2, 3, 4, 5])], id="a household not interested is not proposed"),
    pytest.param([hh(i, "42010101") for i in range(1, 4)] + [hh(i, "42010201") for i in range(4, 6)], "tambon", [],
                 id="5 across two tambons do not when the scope is tambon"),
    pytest.param([hh(i, "42010101") for i in range(1, 4)] + [hh(i, "42010102") for i in range(4, 6)], "tambon",
                 [("420101", WEAVING, [1, 2, 3, 4, 5])], id="5 across two villages of one tambon do"),
    pytest.param([hh(i, "42010101") for i in range(1, 4)] + [hh(i, "42010102") for i in range(4, 6)], "village", [],
                 id="the same 5 are two villages of 3 and 2 at village scope"),
    pytest.param([hh(i) for i in range(1, 4)] + [hh(i, "42010101", CHILLI) for i in range(4, 6)], "village", [],
                 id="3 weavers and 2 chilli makers are not one group"),
    pytest.param([hh(i, "42010101", WEAVING, RICE) for i in range(1, 6)] + [hh(6, "42010101", RICE)], "village",
                 [("42010101", RICE, [1, 2, 3, 4, 5, 6]), ("42010101", WEAVING, [1, 2, 3, 4, 5])],
                 id="a household with two occupations may be in two candidates; bigger first"),
    pytest.param([hh(i, "42010101", WEAVING, WEAVING) for i in range(1, 5)], "village", [],
                 id="an occupation listed twice counts its household once"),
]


@pytest.mark.parametrize("households, scope, expected", CASES)
def test_candidate_groups(households, scope, expected):
    got = [(c.area, c.occupation, [m.ref for m in c.members]) for c in candidate_groups(households, scope)]
    assert got == expected


def test_candidate_key_round_trips_and_bad_keys_are_refused():
    c = candidate_groups([hh(i) for i in range(1, 6)])[0]
    assert isinstance(c, Candidate) and c.key == "village:42010101:otop:3.1" and c.size == 5
    assert parse_candidate_key(c.key) == ("village", "42010101", WEAVING)
    for bad in ("", "x", "district:4201:otop:3.1", "village::otop:3.1", "village:42010101:other:x", "village:42010101:otop:"):
        assert parse_candidate_key(bad) is None
    with pytest.raises(ValueError):
        candidate_groups([], "district")


def test_members_are_listed_by_village_then_house_number_as_numbers():
    members = [MappedHousehold(i, "4201", "420101", v, h, True, frozenset({WEAVING}))
               for i, (v, h) in enumerate([("42010102", "2"), ("42010101", "12/1"), ("42010101", "2"),
                                           ("42010101", "101"), ("42010101", "12/2")], start=1)]
    c = candidate_groups(members, "tambon")[0]
    assert [(m.village, m.house_no) for m in c.members] == [
        ("42010101", "2"), ("42010101", "12/1"), ("42010101", "12/2"), ("42010101", "101"), ("42010102", "2")]


def test_a_tambon_candidate_counts_only_when_it_spans_villages():
    one_village = candidate_groups([hh(i) for i in range(1, 6)], "tambon")
    two_villages = candidate_groups([hh(i, "42010101") for i in range(1, 4)] + [hh(i, "42010102") for i in range(4, 6)],
                                    "tambon")
    assert spanning_villages(one_village) == [] and spanning_villages(two_villages) == two_villages


def figures(occ, households, potentials, income, interested):
    return OccupationFigures(occ, households, sum(potentials), len(potentials), Decimal(income), interested)


ROWS = [figures(WEAVING, 10, [4] * 10, 300000, 8), figures(CHILLI, 5, [5] * 5, 100000, 5),
        figures(RICE, 20, [2] * 20, 600000, 0)]


def test_star_score_is_the_weighted_average_of_the_scaled_factors():
    ranked = star_scores(ROWS, {"households": 1, "potential": 1, "income_share": 1, "interest": 1})
    by = {s.figures.occupation: s for s in ranked}
    # weaving: households 10/20, potential 4/5, income 300k/1M, interest 8/10 -> (0.5 + 0.8 + 0.3 + 0.8) / 4
    assert by[WEAVING].score == Decimal("60.00")
    # chilli: 5/20, 5/5, 0.1, 5/5 -> 2.35 / 4 = 58.75; rice: 1, 0.4, 0.6, 0 -> 50
    assert by[CHILLI].score == Decimal("58.75") and by[RICE].score == Decimal("50.00")
    assert [s.figures.occupation for s in ranked] == [WEAVING, CHILLI, RICE] and [s.rank for s in ranked] == [1, 2, 3]


def test_the_weights_decide_the_ranking_not_the_code():
    households_only = star_scores(ROWS, {"households": 1})
    assert [s.figures.occupation for s in households_only] == [RICE, WEAVING, CHILLI]
    assert households_only[0].score == Decimal("100.00")
    interest_and_potential = star_scores(ROWS, {"potential": 2, "interest": 1})
    assert interest_and_potential[0].figures.occupation == CHILLI
    assert star_scores(ROWS, {})[0].score == Decimal(0)  # every weight 0: no ranking signal, every score 0
    with pytest.raises(ValueError):
        star_scores(ROWS, {"households": -1})
    assert weight_shares({"households": 3, "potential": 3, "income_share": 2, "interest": 2}) == {
        "households": Decimal("30.00"), "potential": Decimal("30.00"), "income_share": Decimal("20.00"),
        "interest": Decimal("20.00")}


def test_ties_are_broken_by_more_households():
    a, b = figures(WEAVING, 4, [3] * 4, 0, 0), figures(CHILLI, 6, [3] * 6, 0, 0)
    assert [s.figures.occupation for s in star_scores([a, b], {"potential": 1})] == [CHILLI, WEAVING]


INDICATOR_CASES = [
    # registered, product, otop, online -> (percent, met) for the three indicators
    ({"registered": 5, "product_developed": 4, "otop_registered": 2, "selling_online": 1},
     [(Decimal("80.00"), True), (Decimal("40.00"), False), (Decimal("50.00"), False)]),
    ({"registered": 10, "product_developed": 7, "otop_registered": 5, "selling_online": 3},
     [(Decimal("70.00"), False), (Decimal("50.00"), True), (Decimal("60.00"), True)]),
    ({"registered": 3, "product_developed": 2, "otop_registered": 1, "selling_online": 0},
     [(Decimal("66.66"), False), (Decimal("33.33"), False), (Decimal("0.00"), False)]),
    ({"registered": 0}, [(None, None), (None, None), (None, None)]),
]


@pytest.mark.parametrize("counts, expected", INDICATOR_CASES)
def test_the_proposals_three_indicators(counts, expected):
    results = indicator_attainment(counts, PROPOSAL_INDICATORS)
    assert [r.target.target_percent for r in results] == [80, 50, 60]
    assert [(r.percent, r.met) for r in results] == expected
