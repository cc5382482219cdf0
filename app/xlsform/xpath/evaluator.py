"""Evaluate a parsed expression over lxml trees (primary instance + secondary instances)."""
from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable

from lxml import etree

from . import parser as P
from .errors import XPathError
from .values import (Attribute, DateValue, Document, NodeSet, Text, is_element, local_name,
                     string_value, to_boolean, to_number, to_string)

BANGKOK = dt.timezone(dt.timedelta(hours=7), "Asia/Bangkok")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True,
                          remove_pis=True, huge_tree=False)


def load_xml(source: Any, what: str) -> etree._Element:
    if isinstance(source, etree._ElementTree):
        return source.getroot()
    if isinstance(source, etree._Element):
        return source
    if isinstance(source, str):
        source = source.encode("utf-8")
    if isinstance(source, (bytes, bytearray)):
        try:
            return etree.fromstring(bytes(source), _PARSER)
        except etree.XMLSyntaxError as exc:
            raise XPathError("", f"อ่าน XML ของ {what} ไม่ได้: {exc}", f"Cannot read the {what} XML: {exc}") from None
    raise XPathError("", f"ข้อมูล {what} ต้องเป็น XML", f"The {what} must be XML (str, bytes or an lxml element)")


def items_xml(rows: list[dict]) -> etree._Element:
    """Rows (dicts, as in FormDefinition.instances / CSV rows) as <root><item><col>v</col>..."""
    root = etree.Element("root")
    for row in rows:
        item = etree.SubElement(root, "item")
        for k, v in row.items():
            if k.startswith("@"):
                item.set(k[1:].split(":")[-1], "" if v is None else str(v))
                continue
            try:
                c = etree.SubElement(item, k)
            except ValueError:
                continue
            c.text = "" if v is None else str(v)
    return root


def _document_for(el: etree._Element, instance_id: str | None) -> Document:
    # An XForm <instance> wrapper is the document node itself; anything else is the root element.
    if local_name(el.tag) == "instance" and instance_id is not None:
        return Document([c for c in el if isinstance(c.tag, str)], instance_id)
    return Document([el], instance_id)


