"""The evaluation plan (app/xlsform/xpath/plan.py) gives what the tree-walking evaluator gives.

- every one of the shared XPath cases (tests/xpath/cases.json), value or error, evaluated both ways;
- every corpus form (../shared/xlsform-corpus/dev) and the bundled questionnaires: generated
  submissions (random typed answers, so relevance chains switch both ways; 0-3 instances of every
  repeat, nested ones too) re-validated with the plan and with the evaluator: the same errors,
  warnings and stored data.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import math
import random
import uuid
from pathlib import Path

import pytest
from lxml import etree

from app.xlsform.xpath import EVALUATION_FAILURES, Compiled, XPathError, _context_node, _convert
from app.xlsform.xpath import compile as compile_xpath
from app.xlsform.xpath.evaluator import Context, Env, evaluate_ast
from app.xlsform.xpath.values import string_value
from tests.conftest import CORPUS

CASES = json.loads((Path(__file__).with_name("cases.json")).read_text(encoding="utf-8"))
QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "app" / "questionnaires"
_RANDOM = ("random(", "uuid(", "randomize(")


def _evaluate(case: dict, planned: bool):
    """(kind, value) of one case: ("value", comparable value) or ("error", English message)."""
    instance = CASES["instances"][case["instance"]] if case.get("instance") else None
    secondary = CASES["secondary"][case["secondary"]] if case.get("secondary") else None
    now = dt.datetime.fromisoformat(case["now"]) if case.get("now") else dt.datetime(2026, 3, 10, 9, 0)
    try:
        compiled = compile_xpath(case["expr"])
    except XPathError as exc:
        return ("error", exc.message_en)
    try:
        env = Env(case["expr"], instance, secondary, now, None, None, None, None, None)
        node = _context_node(env, case.get("context"), case["expr"])
        env.set_context(node)
        if planned:
            value = compiled.plan(env, Context(node))
        else:
            value = evaluate_ast(compiled.ast, env, Context(node))
        value = _convert(value, case["result"], env)
    except XPathError as exc:
        return ("error", exc.message_en)
    except EVALUATION_FAILURES as exc:
        return ("error", f"{type(exc).__name__}")
    if case["result"] == "nodes":
        return ("value", [(_where(env, n), string_value(n)) for n in value])
    if isinstance(value, float) and math.isnan(value):
        return ("value", "NaN")
    return ("value", value)


def _where(env: Env, node) -> str:  # noqa: ANN001
    steps = []
    while node is not None:
        steps.append(getattr(node, "tag", type(node).__name__))
        node = env.parent(node)
    return "/".join(reversed([str(s) for s in steps]))


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["id"] for c in CASES["cases"]])
def test_plan_agrees_with_evaluator_on_shared_case(case):
    planned, walked = _evaluate(case, True), _evaluate(case, False)
    if any(f in case["expr"] for f in _RANDOM) and planned[0] == walked[0] == "value":
        return  # random values differ from one call to the next; both gave a value
    assert planned == walked


def test_shared_cases_exercise_the_plan_fast_paths():
    """The two fast paths are reached by the case file itself (not only by the corpus below)."""
    from app.xlsform.xpath import plan

    used = {"absolute": 0, "lookup": 0}
    for case in CASES["cases"]:
        try:
            ast = compile_xpath(case["expr"]).ast
        except XPathError:
            continue
        stack = [ast]
        while stack:
            e = stack.pop()
            t = type(e).__name__
            if t == "Path":
                if e.start == "root" and plan._simple_steps(e.steps):
                    used["absolute"] += 1
                if any(plan._lookup(s, (None,) * len(s.predicates)) for s in e.steps):
                    used["lookup"] += 1
            for attr in ("left", "right", "operand", "primary", "start"):
                child = getattr(e, attr, None)
                if child is not None and not isinstance(child, str):
                    stack.append(child)
            stack.extend(getattr(e, "args", ()) or ())
            stack.extend(getattr(e, "predicates", ()) or ())
            for s in getattr(e, "steps", ()) or ():
                stack.extend(s.predicates)
    assert used["absolute"] > 100 and used["lookup"] >= 5, used


# ------------------------------------------------------------------------------ corpus forms

@functools.lru_cache(maxsize=None)
def _conversion(path: Path):  # noqa: ANN202
    from app.xlsform.convert import WorkbookRejected, convert_workbook

    try:
        return convert_workbook(path.name, path.read_bytes())
    except WorkbookRejected:
        return None  # refused at publish (the corpus keeps broken workbooks on purpose): no submissions


def _forms() -> list[Path]:
    """Every workbook that can be published: only those can have submissions."""
    paths = sorted(CORPUS.glob("*.xlsx")) + sorted(QUESTIONNAIRES.glob("*.xlsx"))
    return [p for p in paths if _conversion(p) is not None]


def _sample(node, rng: random.Random) -> str | None:  # noqa: ANN001
    if rng.random() < 0.15:
        return None  # unanswered: required and relevance on empty values
    if node.choices:
        names = [c.name for c in node.choices]
        if node.control == "select" or node.datatype == "select":
            return " ".join(rng.sample(names, k=min(len(names), rng.randint(1, 3))))
        return rng.choice(names)
    return {
        "int": lambda: str(rng.randint(-2, 120)),
        "integer": lambda: str(rng.randint(-2, 120)),
        "decimal": lambda: rng.choice(["0", "1.5", f"{rng.uniform(0, 1000):.2f}", "abc"]),
        "date": lambda: f"20{rng.randint(10, 30)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "time": lambda: f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00.000+07:00",
        "dateTime": lambda: "2026-11-25T10:00:00.000+07:00",
        "geopoint": lambda: f"{rng.uniform(17, 18):.6f} {rng.uniform(101, 102):.6f} 250 5",
        "string": lambda: rng.choice(["", "yes", "no", "Somchai", "บ้านนาอ้อ", "1", "OK"]),
    }.get(node.datatype, lambda: rng.choice(["", "x", "1"]))()


def _generate(definition, xform: str, rng: random.Random) -> bytes:  # noqa: ANN001
    from app.forms.rendering import instance_template

    root = etree.fromstring(instance_template(xform))
    nodes = {n.path: n for n in definition.nodes()}

    def fill(el, path: str) -> None:  # noqa: ANN001
        seen: set[str] = set()
        for child in list(el):
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            p = f"{path}/{name}"
            node = nodes.get(p)
            if node is not None and node.kind == "repeat":
                if name in seen:
                    el.remove(child)
                    continue
                seen.add(name)
                for a in list(child.attrib):
                    if etree.QName(a).localname == "template":
                        del child.attrib[a]
                copies = rng.randint(0, 3)
                position = list(el).index(child)
                el.remove(child)
                for k in range(copies):
                    clone = etree.fromstring(etree.tostring(child))
                    fill(clone, p)
                    el.insert(position + k, clone)
            elif len(child):
                fill(child, p)
            elif node is not None and node.kind == "field" and node.control is not None:
                child.text = _sample(node, rng)
            elif node is not None and node.calculate and rng.random() < 0.5:
                child.text = rng.choice(["1", "x", ""])  # a client's calculate, right or wrong

    fill(root, "/" + etree.QName(root).localname)
    meta = root.find("meta")
    if meta is None:
        meta = etree.SubElement(root, "meta")
    iid = meta.find("instanceID")
    if iid is None:
        iid = etree.SubElement(meta, "instanceID")
    iid.text = f"uuid:{uuid.UUID(int=rng.getrandbits(128))}"
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


@pytest.fixture
def walk_the_tree(monkeypatch):
    """Make every Compiled use the tree-walking evaluator instead of its plan."""
    def use_walker():
        monkeypatch.setattr(Compiled, "plan", property(lambda self: lambda env, ctx: evaluate_ast(self.ast, env, ctx)))
    return use_walker


@pytest.mark.parametrize("path", _forms(), ids=lambda p: p.stem)
def test_plan_agrees_with_evaluator_on_generated_submissions(path, walk_the_tree):
    from app.xlsform.definition import FormDefinition
    from app.xlsform.revalidate import revalidate
    from app.xlsform.submission import parse_submission

    conversion = _conversion(path)
    # Two definition objects: the per-definition logic cache keeps the plans and walkers apart.
    planned_def = FormDefinition.from_dict(conversion.definition.to_dict())
    walked_def = FormDefinition.from_dict(conversion.definition.to_dict())
    media = dict(conversion.media or {})
    rng = random.Random(path.name)
    now = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    xmls = [_generate(planned_def, conversion.xform, rng) for _ in range(12)]
    planned = [revalidate(parse_submission(x), planned_def, set(), now=now, media=media) for x in xmls]
    walk_the_tree()
    walked = [revalidate(parse_submission(x), walked_def, set(), now=now, media=media) for x in xmls]
    volatile = any(f in conversion.xform for f in _RANDOM)
    for x, p, w in zip(xmls, planned, walked):
        if volatile:
            assert [e["code"] for e in p.errors] == [e["code"] for e in w.errors], x.decode()
            continue
        assert p.errors == w.errors, x.decode()
        assert p.data == w.data, x.decode()
