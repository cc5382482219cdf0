"""Server re-validation of a submission with the logic of the form version it was filled on.

Pure library code (no Flask, no database). `app.forms.receiving` calls `revalidate()` for every
submission; the result's `errors` go to `Submission.errors` and its `data` to `Submission.data`.

``revalidate(parsed, definition, attachment_names, *, now=None, limits=None, media=None)
-> Revalidation(errors, data)``

* ``errors``: the entries of `app.xlsform.submission.check_submission` (same shape: ``path`` with
  1-based repeat positions, ``node_path``, ``code``, ``level``, ``message_th``, ``message_en``,
  ``value``), now with the form's logic: code ``"required"`` (static ``true()`` and dynamic
  required expressions, only when the question is relevant), ``"constraint"`` (``.`` is the
  answer; the message is the form's ``jr:constraintMsg`` in Thai and English, else a bilingual
  "answer not accepted" naming the question), and warning-level notes ``"calculate_differs"``
  (``value`` = what the client sent, ``server_value`` = what is stored), ``"expression_error"``
  (an expression that could not be evaluated on this submission; ``value`` = the expression)
  and ``"logic_data_missing"``.
* ``data``: the answers as `extract_answers` gives them, after re-validation: the server's
  calculates, non-relevant values blanked.
* ``now``: the instant for ``today()``/``now()``; default the submission's own ``end`` (or
  ``start``) timestamp when the form has one, else the clock. A constraint such as
  ``. = today()`` must be judged on the day the form was filled, not the day it synced.
* ``media``: ``{file name: bytes}`` of the form version's media; only the CSV files named by
  `media_needed(definition)` are used (``pulldata()`` and ``instance('x')`` over an external CSV).

Decisions (ODK semantics, as JavaRosa and Enketo apply them on the device):

* **One pass in dependency order.** Per form (cached per definition object) every ``relevant``
  and ``calculate`` is compiled once and ordered by the paths it reads
  (`Compiled.references`): an expression comes after the calculates it reads and after the
  relevance of everything it reads (a non-relevant value reads as empty). Each is then evaluated
  once per existing instance of its node (per repeat instance, with that instance as context, so
  ``/data/rep/x`` means "this instance's x"). Paths that cannot be resolved statically (``//``,
  ``*``, other axes) are ordered after everything else; cycles (which ODK refuses to load) fall
  back to form order.
* **Relevance** of a node is its own ``relevant`` and every enclosing group's/repeat's. A
  non-relevant node's values are blanked (ODK leaves them out of the submission; we keep the
  element and store ``""``), are not read as answers by later expressions, and are never checked.
* **Missing elements.** ODK Collect omits non-relevant nodes from what it sends. For evaluation
  the server adds every element the form defines and the submission lacks (groups and fields, not
  repeat instances) as empty, so ``${x} = ''`` is true as on the device; added elements that stay
  empty are removed again before the data is stored.
* **Calculates** are recomputed and the server's value is stored. When it differs from the
  client's (numbers compared as numbers, ``3`` = ``3.0``) a warning ``calculate_differs`` is
  added, never an error. Not recomputed (the client's value is kept, no warning): calculates that
  call ``now()``, ``today()``, ``random()``, ``uuid()``, ``version()`` or ``randomize()`` without a
  seed (the device's moment cannot be replayed; ``once()`` keeps the client's value anyway), and
  calculates that need a CSV the server was not given. ``jr:choice-name``/``jr:itext`` calculates
  are evaluated in the form's default language; a client value equal to the result in another
  language of the form is kept.
* **Defaults** (static ones and dynamic ``setvalue`` defaults/triggers) are only initial values on
  the device; the user may clear or change them. The server never fills or overrides them: what
  the device sent is kept. ``readonly`` and ``repeat_count`` are not checked either (the device
  enforces them; the instances that arrived are the data).
* **Required** applies to questions with a body control, only when relevant and empty (white
  space counts as empty); ``jr:requiredMsg`` is used when the form has one. **Constraints** are
  checked only on relevant, non-empty answers that passed the type/choice checks.
* **Expressions that fail** at run time (or, for forms published before the publish-time check,
  do not parse) give one warning per question and kind, never an error: a failing ``relevant``
  counts as relevant (nothing is blanked) and required/constraint are not enforced beneath it; a
  failing calculate keeps the client's value; a failing required/constraint is not enforced.
* If the logic pass itself fails unexpectedly, the plain checks still run and an error
  ``logic_check_failed`` says the form's logic was not applied: the submission is kept, flagged
  "needs correction", never accepted unchecked.
"""
from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
import logging
import math
import re
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from lxml import etree

