"""Evaluation plans: an expression's AST compiled once into Python closures, evaluated many times.

Same semantics as `evaluator.evaluate_ast` by construction: every closure calls the evaluator's own
operators (`binop_value`, `compare` through it, `eval_path`, `apply_predicates`, the function
library) with its operands already compiled; only the walk over the AST and two lookups change.
A differential test (tests/xpath/test_plan_differential.py) holds the plan to the tree-walking
evaluator on the 1,023 shared cases and on every corpus form's generated submissions.

What a plan does faster:

* **No AST walk**: each node becomes a closure `fn(env, ctx) -> value` made once per expression
  (`Compiled.plan`, cached with the compiled expression, so once per form version and process).
* **Absolute paths by index**: `/data/g/q` (child steps by name, no predicates) is answered from
  `Env.primary_paths()`, the instance's elements by path built in one walk per submission, instead
  of stepping from the root. When any element on the way (`/data`, `/data/g`) occurs more than once
  (repeats, duplicated groups) the path is evaluated step by step as before, because then ODK's
  repeat contextualisation can narrow it.
* **Key lookups in secondary instances**: in `instance('x')/root/item[name = E]/score`, an
  equality between a child of the item and an expression E that does not depend on the item
  (absolute paths, literals, current(): no relative path, no position()/last()) is answered from an
  index of the items by that child's value, built once per instance element (secondary instances
  never change), instead of comparing every item. E is evaluated once; a number or boolean E (whose
  comparison is numeric or boolean, not by string) falls back to testing each item.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable

from lxml import etree

from . import parser as P
from .errors import EVALUATION_FAILURES, XPathError
from .evaluator import Context, Env, apply_predicates, binop_value, eval_path, evaluate_ast
from .functions import FUNCTIONS, Args
from .values import Document, NodeSet, local_name, string_value, to_boolean, to_number, to_string

Fn = Callable[[Env, Context], Any]

# Functions whose value depends on the context node, position or size when called as written.
_CONTEXT_CALLS = {"position", "last", "once"}
_CONTEXT_DEFAULT = {"string", "string-length", "normalize-space", "number", "local-name", "name",
                    "namespace-uri"}


class PlanArgs(Args):
    """`Args` whose arguments are compiled closures."""

    __slots__ = ("fns",)

    def __init__(self, e: P.Call, env: Env, ctx: Context, fns: tuple[Fn, ...]):
        self.e, self.env, self.ctx, self.n, self.fns = e, env, ctx, len(fns), fns

    def value(self, i: int) -> Any:
        return self.fns[i](self.env, self.ctx)


class PathPlan:
    """What `eval_path` takes from a plan: the start compiled, per step the predicates compiled and
    an optional index lookup for the step and its first predicate."""

    __slots__ = ("start", "preds", "lookups")

    def __init__(self, start: Fn | None, preds: tuple, lookups: tuple):
        self.start, self.preds, self.lookups = start, preds, lookups


def compile_plan(e: P.Expr) -> Fn:
    """The closure evaluating `e` (see the module docstring)."""
    fn = _compile(e)
    iids = _secondary_only(e, False)
    if iids is not None and type(e) is not P.Literal and type(e) is not P.Number:
        return _memoised(fn, tuple(sorted(iids)))
    return fn


def _compile(e: P.Expr) -> Fn:
    t = type(e)
    if t is P.Literal or t is P.Number:
        value = e.value
        return lambda env, ctx: value
    if t is P.BinOp:
        return _binop(e)
    if t is P.Call:
        return _call(e)
    if t is P.Path:
        return _path(e)
    if t is P.Neg:
        operand = compile_plan(e.operand)
        return lambda env, ctx: -to_number(operand(env, ctx), env.tz)
    if t is P.Filter:
        primary = compile_plan(e.primary)
        preds = tuple(compile_plan(p) for p in e.predicates)
        predicates = e.predicates

        def filtered(env: Env, ctx: Context) -> Any:
            base = primary(env, ctx)
            if not isinstance(base, list):
                raise env.error("ใช้เงื่อนไข [ ] ได้กับชุดโหนดเท่านั้น", "A predicate [ ] needs a node-set", e.pos)
            return apply_predicates(list(base), predicates, env, preds)
        return filtered
    return lambda env, ctx: evaluate_ast(e, env, ctx)  # Var and anything new: the evaluator's answer


def _binop(e: P.BinOp) -> Fn:
    left, right = compile_plan(e.left), compile_plan(e.right)
    if e.op == "or":
        return lambda env, ctx: to_boolean(left(env, ctx)) or to_boolean(right(env, ctx))
    if e.op == "and":
        return lambda env, ctx: to_boolean(left(env, ctx)) and to_boolean(right(env, ctx))
    return lambda env, ctx: binop_value(e, left(env, ctx), right(env, ctx), env)


def _call(e: P.Call) -> Fn:
    fns = tuple(compile_plan(a) for a in e.args)
    f = FUNCTIONS.get(e.name)
    if f is None:  # the parser refuses unknown names; keep the evaluator's error if one slips through
        return lambda env, ctx: evaluate_ast(e, env, ctx)
    return lambda env, ctx: f(PlanArgs(e, env, ctx, fns))


def _simple_steps(steps: tuple) -> list[str] | None:
    """Names of child steps by name without predicates, or None."""
    names = []
    for step in steps:
        if step.axis != "child" or step.test[0] != "name" or step.predicates:
            return None
        names.append(step.test[1])
    return names


def _path(e: P.Path) -> Fn:
    start = None
    if e.start is not None and e.start != "root":
        start = compile_plan(e.start)
    preds = tuple(tuple(compile_plan(p) for p in step.predicates) if step.predicates else None for step in e.steps)
    from_instance = (type(e.start) is P.Call and e.start.name == "instance" and len(e.start.args) == 1
                     and type(e.start.args[0]) is P.Literal)
    lookups = tuple(_lookup(step, preds[i]) if from_instance else None for i, step in enumerate(e.steps))
    plan = PathPlan(start, preds, lookups)

    def stepwise(env: Env, ctx: Context) -> Any:
        return eval_path(e, env, ctx, plan)

    if from_instance and all(step.axis == "child" and step.test[0] == "name" for step in e.steps):
        return _instance_path(e, start, preds, lookups, stepwise)
    names = _simple_steps(e.steps) if e.start == "root" else None
    if not names:
        return stepwise
    full = "/" + "/".join(names)
    prefixes = tuple("/" + "/".join(names[:k]) for k in range(1, len(names)))

    def absolute(env: Env, ctx: Context) -> Any:
        index, multi = env.primary_paths()
        if multi and any(p in multi for p in prefixes):
            return stepwise(env, ctx)  # repeats or duplicates on the way: contextualisation applies
        found = index.get(full)
        return NodeSet(found) if found else NodeSet()
    return absolute


def _instance_path(e: P.Path, start: Fn, preds: tuple, lookups: tuple, stepwise: Fn) -> Fn:
    """`instance('x')/root/item[...]/name`: child steps by name from one secondary document, walked
    while each step leaves at most one node (no document-order sorting can be needed); otherwise the
    stepwise evaluation.

    When the Env says its secondary instances are frozen (`Env.frozen_secondary`: revalidation's
    choice lists, built once per form version and never changed) and the path has exactly one key
    look-up and no other predicate, its nodes are kept per key value: evaluating
    `instance('i01')/root/item[name = ${q}]/score` is then evaluating ${q} and one dict look-up."""
    steps = [(step.test[1], step.predicates, preds[i], lookups[i]) for i, step in enumerate(e.steps)]
    iid = e.start.args[0].value
    keyed = [i for i, step in enumerate(e.steps) if lookups[i] is not None]
    by_key: dict[tuple, tuple[Any, list]] = {}
    if len(keyed) == 1 and all(len(step.predicates) == (1 if i == keyed[0] else 0) for i, step in enumerate(e.steps)):
        key_of = lookups[keyed[0]].key_of

        def kept(env: Env, ctx: Context) -> Any:
            src = env._secondary_src.get(iid) if env.frozen_secondary else None
            if not isinstance(src, etree._Element):
                return walk(env, ctx)
            try:
                keys = key_of(env, ctx)
            except (XPathError, *EVALUATION_FAILURES):
                keys = None  # the walk raises it where the evaluator would (only when there are items)
            if keys is None:
                return walk(env, ctx)
            cache_key = (id(src), keys)
            hit = by_key.get(cache_key)
            if hit is not None and hit[0] is src:
                return NodeSet(hit[1])
            found = walk(env, ctx)
            if len(by_key) > 4096:
                by_key.clear()
            by_key[cache_key] = (src, list(found))
            return found
    else:
        kept = None

    def walk(env: Env, ctx: Context) -> Any:
        base = start(env, ctx)
        if not isinstance(base, list) or len(base) != 1 or type(base[0]) is not Document:
            return stepwise(env, ctx)
        doc = base[0]
        name, predicates, fns, lookup = steps[0]
        nodes = [t for t in doc.tops if local_name(t.tag) == name]
        if predicates:
            nodes = apply_predicates(nodes, predicates, env, fns)
        for name, predicates, fns, lookup in steps[1:]:
            if len(nodes) != 1:
                return stepwise(env, ctx) if nodes else NodeSet()
            skip = 0
            if lookup is not None:
                nodes, skip = lookup(nodes[0], env, ctx), 1
            else:
                nodes = list(env.named_children(nodes[0], name))
            if len(predicates) > skip:
                nodes = apply_predicates(nodes, predicates[skip:], env, fns[skip:])
        return NodeSet(nodes)
    return kept or walk


# ---------------------------------------------------------------------------- constants of a form

# Calls whose value depends on more than the instances they read (the clock, chance, the language,
# the context node, media rows), or that read the primary instance.
_NOT_CONSTANT = {"now", "today", "random", "uuid", "randomize", "once", "current", "position", "last",
                 "choice-name", "itext", "pulldata", "version", "indexed-repeat", "lang"}


def _secondary_only(e: Any, in_predicate: bool) -> set[str] | None:
    """The ids of the secondary instances `e` reads when its value depends on nothing else (no
    primary instance, no context, no clock or chance), else None. Inside a predicate, relative
    paths and position()/last() belong to the secondary nodes being filtered."""
    t = type(e)
    if t is P.Literal or t is P.Number:
        return set()
    if t is P.Call:
        if e.name == "instance":
            return {e.args[0].value} if len(e.args) == 1 and type(e.args[0]) is P.Literal else None
        if e.name in _NOT_CONSTANT and not (in_predicate and e.name in ("position", "last")):
            return None
        if not e.args and e.name in _CONTEXT_DEFAULT and not in_predicate:
            return None
        return _all_secondary(e.args, in_predicate)
    if t is P.BinOp:
        return _all_secondary((e.left, e.right), in_predicate)
    if t is P.Neg:
        return _secondary_only(e.operand, in_predicate)
    if t is P.Path:
        if e.start == "root" or (e.start is None and not in_predicate):
            return None
        start = set() if e.start is None else _secondary_only(e.start, in_predicate)
        preds = _all_secondary([p for step in e.steps for p in step.predicates], True)
        return None if start is None or preds is None else start | preds
    if t is P.Filter:
        primary = _secondary_only(e.primary, in_predicate)
        preds = _all_secondary(e.predicates, True)
        return None if primary is None or preds is None else primary | preds
    return None


def _all_secondary(exprs: Any, in_predicate: bool) -> set[str] | None:
    """`_secondary_only` of several expressions together: None as soon as one is not."""
    out: set[str] = set()
    for e in exprs:
        got = _secondary_only(e, in_predicate)
        if got is None:
            return None
        out |= got
    return out


def _memoised(fn: Fn, iids: tuple[str, ...]) -> Fn:
    """`fn` whose string, number or boolean value is kept per set of secondary instance elements
    (a form version's choice lists: built once, never changed), e.g. `max(instance('i01')/root/item/score)`.
    Node-set values are not kept (their Document nodes belong to one Env)."""
    kept: dict[tuple, tuple[tuple, Any]] = {}
    state = {"off": False}

    def memo(env: Env, ctx: Context) -> Any:
        if state["off"] or not env.frozen_secondary:
            return fn(env, ctx)
        sources = tuple(env._secondary_src.get(i) for i in iids)
        if not all(isinstance(src, etree._Element) for src in sources):
            return fn(env, ctx)  # XML text or rows: new elements in every Env
        key = (env.tz, *map(id, sources))
        hit = kept.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], sources)):
            return hit[1]
        value = fn(env, ctx)
        if isinstance(value, (str, float, bool)):
            if len(kept) > 64:
                kept.clear()
            kept[key] = (sources, value)  # holds the elements, so their ids stay theirs
        elif isinstance(value, list):
            state["off"] = True
        return value
    return memo


# ---------------------------------------------------------------------------- key lookups

def _free_of_context(e: Any) -> bool:
    """True when `e` cannot depend on the context node, position or size it is evaluated at."""
    t = type(e)
    if t is P.Path:
        if e.start is None:
            return False
        if e.start != "root" and not _free_of_context(e.start):
            return False
        return all(_free_of_context(p) for step in e.steps for p in step.predicates)
    if t is P.Call:
        if e.name in _CONTEXT_CALLS or (not e.args and e.name in _CONTEXT_DEFAULT):
            return False
        return all(_free_of_context(a) for a in e.args)
    if t is P.BinOp:
        return _free_of_context(e.left) and _free_of_context(e.right)
    if t is P.Neg:
        return _free_of_context(e.operand)
    if t is P.Filter:
        return _free_of_context(e.primary) and all(_free_of_context(p) for p in e.predicates)
    return t is P.Literal or t is P.Number


def _key_child(e: Any) -> str | None:
    """`name` when `e` is the relative path `name` (one child step by name, no predicate)."""
    if type(e) is P.Path and e.start is None and len(e.steps) == 1:
        names = _simple_steps(e.steps)
        return names[0] if names else None
    return None


def _lookup(step: P.Step, preds: tuple | None) -> Callable | None:
    """For a child step whose first predicate is `key = E` (or `E = key`) with E free of the
    context: a function answering the step and that predicate from an index of the items."""
    if step.axis != "child" or step.test[0] != "name" or not step.predicates:
        return None
    pred = step.predicates[0]
    if type(pred) is not P.BinOp or pred.op != "=":
        return None
    key, other = _key_child(pred.left), pred.right
    if key is None:
        key, other = _key_child(pred.right), pred.left
    if key is None or not _free_of_context(other):
        return None
    value_of = compile_plan(other)
    name = step.test[1]
    first = preds[0]

    def key_of(env: Env, ctx: Context) -> frozenset[str] | None:
        """The key values the items must have, or None when E compares as a number or boolean."""
        v = value_of(env, ctx)
        if isinstance(v, list):
            return frozenset(string_value(n) for n in v)
        if isinstance(v, (bool, int, float)):
            return None
        return frozenset((to_string(v),))

    def lookup(parent: Any, env: Env, ctx: Context) -> list:
        items = env.named_children(parent, name)
        if not items:
            return []
        keys = key_of(env, Context(items[0], 1, len(items)))
        if keys is None:  # compared as numbers or booleans: test each item
            return apply_predicates(list(items), (pred,), env, (first,))
        index, position = _index_of(parent, name, key, items, env.frozen_secondary)
        if len(keys) == 1:
            return list(index.get(next(iter(keys)), ()))
        found = {id(n): n for k in keys for n in index.get(k, ())}
        return sorted(found.values(), key=lambda n: position[id(n)])
    lookup.key_of = key_of
    return lookup


_indexes: OrderedDict[tuple[int, str, str], tuple[Any, dict, dict]] = OrderedDict()
_indexes_lock = threading.Lock()
_INDEXES_MAX = 512


def _index_of(parent: Any, name: str, key: str, items: list, keep: bool) -> tuple[dict[str, list], dict[int, int]]:
    """{key child's string value: items in document order}, {id(item): position} for the `name`
    children of `parent`, a secondary instance's element. With `keep` (the Env's secondary
    instances are frozen) the index is kept for the next Env; the entry keeps `parent` alive, so
    its id cannot be reused while cached."""
    cache_key = (id(parent), name, key)
    if keep:
        with _indexes_lock:
            hit = _indexes.get(cache_key)
            if hit is not None and hit[0] is parent:
                _indexes.move_to_end(cache_key)
                return hit[1], hit[2]
    index: dict[str, list] = {}
    position: dict[int, int] = {}
    for i, item in enumerate(items):
        position[id(item)] = i
        seen = set()
        for c in item:
            if isinstance(c.tag, str) and etree.QName(c).localname == key:
                text = string_value(c)
                if text not in seen:
                    seen.add(text)
                    index.setdefault(text, []).append(item)
    if keep:
        with _indexes_lock:
            _indexes[cache_key] = (parent, index, position)
            while len(_indexes) > _INDEXES_MAX:
                _indexes.popitem(last=False)
    return index, position