class Env:
    """Everything one evaluation can see."""

    def __init__(self, expression: str, primary: Any, secondary: dict | None, now: dt.datetime | None,
                 tz: dt.tzinfo | None, language: str | None, choice_labels: Callable | None,
                 pulldata: dict | None, itext: Any):
        self.expression = expression
        self.tz = tz or BANGKOK
        self.now = now
        self.language = language
        self.choice_labels = choice_labels
        self.pulldata = pulldata or {}
        self.itext = itext
        self._secondary_src = secondary or {}
        self.docs: list[Document] = []
        self.top_doc: dict[Any, Document] = {}
        self.secondary: dict[str, Document] = {}
        self._order: dict[int, dict] = {}
        if primary is None:
            primary = etree.Element("data")
        self.primary = self._register(_document_for(load_xml(primary, "primary instance"), None))
        self.current: Any = None
        self._chain: list | None = None
        self._chain_of: Any = None  # the context node `_chain` was computed for
        # element -> {local name: child elements}; the trees must not change shape while this
        # Env is in use (evaluation never does; a caller reusing an Env may change texts only).
        self._named: dict[Any, dict[str, list]] = {}
        self._paths: tuple[dict[str, list], set[str]] | None = None
        # Set by a caller whose secondary instances (lxml elements) never change from one Env to
        # the next (revalidation: a form version's choice lists): plans may then keep what they
        # computed from them across Envs (app/xlsform/xpath/plan.py).
        self.frozen_secondary = False

    def primary_paths(self) -> tuple[dict[str, list], set[str]]:
        """The primary instance's elements by absolute path of local names ("/data/g/q"), in
        document order, and the paths that more than one element has. Built once per Env (the
        trees must not change shape while it is in use, see `_named`)."""
        if self._paths is None:
            index: dict[str, list] = {}
            multi: set[str] = set()

            def walk(el: Any, path: str) -> None:
                for c in el:
                    tag = c.tag
                    if not isinstance(tag, str):
                        continue
                    p = path + "/" + (tag.rsplit("}", 1)[-1] if tag[0] == "{" else tag)
                    found = index.get(p)
                    if found is None:
                        index[p] = [c]
                    else:
                        found.append(c)
                        multi.add(p)
                    if len(c):
                        walk(c, p)

            for top in self.primary.tops:
                tag = top.tag
                p = "/" + (tag.rsplit("}", 1)[-1] if tag[0] == "{" else tag)
                if p in index:
                    index[p].append(top)
                    multi.add(p)
                else:
                    index[p] = [top]
                walk(top, p)
            self._paths = (index, multi)
        return self._paths

    def set_context(self, node: Any) -> None:
        self.current = node

    @property
    def context_chain(self) -> list | None:
        """Document, root element, ..., context node, when the context node is in the primary
        instance below its root (what repeat contextualisation of absolute paths follows); else
        None. Computed when a path first asks, once per context node."""
        node = self.current
        if self._chain_of is not node or self._chain is None:
            chain = []
            n = node
            while n is not None:
                chain.append(n)
                n = self.parent(n)
            chain.reverse()
            self._chain = chain if chain and chain[0] is self.primary and len(chain) > 2 else []
            self._chain_of = node
        return self._chain or None

    def _register(self, doc: Document) -> Document:
        self.docs.append(doc)
        for t in doc.tops:
            self.top_doc[t] = doc
        return doc

    def instance(self, iid: str) -> Document | None:
        doc = self.secondary.get(iid)
        if doc is not None:
            return doc
        if iid in self._secondary_src:
            src = self._secondary_src[iid]
        elif iid in self.pulldata:
            src = self.pulldata[iid]
        else:
            return None
        if isinstance(src, list):
            el = items_xml(src)
        else:
            el = load_xml(src, f"instance('{iid}')")
        doc = self._register(_document_for(el, iid))
        self.secondary[iid] = doc
        return doc

    def now_value(self) -> dt.datetime:
        now = self.now or dt.datetime.now(dt.timezone.utc)
        if now.tzinfo is None:
            now = now.replace(tzinfo=self.tz)
        return now.astimezone(self.tz)

    def error(self, th: str, en: str, pos: int | None = None) -> XPathError:
        return XPathError(self.expression, th, en, pos)

    # -------------------------------------------------------------------- tree navigation
    def parent(self, node: Any) -> Any:
        if isinstance(node, (Attribute, Text)):
            return node.parent
        if isinstance(node, Document):
            return None
        doc = self.top_doc.get(node)
        if doc is not None:
            return doc
        p = node.getparent()
        return p

    def children(self, node: Any) -> list:
        if isinstance(node, Document):
            return list(node.tops)
        if isinstance(node, etree._Element):
            return [c for c in node if isinstance(c.tag, str)]
        return []

    def named_children(self, el: etree._Element, name: str) -> list:
        """Element children of `el` whose local name is `name` (the child::name step)."""
        index = self._named.get(el)
        if index is None:
            index = {}
            for c in el:
                if isinstance(c.tag, str):
                    index.setdefault(local_name(c.tag), []).append(c)
            self._named[el] = index
        return index.get(name, [])

    def text_children(self, node: Any) -> list:
        if not isinstance(node, etree._Element):
            return []
        out = []
        if node.text:
            out.append(Text(node, 0, node.text))
        for i, c in enumerate(node):
            if c.tail:
                out.append(Text(node, i + 1, c.tail))
        return out

    def descendants(self, node: Any) -> list:
        out: list = []
        tops = node.tops if isinstance(node, Document) else ([node] if isinstance(node, etree._Element) else [])
        for t in tops:
            it = t.iter(etree.Element)
            if not isinstance(node, Document):
                next(it)
            out.extend(it)
        return out

    def doc_of(self, node: Any) -> Document | None:
        while True:
            if isinstance(node, Document):
                return node
            p = self.parent(node)
            if p is None:
                return None
            node = p

    def order_key(self, node: Any) -> tuple:
        if isinstance(node, Document):
            return (self._doc_rank(node), -1, 0, 0)
        if isinstance(node, Attribute):
            el = node.parent
            keys = list(el.attrib.keys())
            return (*self._el_key(el)[:2], 1, keys.index(node.qname) if node.qname in keys else 0)
        if isinstance(node, Text):
            return (*self._el_key(node.parent)[:2], 2, node.index)
        return self._el_key(node)

    def _doc_rank(self, doc: Document) -> int:
        for i, d in enumerate(self.docs):
            if d is doc:
                return i
        return len(self.docs)

    def _el_key(self, el: Any) -> tuple:
        doc = self.doc_of(el)
        if doc is None:
            return (len(self.docs), 0, 0, 0)
        idx = self._order.get(id(doc))
        if idx is None:
            idx = {}
            n = 0
            for t in doc.tops:
                for e in t.iter(etree.Element):
                    idx[e] = n
                    n += 1
            self._order[id(doc)] = idx
        return (self._doc_rank(doc), idx.get(el, 0), 0, 0)

    def sort(self, nodes: list) -> NodeSet:
        seen: set = set()
        uniq = []
        for n in nodes:
            k = n if not isinstance(n, etree._Element) else id(n)
            if k in seen:
                continue
            seen.add(k)
            uniq.append(n)
        if len(uniq) > 1:
            uniq.sort(key=self.order_key)
        return NodeSet(uniq)