from . import submission as S
from .definition import FormDefinition, Node, text_in
from .xpath import EVALUATION_FAILURES, Compiled, XPathError, evaluation_error, stored_value
from .xpath import compile as compile_xpath
from .xpath import parser as P
from .xpath.evaluator import Context, Env, items_xml
from .xpath.values import to_boolean, to_string

log = logging.getLogger(__name__)

_VOLATILE = {"now", "today", "random", "uuid", "version"}
_LANGUAGE_DEPENDENT = {"choice-name", "itext"}
_CONTEXTUAL = {"current", "position", "last", "once"}
_CONTEXT_DEFAULT = {"string", "string-length", "normalize-space", "number", "local-name", "name",
                    "namespace-uri"}  # without an argument these read the context node
_MARKER_RE = re.compile(r"\{\{([^}]*)\}\}")
_WILDCARD = ("//", "*", "::")
# parse_submission (defusedxml) has already refused DTDs and entities in these bytes.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                              remove_comments=True, remove_pis=True)

KIND_TEXT = {
    "relevant": ("เงื่อนไขการแสดงคำถาม (relevant)", "relevance condition (relevant)"),
    "required": ("เงื่อนไขการบังคับตอบ (required)", "required condition"),
    "constraint": ("เงื่อนไขตรวจคำตอบ (constraint)", "constraint"),
    "calculate": ("สูตรคำนวณ (calculation)", "calculation"),
}


@dataclass
class Revalidation:
    errors: list[dict[str, Any]]
    data: dict[str, Any]


@dataclass
class _Expr:
    kind: str  # relevant | required | constraint | calculate
    path: str  # the node it belongs to
    text: str
    compiled: Compiled | None = None
    error: XPathError | None = None
    calls: set[str] = field(default_factory=set)
    instances: set[str] = field(default_factory=set)  # instance ids it reads (instance(), pulldata())
    contextual: bool = False  # reads the context node (relative paths, current(), position(), ...)
    shared: bool = False  # same value wherever it is evaluated in one pass (memoised per submission)


