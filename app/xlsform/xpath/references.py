"""Static analysis: which instance paths does an expression read? (for the dependency graph)

Paths are absolute, without positions or predicates, in the primary instance only
(`/data/group/q`, `/data/meta/entity/@id`). Relative paths are resolved against the context path;
`current()` is the context path; paths under `instance('x')` are not instance paths of the form and
are left out, but the absolute/`current()` paths inside their predicates are kept. Steps that
cannot be resolved statically keep an XPath-ish spelling: `//` (descendants) stays as
`/data//name`, `*` stays `*`, other axes as `/data/x/ancestor::y`.
"""
from __future__ import annotations

from . import parser as P

CTX = object()  # marker: the predicate's own context node (a set of possible paths)


def _norm(path: str) -> str:
    return path if path else "/"


def _apply_step(paths: set[str], step: P.Step) -> set[str]:
    out = set()
    for p in paths:
        if step.axis == "self":
            out.add(p)
        elif step.axis == "parent":
            out.add(_norm(p.rsplit("/", 1)[0]) if p not in ("", "/") else "/")
        elif step.axis == "child":
            name = _test_name(step.test)
            if name is None:
                out.add(p)  # text()/node() read the node itself
            else:
                out.add(p + name if p.endswith("//") else p.rstrip("/") + "/" + name)
        elif step.axis == "attribute":
            out.add(p.rstrip("/") + "/@" + (_test_name(step.test) or "*"))
        elif step.axis in ("descendant-or-self", "descendant"):
            if step.test == ("node",):
                out.add(p.rstrip("/") + "//")  # joined with the next step: /data//x
            else:
                out.add(p.rstrip("/") + "//" + (_test_name(step.test) or "*"))
        else:
            out.add(f"{p}/{step.axis}::{_test_name(step.test) or '*'}")
    return out


def _test_name(test: tuple) -> str | None:
    if test[0] == "name":
        return test[1]
    if test[0] == "*":
        return "*"
    return None


class Analyzer:
    def __init__(self, context_path: str):
        self.context = context_path.rstrip("/") or "/"
        self.refs: set[str] = set()

    def expr(self, e: P.Expr, ctx: set[str] | None) -> tuple[set[str] | None, bool]:
        """Returns (paths the value's nodes may have or None, whether the value is a node-set
        from a secondary instance). Records every path read."""
        t = type(e)
        if t is P.Path:
            return self.path(e, ctx)
        if t is P.BinOp:
            a, ai = self.expr(e.left, ctx)
            b, bi = self.expr(e.right, ctx)
            for side, inst in ((a, ai), (b, bi)):
                if side and not inst:
                    self.refs.update(side)
            if e.op == "|":
                return (a or set()) | (b or set()), ai and bi
            return None, False
        if t is P.Neg:
            v, inst = self.expr(e.operand, ctx)
            if v and not inst:
                self.refs.update(v)
            return None, False
        if t is P.Filter:
            base, inst = self.expr(e.primary, ctx)
            for pred in e.predicates:
                self.read(pred, base if not inst else None)
            return base, inst
        if t is P.Call:
            if e.name == "instance":
                for a in e.args:
                    self.read(a, ctx)
                return set(), True
            if e.name == "current":
                return {self.context}, False
            for a in e.args:
                self.read(a, ctx)
            if e.name == "randomize" and e.args:
                return self.expr(e.args[0], ctx)
            if e.name in ("string", "string-length", "normalize-space", "number", "once") and not e.args and ctx:
                self.refs.update(ctx)
            return None, False
        return None, False

    def read(self, e: P.Expr, ctx: set[str] | None) -> None:
        v, inst = self.expr(e, ctx)
        if v and not inst:
            self.refs.update(v)

    def path(self, e: P.Path, ctx: set[str] | None) -> tuple[set[str] | None, bool]:
        inst = False
        if e.start is None:
            paths = set(ctx) if ctx is not None else set()
            if ctx is None:
                # relative to a secondary-instance node: nothing of ours, but still walk predicates
                inst = True
        elif e.start == "root":
            paths = {""}
        else:
            base, inst = self.expr(e.start, ctx)
            paths = set(base or ())
        for step in e.steps:
            paths = _apply_step(paths, step) if not inst else set()
            for pred in step.predicates:
                self.read(pred, paths if not inst else None)
        paths = {_norm(p) for p in paths}
        return paths, inst


def references(expr: P.Expr, context_path: str | None) -> set[str]:
    a = Analyzer(context_path or "/")
    a.read(expr, {a.context})
    return {r for r in a.refs if r not in ("",)}
