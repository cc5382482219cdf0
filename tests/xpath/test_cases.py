"""Run the shared case file (tests/xpath/cases.json) through the server's XPath evaluator.

The same file runs in Chromium through the browser engine (tests/browser). One case = one test.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pytest

from app.xlsform.xpath import XPathError, evaluate, string_value

CASES_FILE = Path(__file__).with_name("cases.json")
DATA = json.loads(CASES_FILE.read_text(encoding="utf-8"))
CASES = DATA["cases"]


def _expected_number(v):
    if v == "NaN":
        return math.nan
    if v == "Infinity":
        return math.inf
    if v == "-Infinity":
        return -math.inf
    return float(v)


def _run(case):
    instance = DATA["instances"][case["instance"]] if case.get("instance") else None
    secondary = DATA["secondary"][case["secondary"]] if case.get("secondary") else None
    now = dt.datetime.fromisoformat(case["now"]) if case.get("now") else None
    return evaluate(case["expr"], instance, case.get("context"), case["result"], secondary=secondary, now=now)


def test_case_file_shape():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 600
    for c in CASES:
        assert c["result"] in ("string", "number", "boolean", "nodes", "value"), c["id"]
        assert ("expected" in c) + ("match" in c) + bool(c.get("error")) == 1, c["id"]
        assert c.get("instance") is None or c["instance"] in DATA["instances"], c["id"]
        assert c.get("secondary") is None or c["secondary"] in DATA["secondary"], c["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    if case.get("error"):
        with pytest.raises(XPathError):
            _run(case)
        return
    got = _run(case)
    if "match" in case:
        assert re.search(case["match"], str(got)), f"{got!r} !~ {case['match']}"
        return
    want = case["expected"]
    kind = case["result"]
    if kind == "number":
        w = _expected_number(want)
        if math.isnan(w):
            assert math.isnan(got), got
        elif math.isinf(w):
            assert got == w, got
        elif w == 0:
            assert abs(got) < 1e-12, got
        else:
            assert got == pytest.approx(w, rel=1e-9), got
    elif kind == "nodes":
        assert [string_value(n) for n in got] == want
    else:
        assert got == want