class Context:
    __slots__ = ("node", "pos", "size")

    def __init__(self, node: Any, pos: int = 1, size: int = 1):
        self.node, self.pos, self.size = node, pos, size


# ------------------------------------------------------------------------------------------ eval
def evaluate_ast(e: P.Expr, env: Env, ctx: Context) -> Any:
    t = type(e)
    if t is P.Path:
        return eval_path(e, env, ctx)
    if t is P.Literal:
        return e.value
    if t is P.Number:
        return e.value
    if t is P.BinOp:
        return eval_binop(e, env, ctx)
    if t is P.Call:
        from .functions import call
        return call(e, env, ctx)
    if t is P.Neg:
        return -to_number(evaluate_ast(e.operand, env, ctx), env.tz)
    if t is P.Filter:
        base = evaluate_ast(e.primary, env, ctx)
        if not isinstance(base, list):
            raise env.error("ใช้เงื่อนไข [ ] ได้กับชุดโหนดเท่านั้น", "A predicate [ ] needs a node-set", e.pos)
        return apply_predicates(list(base), e.predicates, env)
    if t is P.Var:
        raise env.error(f"ไม่รองรับตัวแปร ${e.name}", f"Variables are not supported: ${e.name}", e.pos)
    raise env.error("นิพจน์ไม่ถูกต้อง", "Bad expression", getattr(e, "pos", None))


def apply_predicates(nodes: list, predicates: tuple, env: Env, fns: tuple | None = None) -> NodeSet:
    """Filter `nodes` by each predicate in turn; `fns` (app/xlsform/xpath/plan.py) are the
    predicates compiled, evaluated instead of walking their ASTs (same semantics)."""
    for k, pred in enumerate(predicates):
        size = len(nodes)
        kept = []
        fn = fns[k] if fns is not None else None
        for i, n in enumerate(nodes):
            v = fn(env, Context(n, i + 1, size)) if fn is not None else evaluate_ast(pred, env, Context(n, i + 1, size))
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                if v == i + 1:
                    kept.append(n)
            elif to_boolean(v):
                kept.append(n)
        nodes = kept
    return NodeSet(nodes)


def _matches(node: Any, test: tuple, axis: str) -> bool:
    kind = test[0]
    if kind == "node":
        return True
    if kind == "text":
        return isinstance(node, Text)
    if kind in ("comment", "pi"):
        return False
    if axis == "attribute":
        if not isinstance(node, Attribute):
            return False
        return kind == "*" or node.name == test[1]
    if not is_element(node):
        return False
    return kind == "*" or local_name(node.tag) == test[1]