# ------------------------------------------------------------------------------ per form
class FormLogic:
    """Everything about a form's logic that does not depend on a submission (built once)."""

    def __init__(self, definition: FormDefinition):
        self.definition = definition
        self.nodes: dict[str, Node] = {n.path: n for n in definition.nodes()}
        self.paths = frozenset(self.nodes)
        self.order = {p: i for i, p in enumerate(self.nodes)}
        self.exprs: dict[tuple[str, str], _Expr] = {}
        self.required_static: dict[str, bool | None] = {}  # True/False, None = dynamic
        for node in self.nodes.values():
            if node is definition.root:
                continue
            for kind in ("relevant", "required", "constraint", "calculate"):
                text = getattr(node, kind)
                if not text or not text.strip():
                    continue
                if kind == "calculate" and node.kind != "field":
                    continue
                if kind == "required":
                    squeezed = text.replace(" ", "")
                    if squeezed in ("true()", "false()"):
                        self.required_static[node.path] = squeezed == "true()"
                        continue
                    self.required_static[node.path] = None
                self.exprs[(node.path, kind)] = self._compile(kind, node.path, text)
        # Secondary instances the form carries inline; external ones (CSV) have no rows here.
        self.secondary: dict[str, Any] = {}
        self.external: set[str] = set()
        for iid, rows in (definition.instances or {}).items():
            if rows:
                self.secondary[iid] = items_xml(rows)
            else:
                self.external.add(iid)
        used = set().union(*(e.instances for e in self.exprs.values())) if self.exprs else set()
        self.media_ids = {iid for iid in used if iid in self.external or iid not in self.secondary}
        self.media_needed = {f"{iid}.csv" for iid in self.media_ids}
        self._media_cache: dict[tuple[str, int, int], list[dict]] = {}
        self._media_xml: dict[str, tuple[list[dict], Any]] = {}
        self.labels: dict[str, str] = {}
        self.plan = self._plan()
        self.clock_paths = [n.path for n in self.nodes.values()
                            if n.preload == "timestamp" and (n.preload_params or "") in ("end", "start")]
        self.clock_paths.sort(key=lambda p: 0 if self.nodes[p].preload_params == "end" else 1)

    def _compile(self, kind: str, path: str, text: str) -> _Expr:
        ex = _Expr(kind, path, text)
        try:
            ex.compiled = compile_xpath(text)
        except XPathError as exc:
            ex.error = exc
            return ex
        _scan(ex.compiled.ast, ex)
        # Outside repeats an expression that ignores its context node gives one value per pass:
        # every item with the same text has the same dependencies, so it runs after the same values.
        ex.shared = (not ex.contextual and not (ex.calls & _VOLATILE)
                     and not any(self.nodes[a].kind == "repeat" for a in _ancestors_or_self(path)
                                 if a in self.nodes))
        return ex

    # ---------------------------------------------------------------- dependency order
    def _plan(self) -> list[tuple[str, str]]:
        items = [(k, p) for (p, k) in self.exprs if k in ("relevant", "calculate")]
        items.sort(key=lambda it: (self.order[it[1]], 0 if it[0] == "relevant" else 1))
        index = {it: i for i, it in enumerate(items)}
        relevant_at = {p: index[(k, p)] for k, p in items if k == "relevant"}
        calculate_at = {p: index[(k, p)] for k, p in items if k == "calculate"}
        deps: list[set[int]] = [set() for _ in items]

        def reads(path: str, into: set[int]) -> None:
            for a in _ancestors_or_self(path):
                if a in relevant_at:
                    into.add(relevant_at[a])
            if path in calculate_at:
                into.add(calculate_at[path])
            node = self.nodes.get(path)
            if node is not None and node.kind != "field":
                prefix = path.rstrip("/") + "/"
                for i, (_k, p) in enumerate(items):
                    if p.startswith(prefix):
                        into.add(i)

        for i, (kind, path) in enumerate(items):
            ex = self.exprs[(path, kind)]
            if kind == "calculate":
                for a in _ancestors_or_self(path):
                    if a in relevant_at:
                        deps[i].add(relevant_at[a])
            if ex.compiled is None:
                continue
            try:
                refs = ex.compiled.references(path)
            except Exception:  # noqa: BLE001 - static analysis must never stop a form
                refs = {"//"}
            for ref in refs:
                ref = ref.split("/@", 1)[0]
                if any(w in ref for w in _WILDCARD):
                    deps[i].update(range(len(items)))
                else:
                    reads(ref, deps[i])
            deps[i].discard(i)

        # Kahn's algorithm, form order among the ready ones; a cycle is broken in form order.
        users: list[list[int]] = [[] for _ in items]
        waiting = [len(d) for d in deps]
        for i, d in enumerate(deps):
            for j in d:
                users[j].append(i)
        ready = [i for i, n in enumerate(waiting) if n == 0]
        heapq.heapify(ready)
        done = [False] * len(items)
        out: list[tuple[str, str]] = []
        while len(out) < len(items):
            if not ready:
                stuck = min(i for i in range(len(items)) if not done[i])
                waiting[stuck] = 0
                ready.append(stuck)
            i = heapq.heappop(ready)
            if done[i]:
                continue
            done[i] = True
            out.append(items[i])
            for u in users[i]:
                waiting[u] -= 1
                if waiting[u] == 0 and not done[u]:
                    heapq.heappush(ready, u)
        return out

    # ---------------------------------------------------------------- data
    def media_rows(self, media: dict[str, bytes] | None) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for iid in self.media_ids:
            content = (media or {}).get(f"{iid}.csv")
            if content is None:
                continue
            key = (iid, len(content), hash(content))
            rows = self._media_cache.get(key)
            if rows is None:
                rows = _read_csv(content)
                self._media_cache = {k: v for k, v in self._media_cache.items() if k[0] != iid}
                self._media_cache[key] = rows
            out[iid] = rows
        return out

    def media_element(self, iid: str, rows: list[dict]) -> Any:
        """The media CSV's rows as an instance element, built once per rows list (media_rows keeps
        the list while the content is the same), so evaluation plans can keep what they read from it."""
        kept = self._media_xml.get(iid)
        if kept is None or kept[0] is not rows:
            kept = self._media_xml[iid] = (rows, items_xml(rows))
        return kept[1]

    def choice_label(self, path: str, value: str, language: str | None) -> str:
        node = self.nodes.get((path or "").strip())
        if node is None or not node.choices:
            return ""
        for c in node.choices:
            if c.name == value:
                return text_in(c.label, language, self.definition.default_language)
        return ""


