"""Tokenizer and recursive-descent parser for XPath 1.0 (with ODK's prefixed function names).

The AST is made of small immutable classes below. Function names are checked here (unknown name or
wrong number of arguments is a parse error with a position), so a compiled expression only fails
at evaluation time for type errors (a path step on a string, count() of a number, ...).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import XPathError

AXES = {
    "ancestor", "ancestor-or-self", "attribute", "child", "descendant", "descendant-or-self",
    "following", "following-sibling", "namespace", "parent", "preceding", "preceding-sibling", "self",
}
NODE_TYPES = {"node", "text", "comment", "processing-instruction"}
OPERATOR_NAMES = {"and", "or", "mod", "div"}

_NCNAME = r"[A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD][A-Za-z0-9_.\-\u00B7\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u037D\u037F-\u1FFF\u200C-\u200D\u203F-\u2040\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD]*"
_NAME_RE = re.compile(rf"({_NCNAME})(?::({_NCNAME}|\*))?")
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_WS = " \t\r\n"


@dataclass(frozen=True)
class Token:
    kind: str  # num str name star op punct func axis nodetype var eof
    value: str
    pos: int


def tokenize(expr: str) -> list[Token]:
    toks: list[Token] = []
    i, n = 0, len(expr)

    def operator_context() -> bool:
        # XPath 1.0 3.7: '*' / an operator name is an operator if there is a preceding token and it
        # is not one of @ :: ( [ , or an Operator.
        if not toks:
            return False
        t = toks[-1]
        if t.kind == "op":
            return False
        return not (t.kind == "punct" and t.value in ("@", "::", "(", "[", ","))

    while i < n:
        c = expr[i]
        if c in _WS:
            i += 1
            continue
        if c in "()[],@":
            toks.append(Token("punct", c, i))
            i += 1
        elif c == ".":
            if expr.startswith("..", i):
                toks.append(Token("punct", "..", i))
                i += 2
            elif i + 1 < n and "0" <= expr[i + 1] <= "9":
                m = _NUMBER_RE.match(expr, i)
                toks.append(Token("num", m.group(), i))
                i = m.end()
            else:
                toks.append(Token("punct", ".", i))
                i += 1
        elif c == ":" and expr.startswith("::", i):
            toks.append(Token("punct", "::", i))
            i += 2
        elif c.isdigit() and c < "\x80":
            m = _NUMBER_RE.match(expr, i)
            toks.append(Token("num", m.group(), i))
            i = m.end()
        elif c in "'\"":
            j = expr.find(c, i + 1)
            if j < 0:
                raise XPathError(expr, "ข้อความในเครื่องหมายคำพูดไม่มีคำพูดปิด",
                                 "Unterminated string literal", i)
            toks.append(Token("str", expr[i + 1:j], i))
            i = j + 1
        elif c == "/":
            if expr.startswith("//", i):
                toks.append(Token("op", "//", i))
                i += 2
            else:
                toks.append(Token("op", "/", i))
                i += 1
        elif c in "|+-=":
            toks.append(Token("op", c, i))
            i += 1
        elif c == "!":
            if expr.startswith("!=", i):
                toks.append(Token("op", "!=", i))
                i += 2
            else:
                raise XPathError(expr, "ใช้เครื่องหมาย ! เดี่ยว ๆ ไม่ได้ (ใช้ != หรือ not())",
                                 "Unexpected '!' (use != or not())", i)
        elif c in "<>":
            if expr.startswith("=", i + 1):
                toks.append(Token("op", c + "=", i))
                i += 2
            else:
                toks.append(Token("op", c, i))
                i += 1
        elif c == "*":
            toks.append(Token("op" if operator_context() else "star", "*", i))
            i += 1
        elif c == "$":
            m = _NAME_RE.match(expr, i + 1)
            if not m:
                raise XPathError(expr, "ชื่อตัวแปรผิด", "Bad variable name", i)
            toks.append(Token("var", m.group(), i))
            i = m.end()
        else:
            m = _NAME_RE.match(expr, i)
            if not m:
                raise XPathError(expr, f"มีอักขระที่ไม่รู้จัก {c!r}", f"Unexpected character {c!r}", i)
            name = m.group()
            end = m.end()
            if m.group(2) is None and operator_context() and name in OPERATOR_NAMES:
                toks.append(Token("op", name, i))
            elif m.group(2) == "*":
                toks.append(Token("star", name, i))
            else:
                j = end
                while j < n and expr[j] in _WS:
                    j += 1
                if j < n and expr[j] == "(":
                    toks.append(Token("nodetype" if name in NODE_TYPES else "func", name, i))
                elif expr.startswith("::", j) and ":" not in name:
                    toks.append(Token("axis", name, i))
                else:
                    toks.append(Token("name", name, i))
            i = end
    toks.append(Token("eof", "", n))
    return toks


# ------------------------------------------------------------------------------------------- AST
class Expr:
    pos: int = 0


@dataclass(frozen=True)
class Literal(Expr):
    value: str
    pos: int = 0


@dataclass(frozen=True)
class Number(Expr):
    value: float
    pos: int = 0


@dataclass(frozen=True)
class Neg(Expr):
    operand: Expr
    pos: int = 0


@dataclass(frozen=True)
class BinOp(Expr):
    op: str  # or and = != < <= > >= + - * div mod |
    left: Expr
    right: Expr
    pos: int = 0


@dataclass(frozen=True)
class Call(Expr):
    name: str  # canonical name, e.g. "choice-name" for jr:choice-name
    args: tuple[Expr, ...]
    pos: int = 0
    written: str = ""


@dataclass(frozen=True)
class Step:
    axis: str
    test: tuple  # ("name", local) | ("*",) | ("node",) | ("text",) | ("comment",) | ("pi",)
    predicates: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class Path(Expr):
    """start: None = relative to the context node; "root" = absolute; or a filter expression."""
    start: object
    steps: tuple[Step, ...]
    pos: int = 0


@dataclass(frozen=True)
class Filter(Expr):
    primary: Expr
    predicates: tuple[Expr, ...]
    pos: int = 0


@dataclass(frozen=True)
class Var(Expr):
    name: str
    pos: int = 0


# ---------------------------------------------------------------------------------- functions
# canonical name -> (min args, max args or None)
ARITY: dict[str, tuple[int, int | None]] = {
    # XPath 1.0 core
    "last": (0, 0), "position": (0, 1), "count": (1, 1), "local-name": (0, 1), "name": (0, 1),
    "namespace-uri": (0, 1), "string": (0, 1), "concat": (0, None), "starts-with": (2, 2),
    "contains": (2, 2), "substring-before": (2, 2), "substring-after": (2, 2), "substring": (2, 3),
    "string-length": (0, 1), "normalize-space": (0, 1), "translate": (3, 3), "boolean": (1, 1),
    "not": (1, 1), "true": (0, 0), "false": (0, 0), "lang": (1, 1), "number": (0, 1), "sum": (1, 1),
    "floor": (1, 1), "ceiling": (1, 1), "round": (1, 2),
    # ODK XForms
    "join": (1, None), "substr": (2, 3), "ends-with": (2, 2), "uuid": (0, 1), "digest": (2, 3),
    "base64-decode": (1, 1), "if": (3, 3), "coalesce": (2, 2), "once": (1, 1),
    "boolean-from-string": (1, 1), "regex": (2, 2), "checklist": (2, None),
    "weighted-checklist": (2, None), "random": (0, 0), "int": (1, 1), "max": (1, None),
    "min": (1, None), "pow": (2, 2), "log": (1, 1), "log10": (1, 1), "abs": (1, 1), "sin": (1, 1),
    "cos": (1, 1), "tan": (1, 1), "asin": (1, 1), "acos": (1, 1), "atan": (1, 1), "atan2": (2, 2),
    "sqrt": (1, 1), "exp": (1, 1), "exp10": (1, 1), "pi": (0, 0), "count-non-empty": (1, 1),
    "instance": (1, 1), "current": (0, 0), "randomize": (1, 2), "today": (0, 0), "now": (0, 0),
    "format-date": (2, 2), "format-date-time": (2, 2), "date": (1, 1), "decimal-date-time": (1, 1),
    "decimal-time": (1, 1), "date-time": (1, 1), "selected": (2, 2), "is-selected": (2, 2),
    "selected-at": (2, 2), "count-selected": (1, 1), "choice-name": (2, 2), "itext": (1, 1),
    "indexed-repeat": (3, None), "area": (1, 1), "distance": (1, None), "pulldata": (4, 4),
    "version": (0, 0),
}
# names that are only known with a prefix (jr:choice-name, jr:itext); others may be written bare or
# with jr:/odk:/orx: (JavaRosa accepts e.g. odk:pulldata style spellings in the wild).
PREFIXED_ONLY = {"choice-name", "itext"}
KNOWN_PREFIXES = {"jr", "odk", "orx"}
# Older names JavaRosa still accepts: enclosed-area() is area()'s first name (pyxform's own area
# example and ODK Validate use it).
ALIASES = {"enclosed-area": "area"}


def canonical_function(name: str) -> str | None:
    if ":" in name:
        prefix, local = name.split(":", 1)
        local = ALIASES.get(local, local)
        if prefix in KNOWN_PREFIXES and local in ARITY:
            return local
        return None
    name = ALIASES.get(name, name)
    if name in ARITY and name not in PREFIXED_ONLY:
        return name
    return None


# -------------------------------------------------------------------------------------- parser
class Parser:
    def __init__(self, expr: str):
        self.expr = expr
        self.toks = tokenize(expr)
        self.i = 0

    # helpers
    def peek(self, k: int = 0) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def at(self, kind: str, *values: str) -> bool:
        t = self.peek()
        return t.kind == kind and (not values or t.value in values)

    def error(self, tok: Token, th: str, en: str) -> XPathError:
        return XPathError(self.expr, th, en, tok.pos)

    def expect(self, kind: str, value: str) -> Token:
        t = self.peek()
        if t.kind != kind or t.value != value:
            shown = "the end" if t.kind == "eof" else repr(t.value)
            raise self.error(t, f"ควรมี {value!r} แต่พบ {'จุดจบ' if t.kind == 'eof' else repr(t.value)}",
                             f"Expected {value!r} but found {shown}")
        return self.next()

    def parse(self) -> Expr:
        if self.at("eof"):
            raise self.error(self.peek(), "นิพจน์ว่างเปล่า", "Empty expression")
        e = self.parse_or()
        if not self.at("eof"):
            t = self.peek()
            raise self.error(t, f"มีส่วนเกินที่ไม่เข้าใจ: {t.value!r}", f"Unexpected {t.value!r}")
        return e

    def _binary(self, sub, ops: tuple[str, ...]) -> Expr:
        left = sub()
        while self.peek().kind == "op" and self.peek().value in ops:
            t = self.next()
            right = sub()
            left = BinOp(t.value, left, right, t.pos)
        return left

    def parse_or(self) -> Expr:
        return self._binary(self.parse_and, ("or",))

    def parse_and(self) -> Expr:
        return self._binary(self.parse_equality, ("and",))

    def parse_equality(self) -> Expr:
        return self._binary(self.parse_relational, ("=", "!="))

    def parse_relational(self) -> Expr:
        return self._binary(self.parse_additive, ("<", "<=", ">", ">="))

    def parse_additive(self) -> Expr:
        return self._binary(self.parse_multiplicative, ("+", "-"))

    def parse_multiplicative(self) -> Expr:
        return self._binary(self.parse_unary, ("*", "div", "mod"))

    def parse_unary(self) -> Expr:
        if self.at("op", "-"):
            t = self.next()
            return Neg(self.parse_unary(), t.pos)
        return self.parse_union()

    def parse_union(self) -> Expr:
        return self._binary(self.parse_path, ("|",))

    def _starts_step(self) -> bool:
        t = self.peek()
        return t.kind in ("name", "star", "axis", "nodetype") or (t.kind == "punct" and t.value in ("@", ".", ".."))

    def parse_path(self) -> Expr:
        t = self.peek()
        if t.kind == "op" and t.value == "/":
            self.next()
            steps = self.parse_relative() if self._starts_step() else []
            return Path("root", tuple(steps), t.pos)
        if t.kind == "op" and t.value == "//":
            self.next()
            if not self._starts_step():
                raise self.error(self.peek(), "หลัง // ต้องมีชื่อ", "Expected a step after '//'")
            steps = [Step("descendant-or-self", ("node",))] + self.parse_relative()
            return Path("root", tuple(steps), t.pos)
        if self._starts_step():
            return Path(None, tuple(self.parse_relative()), t.pos)
        primary = self.parse_primary()
        preds = self.parse_predicates()
        base: Expr = Filter(primary, tuple(preds), t.pos) if preds else primary
        if self.at("op", "/", "//"):
            steps: list[Step] = []
            if self.next().value == "//":
                steps.append(Step("descendant-or-self", ("node",)))
            if not self._starts_step():
                raise self.error(self.peek(), "หลัง / ต้องมีชื่อ", "Expected a step after '/'")
            steps += self.parse_relative()
            return Path(base, tuple(steps), t.pos)
        return base

    def parse_relative(self) -> list[Step]:
        steps = [self.parse_step()]
        while self.at("op", "/", "//"):
            if self.next().value == "//":
                steps.append(Step("descendant-or-self", ("node",)))
            if not self._starts_step():
                raise self.error(self.peek(), "หลัง / ต้องมีชื่อ", "Expected a step after '/'")
            steps.append(self.parse_step())
        return steps

    def parse_step(self) -> Step:
        t = self.next()
        if t.kind == "punct" and t.value == ".":
            return Step("self", ("node",))
        if t.kind == "punct" and t.value == "..":
            return Step("parent", ("node",))
        axis = "child"
        if t.kind == "punct" and t.value == "@":
            axis = "attribute"
            t = self.next()
        elif t.kind == "axis":
            if t.value not in AXES:
                raise self.error(t, f"ไม่รู้จักแกน {t.value!r}", f"Unknown axis {t.value!r}")
            axis = t.value
            self.expect("punct", "::")
            t = self.next()
        if t.kind == "name":
            test: tuple = ("name", t.value.split(":", 1)[-1])
        elif t.kind == "star":
            test = ("*",)
        elif t.kind == "nodetype":
            self.expect("punct", "(")
            if t.value == "processing-instruction" and self.at("str"):
                self.next()
            self.expect("punct", ")")
            test = ({"processing-instruction": "pi"}.get(t.value, t.value),)
        else:
            shown = "the end" if t.kind == "eof" else repr(t.value)
            raise self.error(t, "ควรมีชื่อโหนดตรงนี้", f"Expected a node name but found {shown}")
        return Step(axis, test, tuple(self.parse_predicates()))

    def parse_predicates(self) -> list[Expr]:
        preds = []
        while self.at("punct", "["):
            self.next()
            if self.at("punct", "]"):
                raise self.error(self.peek(), "วงเล็บ [ ] ว่างเปล่า", "Empty predicate []")
            preds.append(self.parse_or())
            self.expect("punct", "]")
        return preds

    def parse_primary(self) -> Expr:
        t = self.next()
        if t.kind == "str":
            return Literal(t.value, t.pos)
        if t.kind == "num":
            return Number(float(t.value), t.pos)
        if t.kind == "var":
            return Var(t.value, t.pos)
        if t.kind == "punct" and t.value == "(":
            e = self.parse_or()
            self.expect("punct", ")")
            return e
        if t.kind == "func":
            name = canonical_function(t.value)
            if name is None:
                raise self.error(t, f"ไม่รู้จักฟังก์ชัน {t.value}()", f"Unknown function {t.value}()")
            self.expect("punct", "(")
            args: list[Expr] = []
            if not self.at("punct", ")"):
                args.append(self.parse_or())
                while self.at("punct", ","):
                    self.next()
                    args.append(self.parse_or())
            self.expect("punct", ")")
            lo, hi = ARITY[name]
            if len(args) < lo or (hi is not None and len(args) > hi):
                want = str(lo) if lo == hi else (f"{lo}+" if hi is None else f"{lo}-{hi}")
                raise self.error(t, f"ฟังก์ชัน {t.value}() ต้องมีอาร์กิวเมนต์ {want} ตัว แต่มี {len(args)} ตัว",
                                 f"{t.value}() takes {want} argument(s), {len(args)} given")
            if name == "weighted-checklist" and len(args) % 2:
                raise self.error(t, "weighted-checklist() ต้องมีค่าและน้ำหนักเป็นคู่",
                                 "weighted-checklist() needs value/weight pairs")
            return Call(name, tuple(args), t.pos, t.value)
        if t.kind == "eof":
            raise self.error(t, "นิพจน์จบก่อนเวลา", "Unexpected end of expression")
        raise self.error(t, f"ไม่คาดว่าจะพบ {t.value!r} ตรงนี้", f"Unexpected {t.value!r}")


def parse(expr: str) -> Expr:
    if not isinstance(expr, str):
        raise XPathError(str(expr), "นิพจน์ต้องเป็นข้อความ", "The expression must be a string")
    return Parser(expr).parse()


__all__ = ["parse", "tokenize", "Expr", "Literal", "Number", "Neg", "BinOp", "Call", "Step", "Path",
           "Filter", "Var", "ARITY", "field"]