REVERSE_AXES = {"ancestor", "ancestor-or-self", "preceding", "preceding-sibling"}


def axis_nodes(node: Any, axis: str, env: Env) -> list:
    """Nodes on `axis` from `node`, in axis order (reverse axes nearest first)."""
    if axis == "child":
        return env.children(node)
    if axis == "attribute":
        if isinstance(node, etree._Element):
            return [Attribute(node, k, v) for k, v in node.attrib.items()]
        return []
    if axis == "self":
        return [node]
    if axis == "parent":
        p = env.parent(node)
        return [p] if p is not None else []
    if axis == "descendant":
        return env.descendants(node)
    if axis == "descendant-or-self":
        return [node] + env.descendants(node)
    if axis in ("ancestor", "ancestor-or-self"):
        out = [node] if axis == "ancestor-or-self" else []
        p = env.parent(node)
        while p is not None:
            out.append(p)
            p = env.parent(p)
        return out
    if axis in ("following-sibling", "preceding-sibling"):
        if isinstance(node, (Attribute, Document)):
            return []
        p = env.parent(node)
        if p is None:
            return []
        sibs = env.children(p)
        try:
            i = next(k for k, s in enumerate(sibs) if s is node)
        except StopIteration:
            return []
        return sibs[i + 1:] if axis == "following-sibling" else sibs[:i][::-1]
    if axis in ("following", "preceding"):
        doc = env.doc_of(node)
        if doc is None:
            return []
        everything = env.descendants(doc)
        key = env.order_key(node)
        ancestors = set(id(a) for a in axis_nodes(node, "ancestor", env))
        descendants = set(id(d) for d in env.descendants(node)) if isinstance(node, etree._Element) else set()
        if axis == "following":
            return [n for n in everything if env.order_key(n) > key and id(n) not in descendants]
        return [n for n in everything if env.order_key(n) < key and id(n) not in ancestors][::-1]
    return []  # namespace axis: no namespace nodes


def eval_path(e: P.Path, env: Env, ctx: Context, plan: Any = None) -> NodeSet:
    """A location path. `plan` (app/xlsform/xpath/plan.PathPlan) brings the start expression and
    the step predicates compiled, and per step an optional `lookup(parent, env, ctx)` that answers
    the child step *and its first predicate* from an index (an equality on a secondary instance's
    key): the same nodes, found without testing every item."""
    if e.start is None:
        nodes: list = [ctx.node]
    elif e.start == "root":
        nodes = [env.primary]  # ODK: absolute paths always mean the primary instance
    else:
        base = plan.start(env, ctx) if plan is not None else evaluate_ast(e.start, env, ctx)
        if not isinstance(base, list):
            raise env.error("ใช้ / ต่อท้ายได้เฉพาะชุดโหนด", "A path step needs a node-set on its left", e.pos)
        nodes = list(base)
    chain = env.context_chain if e.start == "root" else None
    on_track = chain is not None
    last = len(e.steps) - 1
    for i, step in enumerate(e.steps):
        out: list = []
        by_name = step.axis == "child" and step.test[0] == "name"
        fns = plan.preds[i] if plan is not None else None
        lookup = plan.lookups[i] if plan is not None else None
        for n in nodes:
            skip = 0
            if by_name and isinstance(n, etree._Element):
                if lookup is not None:
                    cand, skip = lookup(n, env, ctx), 1
                else:
                    cand = list(env.named_children(n, step.test[1]))
            else:
                found = axis_nodes(n, step.axis, env)
                if step.axis == "child" and step.test[0] in ("text", "node"):
                    found = env.sort(found + env.text_children(n))
                cand = [c for c in found if _matches(c, step.test, step.axis)]
            if len(step.predicates) > skip:
                cand = apply_predicates(cand, step.predicates[skip:], env,
                                        fns[skip:] if fns is not None else None)
            out.extend(cand)
        nodes = env.sort(out) if (len(nodes) > 1 or step.axis in REVERSE_AXES or step.axis in ("following", "preceding")) else out
        if on_track:
            # ODK contextualisation: an absolute path through the repeats that hold the context
            # node means those repeat instances (/data/rep/v from /data/rep[2]/q is rep[2]'s v).
            # The last step is left alone, so count(/data/rep) still counts every instance.
            anc = chain[i + 1] if i + 1 < len(chain) else None
            if (i < last and anc is not None and step.axis == "child" and step.test[0] == "name"
                    and not step.predicates and local_name(anc.tag) == step.test[1]
                    and any(n is anc for n in nodes)):
                nodes = [anc]
            else:
                on_track = False
    return NodeSet(nodes) if not isinstance(nodes, NodeSet) else nodes


