"""Compiled.references(context): the primary-instance paths an expression reads."""
from __future__ import annotations

import pytest

from app.xlsform.xpath import XPathError, compile


@pytest.mark.parametrize("expr, context, refs", [
    ("/data/a + /data/b", None, {"/data/a", "/data/b"}),
    ("${x}".replace("${x}", "/data/x") + " > 3", "/data/y", {"/data/x"}),
    ("../a", "/data/b", {"/data/a"}),
    (". > 5", "/data/age", {"/data/age"}),
    ("../../x", "/data/grp/q", {"/data/x"}),
    ("string-length(.) < 10", "/data/name", {"/data/name"}),
    ("string-length()", "/data/name", {"/data/name"}),
    ("current()/../a", "/data/b", {"/data/a"}),
    ("instance('ypn')/root/item[name=/data/i01]/score", "/data/s01", {"/data/i01"}),
    ("instance('districts')/root/item[province = current()/../prov]/name", "/data/dist", {"/data/prov"}),
    ("instance('districts')/root/item[province = ../prov]/name", "/data/dist", set()),
    ("count(/data/rep)", None, {"/data/rep"}),
    ("sum(/data/rep/q)", None, {"/data/rep/q"}),
    ("/data/rep[age > 18]/name", None, {"/data/rep/name", "/data/rep/age"}),
    ("/data/rep[position() = 2]/name", None, {"/data/rep/name"}),
    ("indexed-repeat(/data/rep/q, /data/rep, /data/i)", None, {"/data/rep/q", "/data/rep", "/data/i"}),
    ("selected(/data/ms, 'a') and /data/meta/entity/@id != ''", None, {"/data/ms", "/data/meta/entity/@id"}),
    ("today() - /data/dob", None, {"/data/dob"}),
    ("concat('a', 'b')", "/data/x", set()),
    ("if(/data/a, /data/b, /data/c)", None, {"/data/a", "/data/b", "/data/c"}),
    ("-/data/a", None, {"/data/a"}),
    ("(/data/a | /data/b)[1]", None, {"/data/a", "/data/b"}),
    ("//n", None, {"//n"}),
    ("/data//n", None, {"/data//n"}),
    ("/data/*", None, {"/data/*"}),
    ("once(/data/a)", "/data/x", {"/data/a"}),
    ("jr:choice-name(/data/q, '/data/q')", None, {"/data/q"}),
    ("/data/g/../a", None, {"/data/a"}),
    ("count(../item[. = current()])", "/data/list/item", {"/data/list/item"}),
    ("/data/rep/q[. > /data/min]", "/data/x", {"/data/rep/q", "/data/min"}),
    ("pulldata('fruits', 'price', 'name', /data/fruit)", None, {"/data/fruit"}),
])
def test_references(expr, context, refs):
    assert compile(expr).references(context) == refs


def test_references_of_bad_expression_is_a_clean_error():
    with pytest.raises(XPathError) as info:
        compile("/data/a +").references("/data/b")
    assert info.value.position == len("/data/a +")


def test_syntax_error_position_points_at_problem():
    with pytest.raises(XPathError) as info:
        compile("concat('a', 'b'")
    assert info.value.position == len("concat('a', 'b'")
    with pytest.raises(XPathError) as info:
        compile("foo(1)")
    assert info.value.position == 0
    assert "foo" in info.value.message_en and info.value.message_th
