"""Property tests: the parser/evaluator never crashes; any input gives a result or an XPathError."""
from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.xlsform.xpath import XPathError, compile, evaluate

INSTANCE = ("<data><a>5</a><b>hello</b><d>2026-11-25</d><empty/><ms>a b c</ms>"
            "<rep><q>1</q></rep><rep><q>2</q></rep><t>สวัสดี</t></data>")
SECONDARY = {"list": "<root><item><name>a</name><label>ก</label></item><item><name>b</name><label>ข</label></item></root>"}
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(expr: str, result: str = "string") -> None:
    try:
        evaluate(expr, INSTANCE, "/data/rep[2]/q", result, secondary=SECONDARY, now=NOW)
    except XPathError as exc:
        assert exc.message_en and exc.message_th
        assert exc.position is None or 0 <= exc.position <= len(expr)


ALPHABET = st.sampled_from(list("/[]()@.,|=!<>+-*$'\" 0123456789abdnqtz:") +
                           ["div", "mod", "and", "or", "..", "//", "::", "data", "rep", "count(", "concat(",
                            "instance('list')", "current()", "ก", "๑", "\u0e49", "\t", "child", "text()"])


@SETTINGS
@given(st.text(max_size=40))
def test_any_text_gives_result_or_clean_error(expr):
    _check(expr)


@SETTINGS
@given(st.lists(ALPHABET, max_size=25).map("".join), st.sampled_from(["string", "number", "boolean", "nodes"]))
def test_xpathish_text_gives_result_or_clean_error(expr, result):
    _check(expr, result)


# ---- well-formed expressions from a small grammar: must never raise a syntax error
PATHS = st.sampled_from(["/data/a", "/data/b", "/data/empty", "/data/missing", "/data/rep/q", "../q", ".",
                         "/data/rep[1]/q", "/data/ms", "/data/d", "/data/t", "instance('list')/root/item/name",
                         "instance('list')/root/item[name = current()]/label", "/data/rep[q > 1]/q"])
LITERALS = st.one_of(st.integers(-1000, 1000).map(str), st.sampled_from(["'x'", "''", "'ก'", "0.5", "'2026-01-01'"]))
FUNCS1 = ["string", "number", "boolean", "not", "string-length", "normalize-space", "int", "abs", "round",
          "floor", "ceiling", "sqrt", "date", "count-selected", "boolean-from-string", "decimal-date-time"]
FUNCS2 = ["concat", "contains", "starts-with", "ends-with", "substring-before", "substring-after", "selected",
          "selected-at", "coalesce", "pow", "atan2", "substr", "format-date", "regex"]
NODEFUNCS = ["count", "sum", "count-non-empty", "max", "min"]


def _expr():
    leaf = st.one_of(PATHS, LITERALS)

    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "div", "mod", "=", "!=", "<", "<=", ">", ">=",
                                              "and", "or"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(FUNCS1), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(FUNCS2), inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
            st.tuples(st.sampled_from(NODEFUNCS), PATHS).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, inner, inner).map(lambda t: f"if({t[0]}, {t[1]}, {t[2]})"),
            inner.map(lambda e: f"-{e}"),
        )

    return st.recursive(leaf, extend, max_leaves=12)


@SETTINGS
@given(_expr(), st.sampled_from(["string", "number", "boolean"]))
def test_grammar_expressions_parse_and_evaluate(expr, result):
    compile(expr)  # well-formed: no syntax error
    _check(expr, result)