def _scan(e: Any, ex: _Expr) -> None:
    """Collect the function names and literal instance ids an expression uses."""
    t = type(e)
    if t is P.Call:
        ex.calls.add(e.name)
        if e.name in _CONTEXTUAL or (not e.args and e.name in _CONTEXT_DEFAULT):
            ex.contextual = True
        if e.name == "randomize" and len(e.args) < 2:
            ex.calls.add("random")
        if e.name in ("instance", "pulldata") and e.args and type(e.args[0]) is P.Literal:
            ex.instances.add(e.args[0].value)
        for a in e.args:
            _scan(a, ex)
    elif t is P.BinOp:
        _scan(e.left, ex)
        _scan(e.right, ex)
    elif t is P.Neg:
        _scan(e.operand, ex)
    elif t is P.Filter:
        _scan(e.primary, ex)
        for p in e.predicates:
            _scan(p, ex)
    elif t is P.Path:
        if e.start is None:
            ex.contextual = True
        elif e.start != "root":
            _scan(e.start, ex)
        for step in e.steps:
            for p in step.predicates:
                _scan(p, ex)


def _ancestors_or_self(path: str) -> list[str]:
    out = []
    while path and path != "/":
        out.append(path)
        path = path.rsplit("/", 1)[0]
    return out


def _read_csv(content: bytes) -> list[dict]:
    text = content.decode("utf-8-sig", errors="replace")
    try:
        return [{k.strip(): (v or "") for k, v in row.items() if k} for row in csv.DictReader(io.StringIO(text))]
    except csv.Error:
        return []


_cache: OrderedDict[int, tuple[FormDefinition, FormLogic]] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_MAX = 64


def logic_of(definition: FormDefinition) -> FormLogic:
    """The compiled logic of a definition, built once per definition object (LRU of 64)."""
    key = id(definition)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] is definition:
            _cache.move_to_end(key)
            return hit[1]
    logic = FormLogic(definition)
    with _cache_lock:
        _cache[key] = (definition, logic)  # holding the definition keeps its id from being reused
        while len(_cache) > _CACHE_MAX:
            _cache.popitem(last=False)
    return logic


def media_needed(definition: FormDefinition) -> set[str]:
    """File names of the media CSVs the form's expressions read (pulldata, instance('x'))."""
    return set(logic_of(definition).media_needed)


# ------------------------------------------------------------------------- per submission
def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return math.isfinite(x) and x == y


def _pick(texts: dict[str, str], want: str, default_language: str | None) -> str:
    """The text in Thai ("th") or English ("en") if the form has it, else its default text."""
    names = {"th": ("thai", "ไทย"), "en": ("english",)}[want]
    for k, v in texts.items():
        kl = k.lower()
        if f"({want})" in kl or kl == want or kl.startswith(names):
            return v
    return text_in(texts, default_language)