# ---------------------------------------------------------------------------------- operators
def _cmp(op: str, a: Any, b: Any) -> bool:
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def compare(op: str, a: Any, b: Any, env: Env) -> bool:
    a_set, b_set = isinstance(a, list), isinstance(b, list)
    tz = env.tz
    if a_set and b_set:
        if op in ("=", "!="):
            bs = {string_value(n) for n in b}
            if op == "=":
                return any(string_value(n) in bs for n in a)
            return any(_cmp(op, string_value(x), string_value(y)) for x in a for y in b)
        an = [to_number(string_value(n), tz) for n in a]
        bn = [to_number(string_value(n), tz) for n in b]
        return any(_cmp(op, x, y) for x in an for y in bn)
    if a_set or b_set:
        nodes, other = (a, b) if a_set else (b, a)
        if isinstance(other, bool):
            return _cmp(op, to_boolean(nodes), other) if a_set else _cmp(op, other, to_boolean(nodes))
        if isinstance(other, (int, float)) or op not in ("=", "!="):
            on = to_number(other, tz)
            vals = [to_number(string_value(n), tz) for n in nodes]
            return any(_cmp(op, v, on) if a_set else _cmp(op, on, v) for v in vals)
        os_ = to_string(other)
        return any(_cmp(op, string_value(n), os_) for n in nodes)
    if op in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            return _cmp(op, to_boolean(a), to_boolean(b))
        if isinstance(a, (int, float)) or isinstance(b, (int, float)):
            return _cmp(op, to_number(a, tz), to_number(b, tz))
        return _cmp(op, to_string(a), to_string(b))
    return _cmp(op, to_number(a, tz), to_number(b, tz))


def eval_binop(e: P.BinOp, env: Env, ctx: Context) -> Any:
    op = e.op
    if op == "or":
        return to_boolean(evaluate_ast(e.left, env, ctx)) or to_boolean(evaluate_ast(e.right, env, ctx))
    if op == "and":
        return to_boolean(evaluate_ast(e.left, env, ctx)) and to_boolean(evaluate_ast(e.right, env, ctx))
    return binop_value(e, evaluate_ast(e.left, env, ctx), evaluate_ast(e.right, env, ctx), env)


def binop_value(e: P.BinOp, a: Any, b: Any, env: Env) -> Any:
    """The value of a binary operator other than `and`/`or`, from its operands' values."""
    op = e.op
    if op == "|":
        if not isinstance(a, list) or not isinstance(b, list):
            raise env.error("| รวมได้เฉพาะชุดโหนด", "'|' joins node-sets only", e.pos)
        return env.sort(list(a) + list(b))
    if op in ("=", "!=", "<", "<=", ">", ">="):
        return compare(op, a, b, env)
    x, y = to_number(a, env.tz), to_number(b, env.tz)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        try:
            return x * y
        except OverflowError:
            return math.inf
    if op == "div":
        if y == 0:
            if x == 0 or math.isnan(x):
                return math.nan
            return math.copysign(math.inf, x) * math.copysign(1.0, y)
        return x / y
    if op == "mod":
        if y == 0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
            return math.nan
        if math.isinf(y):
            return x
        return math.fmod(x, y)
    raise env.error("ตัวดำเนินการไม่รู้จัก", f"Unknown operator {op}", e.pos)
