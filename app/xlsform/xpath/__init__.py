"""The server's ODK XPath evaluator: XPath 1.0 plus the ODK XForms functions, over lxml trees.

Pure library code (no Flask, no database). Used by server re-validation of submissions; the same
expressions run in the browser through openrosa-xpath-evaluator plus our rewriting layer, and both
sides are held to one shared case file, ``tests/xpath/cases.json``.

Public API
==========

``evaluate(expression, instance=None, context=None, result="string", *, secondary=None, now=None,
tz=None, language=None, choice_labels=None, pulldata=None, itext=None)``

* ``instance``: the primary instance (XML ``str``/``bytes`` or an lxml element; ``None`` means an
  empty ``<data/>``). Absolute paths (``/data/x``) always mean this instance, also inside
  predicates on secondary instances.
* ``context``: absolute path of the context node, may carry positions (``/data/rep[2]/age``);
  default the root element. It is also what ``current()`` returns and what ``once()`` keeps.
* ``result``: ``"string" | "number" | "boolean"`` convert as XPath ``string()``/``number()``/
  ``boolean()`` do (``str`` / ``float``, NaN included / ``bool``). ``"nodes"`` returns a list of
  nodes in document order (randomize() order for randomize()): lxml elements, ``Attribute``
  (``.parent``, ``.name``, ``.value``), ``Text`` or ``Document`` objects; ``string_value(node)``
  gives any node's XPath string value. A non-node-set result with ``"nodes"`` is an XPathError.
* ``secondary``: ``{instance id: XML | element | list of row dicts}``. A row-dict list (the
  shape of ``FormDefinition.instances`` and of CSV rows) becomes ``<root><item><col>v</col>...``.
  An XForm ``<instance id>`` element may be passed as it is (its child is the root).
* ``now``: the current instant for ``today()``/``now()`` (naive = in ``tz``); default the clock.
* ``tz``: time zone of dates and times, default Asia/Bangkok (+07:00, no DST).
* ``language`` and ``choice_labels(node_path, value, language) -> str | None`` for
  ``jr:choice-name``. Without a callback the choice list is the secondary instance whose id is
  the question's name (last step of the path), items ``<item><name/><label/></item>``.
* ``pulldata``: ``{id: [row dicts]}`` for ``pulldata(id, column, key_column, key)``; without
  it pulldata looks in the secondary instance ``id`` (ODK attaches a CSV as
  ``jr://file-csv/id.csv``, rows as ``<item>`` with one child per column).
* ``itext``: ``{text id: {language: text}}`` or ``callable(text_id, language)`` for ``jr:itext``.

``compile(expression) -> Compiled`` parses once (cached); ``Compiled.evaluate(instance, context,
result, **same keywords)`` and ``Compiled.references(context_path) -> set[str]``: the absolute
primary-instance paths the expression reads (see ``references.py``).

Every problem is an ``XPathError(expression, message_th, message_en, position)``; ``position`` is
the character offset for syntax errors. No other exception escapes ``evaluate``.

Decisions
=========

* **Own parser, not elementpath.** elementpath's XPath 1.0 parser would need every ODK function
  registered, its own handling of ``jr:``/``odk:`` prefixes, of ``instance()`` documents, of
  ``current()`` and of dates-as-strings arithmetic; its XPath 2 machinery (typed atomisation,
  xs:date, exceptions for ``'a' + 1``) fights ODK's 1.0 coercions at every turn. A recursive-descent
  parser over the XPath 1.0 grammar plus a small evaluator is ~1,200 lines, has no XPath-2 surprises,
  and errors are ours (Thai + English, with a position).
* **Name tests match local names**: XForm instances live in the XForms default namespace and
  submissions in none, so ``/data/x`` matches either; prefixes in name tests are ignored.
* **string-length / substr / substring count Unicode code points**, of the value as stored,
  without normalisation (XPath 1.0 "characters"). Thai is entirely in the BMP, so JS/Java's UTF-16
  count is the same; only astral characters (emoji) differ (1 here, 2 in JS). NFC would not change
  SARA AM spellings (compatibility only) but would reorder ``ผู้`` typed tone-first; comparisons
  are code-point exact, so the app should store input NFC-normalised.
* **Numbers print as XPath 1.0 says**: integers without ``.0``, ``NaN``, ``Infinity``, ``-0`` as
  ``0``, never an exponent (``1e21`` prints ``1000000000000000000000``, ``1e-7`` ``0.0000001``;
  JS would print exponents there); otherwise the shortest round-tripping decimal (as JS).
  ``number()`` accepts only the XPath Number syntax (``'1e3'``, ``'+5'`` are NaN), plus dates:
  ``YYYY-MM-DD`` is the day count since 1970-01-01, a dateTime is epoch-ms / 86,400,000.
* **round(x[, digits])**: half away from zero on the decimal value as written (JavaRosa's
  BigDecimal HALF_UP), so ``round(-2.5) = -3`` (XPath 1.0 would say -2) and
  ``round(2.675, 2) = 2.68``.
* **Geo**: spherical earth of radius 6,378,100 m (JavaRosa ``GeoUtils.EARTH_RADIUS``, also used
  by openrosa-xpath-evaluator); ``distance`` is haversine summed along the points, ``area`` the
  spherical polygon formula (Chamberlain & Duquette) as in JavaRosa. Unreadable points give NaN.
* **Dates**: dates are strings; ``date()``/``today()`` give values that print ``YYYY-MM-DD``,
  ``now()``/``date-time()`` print ``YYYY-MM-DDTHH:MM:SS.sss+07:00``; in arithmetic and < > they
  are days. dateTimes with another offset are shown in ``tz``. ``format-date`` codes: %Y %y %m %n
  %b %d %e %H %h %M %S %3 %a (English names); unreadable dates format as ''.
* **Repeats**: an absolute path through the repeat instances holding the context node means
  those instances (ODK's contextualisation: ``/data/rep/v`` from ``/data/rep[2]/q`` is rep 2's v);
  the last step is not narrowed, so ``count(/data/rep)`` counts all instances.
* **concat/join** take node-sets whole (every node's value), as the ODK spec says for concat.
* **regex()** is a search (not anchored), with JS-like ASCII ``\\d``/``\\w``.
* **randomize(nodes, seed)** uses Park-Miller + Fisher-Yates from the end, as JavaRosa and
  openrosa-xpath-evaluator do.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any, Callable

from .errors import EVALUATION_FAILURES, XPathError
from .evaluator import Context, Env, evaluate_ast
from .parser import Expr, parse
from .references import references as _references
from .values import Attribute, DateValue, Document, Text, string_value, to_boolean, to_number, to_string

__all__ = ["evaluate", "compile", "Compiled", "XPathError", "string_value", "Attribute", "Text", "Document"]

# "value": what a calculate (or setvalue) stores: the string value, except that a number which is NaN
# stores empty, as JavaRosa does ("NaN" as text would be read by later expressions as a real answer);
# string(number('x')) written in the expression itself is still "NaN", per XPath 1.0.
RESULTS = ("string", "number", "boolean", "nodes", "value")




def evaluation_error(expression: str, exc: BaseException) -> XPathError:
    if isinstance(exc, RecursionError):
        return XPathError(expression, "นิพจน์ซ้อนกันลึกเกินไป", "The expression is nested too deeply")
    return XPathError(expression, f"คำนวณนิพจน์ไม่ได้: {exc}", f"Cannot evaluate the expression: {exc}")


class Compiled:
    """A parsed expression; evaluate it many times, ask what it reads."""

    __slots__ = ("expression", "ast", "_plan")

    def __init__(self, expression: str, ast: Expr):
        self.expression = expression
        self.ast = ast
        self._plan = None

    @property
    def plan(self) -> Callable:
        """The expression compiled to closures, `fn(env, ctx)` (plan.py): made on first use, kept."""
        if self._plan is None:
            from .plan import compile_plan

            self._plan = compile_plan(self.ast)
        return self._plan

    def references(self, context_path: str | None = None) -> set[str]:
        return _references(self.ast, context_path)

    def evaluate(self, instance: Any = None, context: str | None = None, result: str = "string", *,
                 secondary: dict | None = None, now: dt.datetime | None = None,
                 tz: dt.tzinfo | None = None, language: str | None = None,
                 choice_labels: Callable | None = None, pulldata: dict | None = None,
                 itext: Any = None) -> Any:
        if result not in RESULTS:
            raise XPathError(self.expression, f"ชนิดผลลัพธ์ {result!r} ไม่ถูกต้อง",
                             f"result must be one of {', '.join(RESULTS)}, not {result!r}")
        try:
            env = Env(self.expression, instance, secondary, now, tz, language, choice_labels, pulldata, itext)
            node = _context_node(env, context, self.expression)
            env.set_context(node)
            value = evaluate_ast(self.ast, env, Context(node))
            return _convert(value, result, env)
        except XPathError as exc:
            if not exc.expression:
                exc.expression = self.expression
            raise
        except EVALUATION_FAILURES as exc:
            raise evaluation_error(self.expression, exc) from None

    def __repr__(self) -> str:
        return f"Compiled({self.expression!r})"


@functools.lru_cache(maxsize=4096)
def _compile_cached(expression: str) -> Compiled:
    return Compiled(expression, parse(expression))


def compile(expression: str) -> Compiled:  # noqa: A001 - the natural name for the API
    """Parse `expression` (cached). Raises XPathError with a position on syntax errors."""
    if not isinstance(expression, str):
        raise XPathError(repr(expression), "นิพจน์ต้องเป็นข้อความ", "The expression must be a string")
    try:
        return _compile_cached(expression)
    except RecursionError:
        raise XPathError(expression, "นิพจน์ซ้อนกันลึกเกินไป", "The expression is nested too deeply") from None


def evaluate(expression: str, instance: Any = None, context: str | None = None, result: str = "string", *,
             secondary: dict | None = None, now: dt.datetime | None = None, tz: dt.tzinfo | None = None,
             language: str | None = None, choice_labels: Callable | None = None,
             pulldata: dict | None = None, itext: Any = None) -> Any:
    """Evaluate an ODK XPath expression; see the module docstring."""
    return compile(expression).evaluate(instance, context, result, secondary=secondary, now=now, tz=tz,
                                        language=language, choice_labels=choice_labels,
                                        pulldata=pulldata, itext=itext)


def _context_node(env: Env, context: str | None, expression: str) -> Any:
    root = env.primary.tops[0] if env.primary.tops else env.primary
    if context is None or context.strip() in ("", "/"):
        return root if context is None or context.strip() == "" else env.primary
    try:
        ast = compile(context).ast
    except XPathError as exc:
        raise XPathError(expression, f"เส้นทางบริบท {context!r} ไม่ถูกต้อง: {exc.message_th}",
                         f"Bad context path {context!r}: {exc.message_en}") from None
    found = evaluate_ast(ast, env, Context(root))
    if not isinstance(found, list) or not found:
        raise XPathError(expression, f"ไม่พบโหนดบริบท {context}", f"The context node {context} does not exist")
    return found[0]


def stored_value(value: Any) -> str:
    """The text a calculate stores for an evaluated value (see RESULTS: NaN stores empty)."""
    return "" if isinstance(value, float) and math.isnan(value) else to_string(value)


def _convert(value: Any, result: str, env: Env) -> Any:
    if result == "string":
        return to_string(value)
    if result == "value":
        return stored_value(value)
    if result == "number":
        return to_number(value, env.tz)
    if result == "boolean":
        return to_boolean(value)
    if not isinstance(value, list):
        raise XPathError(env.expression, "นิพจน์นี้ไม่ได้ให้ชุดโหนด", "The expression does not give a node-set")
    return list(value)


_unused = (math, DateValue)