class _Run:
    """One submission's evaluation: the hooks `check_submission` calls are active(),
    check_required() and check_constraint()."""

    def __init__(self, logic: FormLogic, root: Any, limits: dict[str, int], now: dt.datetime | None,
                 media: dict[str, bytes] | None):
        self.logic = logic
        self.root = root
        self.limit = limits["max_repeat_count"]
        self.elements: dict[str, list] = defaultdict(list)
        self.added: list = []  # elements the server added (missing in the submission)
        self.off: set = set()  # elements whose own relevant is false
        self.unsure: set = set()  # elements whose relevant could not be evaluated
        self.client: dict[Any, str] = {}  # calculate element -> the client's value
        self.kept: set = set()  # calculate elements whose client value is kept on purpose
        self.notes: list[dict[str, Any]] = []
        self.noted: set[tuple[str, str]] = set()
        self.memo: dict[tuple[str, str], Any] = {}
        self.paths = logic.paths
        self.labels = logic.labels  # check_submission's question labels, computed once per form
        self._index(root, logic.definition.root)
        rows = logic.media_rows(media)
        self.missing = {iid for iid in logic.media_ids if iid not in rows}
        secondary = dict(logic.secondary)
        for iid, r in rows.items():
            secondary[iid] = logic.media_element(iid, r)
        self.env = Env("", root, secondary, now or self._clock(), None,
                       logic.definition.default_language, logic.choice_label, rows, None)
        # The choice lists are built once per form (FormLogic.secondary) and never changed; media rows
        # become new elements per submission, which the plans tell apart by identity.
        self.env.frozen_secondary = True
        if self.missing:
            files = ", ".join(sorted(f"{i}.csv" for i in self.missing))
            self.notes.append({
                "path": None, "node_path": None, "code": "logic_data_missing", "level": "warning",
                "message_th": f"เซิร์ฟเวอร์ไม่มีไฟล์ {files} ที่สูตรของแบบฟอร์มใช้ จึงไม่ได้ตรวจสูตรที่อ่านไฟล์นี้",
                "message_en": f"The server does not hold {files}, which the form's expressions read; "
                              "those expressions were not checked",
                "value": files,
            })

    # ------------------------------------------------------------------ tree
    def _index(self, el: Any, node: Node) -> None:
        kids: dict[str, list] = {}
        for c in el:
            if isinstance(c.tag, str):
                kids.setdefault(_local(c.tag), []).append(c)
        ns = etree.QName(el).namespace
        for child in node.children:
            found = kids.get(child.name)
            if child.kind == "repeat":
                for inst in (found or [])[: self.limit]:
                    self.elements[child.path].append(inst)
                    self._index(inst, child)
                continue
            if not found:
                new = etree.SubElement(el, f"{{{ns}}}{child.name}" if ns else child.name)
                self.added.append(new)
                found = [new]
            first = found[0]
            self.elements[child.path].append(first)
            if child.kind == "group":
                self._index(first, child)
            elif child.calculate:
                self.client[first] = first.text or ""

    def _clock(self) -> dt.datetime | None:
        for path in self.logic.clock_paths:
            for el in self.elements.get(path, ()):
                text = (el.text or "").strip()
                if text:
                    try:
                        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                    except ValueError:
                        continue
                    return when
        return None

    def active(self, el: Any) -> bool:
        while el is not None:
            if el in self.off:
                return False
            el = el.getparent()
        return True

    def _unsure(self, el: Any) -> bool:
        while el is not None:
            if el in self.unsure:
                return True
            el = el.getparent()
        return False

    def _blank(self, el: Any) -> None:
        for d in el.iter():
            if isinstance(d.tag, str) and len(d) == 0 and d.text:
                d.text = None

    def position_path(self, el: Any) -> str:
        chain = []
        e = el
        while e is not None:
            chain.append(e)
            e = e.getparent()
        chain.reverse()
        path, node_path = "", ""
        for e in chain:
            name = _local(e.tag)
            node_path += "/" + name
            path += "/" + name
            node = self.logic.nodes.get(node_path)
            if node is not None and node.kind == "repeat" and e.getparent() is not None:
                i = 1 + sum(1 for s in e.itersiblings(preceding=True) if _local(s.tag) == name)
                path += f"[{i}]"
        return path

    # ------------------------------------------------------------------ evaluation
    def _eval(self, ex: _Expr, el: Any, result: str) -> Any:
        if ex.shared:
            key = (ex.text, result)
            found = self.memo.get(key, self)
            if found is self:
                found = self.memo[key] = self._evaluate(ex, el, result)
            return found
        return self._evaluate(ex, el, result)

    def _evaluate(self, ex: _Expr, el: Any, result: str) -> Any:
        env = self.env
        env.expression = ex.text
        try:
            env.set_context(el)
            value = ex.compiled.plan(env, Context(el))
            if result == "boolean":
                return to_boolean(value)
            return stored_value(value) if result == "value" else to_string(value)
        except XPathError as exc:
            if not exc.expression:
                exc.expression = ex.text
            raise
        except EVALUATION_FAILURES as exc:
            raise evaluation_error(ex.text, exc) from None

    def _usable(self, ex: _Expr | None) -> bool:
        return ex is not None and ex.compiled is not None and not (ex.instances & self.missing)

    def note_error(self, ex: _Expr, el: Any | None, exc: XPathError) -> None:
        key = (ex.path, ex.kind)
        if key in self.noted:
            return
        self.noted.add(key)
        node = self.logic.nodes[ex.path]
        lab_th, lab_en = _label(node, "th", self.logic), _label(node, "en", self.logic)
        kind_th, kind_en = KIND_TEXT[ex.kind]
        effect_th, effect_en = {
            "relevant": ("จึงถือว่าคำถามแสดงอยู่ และไม่ตรวจการบังคับตอบและเงื่อนไขของคำถามนี้",
                         "so the question was taken as relevant and its required/constraint checks were skipped"),
            "calculate": ("จึงเก็บค่าที่เครื่องส่งมา", "so the value sent by the device was kept"),
            "required": ("จึงไม่ได้ตรวจการบังคับตอบ", "so it was not enforced"),
            "constraint": ("จึงไม่ได้ตรวจเงื่อนไขนี้", "so it was not enforced"),
        }[ex.kind]
        self.notes.append({
            "path": self.position_path(el) if el is not None else ex.path, "node_path": ex.path,
            "code": "expression_error", "level": "warning",
            "message_th": f"{kind_th}ของคำถาม “{lab_th}” คำนวณไม่ได้: {exc.message_th} "
                          f"(นิพจน์ {ex.text.strip()}) {effect_th}",
            "message_en": f"The {kind_en} of question “{lab_en}” could not be evaluated: {exc.message_en} "
                          f"(expression {ex.text.strip()}); {effect_en}",
            "value": ex.text.strip(),
        })

    def run(self) -> None:
        for ex in self.logic.exprs.values():
            if ex.error is not None:
                self.note_error(ex, None, ex.error)
        for kind, path in self.logic.plan:
            ex = self.logic.exprs[(path, kind)]
            if kind == "relevant":
                self._relevant(ex)
            else:
                self._calculate(ex)

    def _relevant(self, ex: _Expr) -> None:
        usable = self._usable(ex)
        for el in self.elements.get(ex.path, ()):
            if not self.active(el.getparent()):
                continue  # an enclosing group is not relevant: neither is this
            if not usable:
                self.unsure.add(el)
                continue
            try:
                ok = self._eval(ex, el, "boolean")
            except XPathError as exc:
                self.note_error(ex, el, exc)
                self.unsure.add(el)
                continue
            if not ok:
                self.off.add(el)
                self._blank(el)

    def _calculate(self, ex: _Expr) -> None:
        keep = not self._usable(ex) or bool(ex.calls & _VOLATILE)
        languages = self.logic.definition.languages if ex.calls & _LANGUAGE_DEPENDENT else ()
        for el in self.elements.get(ex.path, ()):
            if len(el):
                continue  # not a leaf: leave whatever the device sent
            if not self.active(el):
                el.text = None
                continue
            if keep:
                self.kept.add(el)
                continue
            try:
                value = self._eval(ex, el, "value")
                client = self.client.get(el, "")
                if languages and client and not _same(client, value):
                    value = self._other_language(ex, el, client, value, languages)
            except XPathError as exc:
                self.note_error(ex, el, exc)
                self.kept.add(el)
                continue
            el.text = value if value != "" else None

    def _other_language(self, ex: _Expr, el: Any, client: str, value: str, languages: list[str]) -> str:
        env = self.env
        default = env.language
        try:
            for lang in languages:
                if lang == default:
                    continue
                env.language = lang
                if self._evaluate(ex, el, "string") == client:  # not memoised: language differs
                    return client
        finally:
            env.language = default
        return value

    # ------------------------------------------------------------------ checks (hooks)
    def _message(self, texts: dict[str, str], el: Any, want: str) -> str:
        text = _pick(texts, want, self.logic.definition.default_language)
        if "{{" not in text:
            return text

        def output(m: re.Match) -> str:
            try:
                return self._eval(_Expr("output", "", m.group(1), compile_xpath(m.group(1))), el, "string")
            except XPathError:
                return "…"
        return _MARKER_RE.sub(output, text).strip()

    def check_required(self, checker: Any, el: Any, node: Node, path: str, positions: list[int]) -> None:
        if node.control is None or node.path not in self.logic.required_static or self._unsure(el):
            return
        required = self.logic.required_static[node.path]
        if required is None:
            ex = self.logic.exprs[(node.path, "required")]
            if not self._usable(ex):
                return
            try:
                required = self._eval(ex, el, "boolean")
            except XPathError as exc:
                self.note_error(ex, el, exc)
                return
        if not required:
            return
        th_at, en_at = checker.where(positions)
        lab_th, lab_en = _label(node, "th", self.logic), _label(node, "en", self.logic)
        if node.required_msg:
            th = f"คำถาม “{lab_th}”: {self._message(node.required_msg, el, 'th')}{th_at}"
            en = f"Question “{lab_en}”: {self._message(node.required_msg, el, 'en')}{en_at}"
        else:
            th = f"ยังไม่ได้ตอบคำถาม “{lab_th}” ซึ่งต้องตอบ{th_at}"
            en = f"Question “{lab_en}” is required but has no answer{en_at}"
        checker.add(path, node.path, "required", th, en)

    def check_constraint(self, checker: Any, el: Any, node: Node, path: str, positions: list[int]) -> None:
        ex = self.logic.exprs.get((node.path, "constraint"))
        if node.control is None or not self._usable(ex) or self._unsure(el):
            return
        try:
            ok = self._eval(ex, el, "boolean")
        except XPathError as exc:
            self.note_error(ex, el, exc)
            return
        if ok:
            return
        value = el.text or ""
        shown = S._show(value.strip())
        th_at, en_at = checker.where(positions)
        lab_th, lab_en = _label(node, "th", self.logic), _label(node, "en", self.logic)
        if node.constraint_msg:
            th = f"คำถาม “{lab_th}”: {self._message(node.constraint_msg, el, 'th')}{th_at}"
            en = f"Question “{lab_en}”: {self._message(node.constraint_msg, el, 'en')}{en_at}"
        else:
            th = f"คำตอบ “{shown}” ของคำถาม “{lab_th}” ไม่ผ่านเงื่อนไขของแบบฟอร์ม{th_at}"
            en = f"The answer “{shown}” to question “{lab_en}” is not accepted by the form's constraint{en_at}"
        checker.add(path, node.path, "constraint", th, en, value=value)

    # ------------------------------------------------------------------ results
    def calculate_notes(self) -> list[dict[str, Any]]:
        out = []
        for el, client in self.client.items():
            if el in self.kept or not self.active(el):
                continue
            server = el.text or ""
            if _same(client, server):
                continue
            path = self.position_path(el)
            node_path = re.sub(r"\[\d+\]", "", path)
            node = self.logic.nodes.get(node_path)
            lab_th = _label(node, "th", self.logic) if node else node_path
            lab_en = _label(node, "en", self.logic) if node else node_path
            out.append({
                "path": path, "node_path": node_path, "code": "calculate_differs", "level": "warning",
                "message_th": f"ค่าคำนวณ “{lab_th}” ที่เครื่องส่งมา (“{S._show(client)}”) ต่างจากที่เซิร์ฟเวอร์คำนวณ "
                              f"(“{S._show(server)}”) เก็บค่าของเซิร์ฟเวอร์",
                "message_en": f"The calculated “{lab_en}” sent by the device (“{S._show(client)}”) differs from "
                              f"the server's (“{S._show(server)}”); the server's value is stored",
                "value": client, "server_value": server,
            })
        return out

    def strip_added(self) -> None:
        for el in reversed(self.added):
            if len(el) == 0 and not (el.text or "").strip() and not el.attrib:
                parent = el.getparent()
                if parent is not None:
                    parent.remove(el)


