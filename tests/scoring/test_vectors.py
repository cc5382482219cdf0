"""The shared scoring vectors (tests/scoring/vectors.json): the Python scorer must reproduce every
expected result exactly. The JavaScript twin is checked against the same file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.scoring import score

VECTORS = json.loads((Path(__file__).parent / "vectors.json").read_text(encoding="utf-8"))
CASES = VECTORS["cases"]


def spec_of(case: dict) -> dict:
    return VECTORS["specs"][case["spec"]] if isinstance(case["spec"], str) else case["spec"]


def test_file_has_enough_distinct_cases():
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 50
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_vector(case):
    result = score(spec_of(case), case["answers"]).to_dict()
    assert result == case["expected"]
    # Exactly what a JSON reader (the browser) sees: same after a round trip, numbers with <= 2 decimals.
    assert json.loads(json.dumps(result, ensure_ascii=False)) == case["expected"]


def _numbers(obj):
    if isinstance(obj, bool) or obj is None:
        return
    if isinstance(obj, (int, float)):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _numbers(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _numbers(v)


def test_expected_numbers_have_at_most_two_decimals():
    for case in CASES:
        for n in _numbers(case["expected"]):
            assert round(n, 2) == n, (case["id"], n)