def _label(node: Node, want: str, logic: FormLogic) -> str:
    text = _pick(node.label, want, logic.definition.default_language) if node.label else ""
    text = S._MARKER_RE.sub("…", text).strip()
    return text or node.name


def _lxml_copy(parsed: S.ParsedSubmission) -> Any:
    """An lxml tree of the instance to evaluate and change (parsed.root stays as received)."""
    if parsed.xml:
        try:
            root = etree.fromstring(parsed.xml, _XML_PARSER)
            if _local(root.tag) == parsed.root_name:
                return root
        except etree.XMLSyntaxError:
            pass
    return etree.fromstring(ET.tostring(parsed.root), _XML_PARSER)


def revalidate(parsed: S.ParsedSubmission, definition: FormDefinition, attachment_names: set[str], *,
               now: dt.datetime | None = None, limits: dict[str, int] | None = None,
               media: dict[str, bytes] | None = None) -> Revalidation:
    """Check a submission with the form's logic; see the module docstring."""
    limits = {**S.DEFAULT_LIMITS, **(limits or {})}
    if parsed.root_name != definition.root.name or parsed.form_id != definition.form_id:
        # Another form: the logic of this one means nothing for it (one form_mismatch error).
        return Revalidation(S.check_submission(parsed, definition, attachment_names, limits),
                            S.extract_answers(parsed, definition))
    try:
        logic = logic_of(definition)
        root = _lxml_copy(parsed)
        run = _Run(logic, root, limits, now, media)
        run.run()
        errors = S.check_submission(parsed, definition, attachment_names, limits, root=root, logic=run)
        errors += run.notes + run.calculate_notes()
        run.strip_added()
        return Revalidation(errors, S.answers_of(root, definition, logic.nodes))
    except Exception:  # noqa: BLE001 - a failure of ours must not cost the submission its checks
        log.exception("form logic could not be applied to submission %s", parsed.instance_id)
    errors = S.check_submission(parsed, definition, attachment_names, limits)
    errors.append({
        # An error, not a warning: a submission whose logic was not checked is never "accepted".
        "path": None, "node_path": None, "code": "logic_check_failed", "level": "error",
        "message_th": "เซิร์ฟเวอร์ตรวจตามสูตรของแบบฟอร์มไม่สำเร็จ ตรวจได้เฉพาะชนิดข้อมูลและตัวเลือก จึงเก็บไว้รอตรวจ กรุณาแจ้งผู้ดูแลระบบ",
        "message_en": "The server could not apply the form's logic to this submission; only types and "
                      "choices were checked, so it waits for review. Tell an administrator.",
        "value": None,
    })
    return Revalidation(errors, S.extract_answers(parsed, definition))
