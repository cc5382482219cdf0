"""The XPath 1.0 core and ODK XForms function library."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import math
import random as _random
import re
import secrets
import string as _string
import uuid as _uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Callable

from . import parser as P
from .evaluator import Context, Env, evaluate_ast
from .values import (Attribute, DateValue, Document, NodeSet, days_to_date, days_to_datetime,
                     is_element, local_name, parse_date, parse_datetime, parse_time, string_value,
                     to_boolean, to_number, to_string)

FUNCTIONS: dict[str, Callable] = {}
XML_WS = " \t\r\n"
EARTH_RADIUS_M = 6378100.0  # JavaRosa GeoUtils.EARTH_RADIUS, also used by openrosa-xpath-evaluator


def fn(*names: str):
    def deco(f):
        for n in names:
            FUNCTIONS[n] = f
        return f
    return deco


def call(e: P.Call, env: Env, ctx: Context) -> Any:
    f = FUNCTIONS.get(e.name)
    if f is None:
        raise env.error(f"ไม่รู้จักฟังก์ชัน {e.written}()", f"Unknown function {e.written}()", e.pos)
    return f(Args(e, env, ctx))


class Args:
    """Lazy access to a call's arguments."""

    __slots__ = ("e", "env", "ctx", "n")

    def __init__(self, e: P.Call, env: Env, ctx: Context):
        self.e, self.env, self.ctx, self.n = e, env, ctx, len(e.args)

    def value(self, i: int) -> Any:
        return evaluate_ast(self.e.args[i], self.env, self.ctx)

    def str(self, i: int) -> str:
        return to_string(self.value(i))

    def num(self, i: int) -> float:
        return to_number(self.value(i), self.env.tz)

    def bool(self, i: int) -> bool:
        return to_boolean(self.value(i))

    def nodes(self, i: int) -> NodeSet:
        v = self.value(i)
        if not isinstance(v, list):
            raise self.error(f"อาร์กิวเมนต์ที่ {i + 1} ของ {self.e.written}() ต้องเป็นชุดโหนด (เส้นทางคำถาม)",
                             f"Argument {i + 1} of {self.e.written}() must be a node-set (a question path)")
        return v

    def strings(self, i: int) -> list[str]:
        """A node-set argument gives every node's value; anything else one string."""
        v = self.value(i)
        if isinstance(v, list):
            return [string_value(n) for n in v]
        return [to_string(v)]

    def context_str(self) -> str:
        return string_value(self.ctx.node)

    def error(self, th: str, en: str):
        return self.env.error(th, en, self.e.pos)


# ------------------------------------------------------------------------------------ strings
@fn("string")
def f_string(a: Args):
    return a.str(0) if a.n else a.context_str()


@fn("concat")
def f_concat(a: Args):
    return "".join("".join(a.strings(i)) for i in range(a.n))


@fn("join")
def f_join(a: Args):
    sep = a.str(0)
    parts: list[str] = []
    for i in range(1, a.n):
        parts.extend(a.strings(i))
    return sep.join(parts)


def _int_arg(x: float) -> int | None:
    if math.isnan(x):
        return None
    if math.isinf(x):
        return 10 ** 12 if x > 0 else -(10 ** 12)
    return int(x)


@fn("substr")
def f_substr(a: Args):
    s = a.str(0)
    start = _int_arg(a.num(1))
    if start is None:
        return ""
    end = len(s)
    if a.n > 2:
        e = _int_arg(a.num(2))
        if e is None:
            return ""
        end = e
    if start < 0:
        start = max(0, len(s) + start)
    if end < 0:
        end = max(0, len(s) + end)
    return s[start:end]


@fn("substring")
def f_substring(a: Args):
    s = a.str(0)
    start = _xpath_round(a.num(1))
    if a.n > 2:
        end = start + _xpath_round(a.num(2))
    else:
        end = math.inf
    if math.isnan(start) or math.isnan(end):
        return ""
    # characters at 1-based positions p with start <= p < end
    lo = max(1, math.ceil(start)) if not math.isinf(start) else (1 if start < 0 else len(s) + 1)
    if math.isinf(end):
        hi = len(s) + 1 if end > 0 else 1
    else:
        hi = min(len(s) + 1, math.ceil(end))
    if hi <= lo:
        return ""
    return s[lo - 1:hi - 1]


def _xpath_round(x: float) -> float:
    if math.isnan(x) or math.isinf(x):
        return x
    return float(math.floor(x + 0.5))


@fn("substring-before")
def f_before(a: Args):
    s, t = a.str(0), a.str(1)
    i = s.find(t)
    return s[:i] if i >= 0 else ""


@fn("substring-after")
def f_after(a: Args):
    s, t = a.str(0), a.str(1)
    i = s.find(t)
    return s[i + len(t):] if i >= 0 else ""


@fn("translate")
def f_translate(a: Args):
    s, src, dst = a.str(0), a.str(1), a.str(2)
    table: dict[str, str | None] = {}
    for i, c in enumerate(src):
        if c not in table:
            table[c] = dst[i] if i < len(dst) else None
    return "".join(table.get(c, c) or "" if c in table else c for c in s)


@fn("string-length")
def f_string_length(a: Args):
    return float(len(a.str(0) if a.n else a.context_str()))


@fn("normalize-space")
def f_normalize_space(a: Args):
    s = a.str(0) if a.n else a.context_str()
    s = s.strip(XML_WS)
    return " ".join(re.split(r"[ \t\r\n]+", s)) if s else ""


@fn("contains")
def f_contains(a: Args):
    return a.str(1) in a.str(0)


@fn("starts-with")
def f_starts_with(a: Args):
    return a.str(0).startswith(a.str(1))


@fn("ends-with")
def f_ends_with(a: Args):
    return a.str(0).endswith(a.str(1))


@fn("uuid")
def f_uuid(a: Args):
    if a.n == 0:
        return str(_uuid.uuid4())
    n = _int_arg(a.num(0))
    if n is None or n < 0:
        raise a.error("uuid(n) ต้องการจำนวนเต็มบวก", "uuid(n) needs a positive length")
    n = min(n, 10000)
    alphabet = _string.ascii_letters + _string.digits
    return "".join(secrets.choice(alphabet) for _ in range(n))


_DIGESTS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


@fn("digest")
def f_digest(a: Args):
    data, alg = a.str(0), a.str(1).upper()
    enc = a.str(2).lower() if a.n > 2 else "base64"
    if alg not in _DIGESTS:
        raise a.error(f"digest() ไม่รู้จักอัลกอริทึม {alg}", f"digest(): unknown algorithm {alg!r}")
    if enc not in ("base64", "hex"):
        raise a.error(f"digest() ไม่รู้จักการเข้ารหัส {enc}", f"digest(): unknown encoding {enc!r}")
    h = hashlib.new(_DIGESTS[alg], data.encode("utf-8"))
    return h.hexdigest() if enc == "hex" else base64.b64encode(h.digest()).decode("ascii")


@fn("base64-decode")
def f_base64_decode(a: Args):
    s = a.str(0)
    try:
        return base64.b64decode(s.strip(), validate=False).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return ""


@fn("regex")
def f_regex(a: Args):
    value, pattern = a.str(0), a.str(1)
    try:
        rx = _compile_regex(pattern)
    except re.error as exc:
        raise a.error(f"regex() รูปแบบผิด: {exc}", f"regex(): bad pattern: {exc}") from None
    return rx.search(value) is not None


_REGEX_CACHE: dict[str, re.Pattern] = {}


def _compile_regex(pattern: str) -> re.Pattern:
    rx = _REGEX_CACHE.get(pattern)
    if rx is None:
        # JS semantics: \d \w \s \b ASCII-only for \d and \w (re.ASCII also narrows \s, which in JS
        # includes Unicode spaces; acceptable: form patterns use \s for ordinary spaces).
        rx = re.compile(pattern, re.ASCII)
        if len(_REGEX_CACHE) < 512:
            _REGEX_CACHE[pattern] = rx
    return rx


# ------------------------------------------------------------------------------------- logic
@fn("if")
def f_if(a: Args):
    return a.value(1) if a.bool(0) else a.value(2)


@fn("coalesce")
def f_coalesce(a: Args):
    first = a.str(0)
    return first if first != "" else a.str(1)


@fn("once")
def f_once(a: Args):
    current = a.context_str()
    return current if current != "" else a.str(0)


@fn("true")
def f_true(a: Args):
    return True


@fn("false")
def f_false(a: Args):
    return False


@fn("boolean")
def f_boolean(a: Args):
    return a.bool(0)


@fn("not")
def f_not(a: Args):
    return not a.bool(0)


@fn("boolean-from-string")
def f_bfs(a: Args):
    return a.str(0) in ("true", "1")


@fn("lang")
def f_lang(a: Args):
    return False


def _truths(a: Args, i: int) -> list[bool]:
    v = a.value(i)
    if isinstance(v, list):
        return [to_boolean(string_value(n)) for n in v]
    return [to_boolean(v)]


def _within(total: float, lo: float, hi: float) -> bool:
    return (lo < 0 or total >= lo) and (hi < 0 or total <= hi)


@fn("checklist")
def f_checklist(a: Args):
    lo, hi = a.num(0), a.num(1)
    count = sum(sum(_truths(a, i)) for i in range(2, a.n))
    return _within(count, lo, hi)


@fn("weighted-checklist")
def f_weighted(a: Args):
    lo, hi = a.num(0), a.num(1)
    total = 0.0
    for i in range(2, a.n, 2):
        if any(_truths(a, i)):
            total += a.num(i + 1)
    return _within(total, lo, hi)


# ------------------------------------------------------------------------------------ numbers
@fn("number")
def f_number(a: Args):
    return a.num(0) if a.n else to_number(a.context_str(), a.env.tz)


@fn("random")
def f_random(a: Args):
    return _random.random()


@fn("int")
def f_int(a: Args):
    x = a.num(0)
    if math.isnan(x) or math.isinf(x):
        return x
    return float(math.trunc(x)) if x != 0 else x


@fn("sum")
def f_sum(a: Args):
    total = 0.0
    for n in a.nodes(0):
        total += to_number(string_value(n), a.env.tz)
    return total


def _numbers(a: Args) -> list[float]:
    out: list[float] = []
    for i in range(a.n):
        v = a.value(i)
        if isinstance(v, list):
            out.extend(to_number(string_value(n), a.env.tz) for n in v)
        else:
            out.append(to_number(v, a.env.tz))
    return out


@fn("max")
def f_max(a: Args):
    xs = _numbers(a)
    if not xs or any(math.isnan(x) for x in xs):
        return math.nan
    return max(xs)


@fn("min")
def f_min(a: Args):
    xs = _numbers(a)
    if not xs or any(math.isnan(x) for x in xs):
        return math.nan
    return min(xs)


@fn("round")
def f_round(a: Args):
    x = a.num(0)
    digits = 0
    if a.n > 1:
        d = a.num(1)
        if math.isnan(d):
            return math.nan
        digits = int(d)
    if math.isnan(x) or math.isinf(x):
        return x
    try:
        q = Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return x
    return float(q)


@fn("floor")
def f_floor(a: Args):
    x = a.num(0)
    return x if math.isnan(x) or math.isinf(x) else float(math.floor(x))


@fn("ceiling")
def f_ceiling(a: Args):
    x = a.num(0)
    return x if math.isnan(x) or math.isinf(x) else float(math.ceil(x))


def _safe(f: Callable[..., float], *xs: float) -> float:
    try:
        return float(f(*xs))
    except (ValueError, ZeroDivisionError):
        return math.nan
    except OverflowError:
        return math.inf


@fn("pow")
def f_pow(a: Args):
    x, y = a.num(0), a.num(1)
    if x == 0 and y < 0:
        return math.inf
    try:
        r = math.pow(x, y)
    except ValueError:
        return math.nan
    except OverflowError:
        return math.inf if x > 0 or float(y).is_integer() and int(y) % 2 == 0 else -math.inf
    return r


@fn("log")
def f_log(a: Args):
    x = a.num(0)
    return -math.inf if x == 0 else _safe(math.log, x)


@fn("log10")
def f_log10(a: Args):
    x = a.num(0)
    return -math.inf if x == 0 else _safe(math.log10, x)


@fn("abs")
def f_abs(a: Args):
    return abs(a.num(0))


def _unary(name: str, f: Callable[[float], float]):
    FUNCTIONS[name] = lambda a: _safe(f, a.num(0)) if not math.isnan(a.num(0)) else math.nan


for _n, _f in [("sin", math.sin), ("cos", math.cos), ("tan", math.tan), ("asin", math.asin),
               ("acos", math.acos), ("atan", math.atan), ("sqrt", math.sqrt), ("exp", math.exp)]:
    _unary(_n, _f)


@fn("exp10")
def f_exp10(a: Args):
    return _safe(lambda x: math.pow(10.0, x), a.num(0))


@fn("atan2")
def f_atan2(a: Args):
    return _safe(math.atan2, a.num(0), a.num(1))


@fn("pi")
def f_pi(a: Args):
    return math.pi


# ---------------------------------------------------------------------------------- node-sets
@fn("count")
def f_count(a: Args):
    return float(len(a.nodes(0)))


@fn("count-non-empty")
def f_count_non_empty(a: Args):
    return float(sum(1 for n in a.nodes(0) if string_value(n) != ""))


@fn("position")
def f_position(a: Args):
    if a.n == 0:
        return float(a.ctx.pos)
    nodes = a.nodes(0)
    if not nodes:
        return math.nan
    node = nodes[0]
    if not is_element(node):
        return 1.0
    parent = a.env.parent(node)
    if parent is None:
        return 1.0
    same = [c for c in a.env.children(parent) if local_name(c.tag) == local_name(node.tag)]
    for i, c in enumerate(same):
        if c is node:
            return float(i + 1)
    return 1.0


@fn("last")
def f_last(a: Args):
    return float(a.ctx.size)


@fn("local-name", "name")
def f_local_name(a: Args):
    if a.n:
        nodes = a.nodes(0)
        node = nodes[0] if nodes else None
    else:
        node = a.ctx.node
    if node is None:
        return ""
    if isinstance(node, Attribute):
        return node.name
    if is_element(node):
        return local_name(node.tag)
    return ""


@fn("namespace-uri")
def f_namespace_uri(a: Args):
    node = (a.nodes(0) or [None])[0] if a.n else a.ctx.node
    if is_element(node) and node.tag.startswith("{"):
        return node.tag[1:].split("}", 1)[0]
    return ""


@fn("instance")
def f_instance(a: Args):
    iid = a.str(0)
    doc = a.env.instance(iid)
    if doc is None:
        raise a.error(f"ไม่มีชุดข้อมูล instance('{iid}') ในแบบฟอร์ม", f"There is no instance('{iid}') in the form")
    return NodeSet([doc])


@fn("current")
def f_current(a: Args):
    return NodeSet([a.env.current]) if a.env.current is not None else NodeSet()


def _park_miller_shuffle(items: list, seed: float) -> list:
    s = int(seed) % 2147483647
    if s <= 0:
        s += 2147483646
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        s = s * 16807 % 2147483647
        j = int(((s - 1) / 2147483646) * (i + 1))
        out[i], out[j] = out[j], out[i]
    return out


@fn("randomize")
def f_randomize(a: Args):
    nodes = list(a.nodes(0))
    if a.n > 1:
        seed = a.num(1)
        if math.isnan(seed) or math.isinf(seed):
            raise a.error("randomize() ค่า seed ต้องเป็นตัวเลข", "randomize(): the seed must be a number")
        return NodeSet(_park_miller_shuffle(nodes, seed))
    _random.shuffle(nodes)
    return NodeSet(nodes)


@fn("indexed-repeat")
def f_indexed_repeat(a: Args):
    if a.n % 2 == 0:
        raise a.error("indexed-repeat() ต้องมีกลุ่มซ้ำและลำดับเป็นคู่",
                      "indexed-repeat() needs repeat/index pairs after the target")
    chosen: Any = None
    env = a.env
    for i in range(1, a.n, 2):
        reps = list(a.nodes(i))
        if chosen is not None:
            reps = [r for r in reps if _is_ancestor(env, chosen, r)]
        idx = a.num(i + 1)
        if math.isnan(idx) or idx < 1 or idx > len(reps) or int(idx) != idx:
            return NodeSet()
        chosen = reps[int(idx) - 1]
    return NodeSet([n for n in a.nodes(0) if _is_ancestor(env, chosen, n, or_self=True)])


def _is_ancestor(env: Env, anc: Any, node: Any, or_self: bool = False) -> bool:
    p = node if or_self else env.parent(node)
    while p is not None:
        if p is anc:
            return True
        p = env.parent(p)
    return False


# ------------------------------------------------------------------------- select_multiple
def _choices(s: str) -> list[str]:
    return s.split()


@fn("selected", "is-selected")
def f_selected(a: Args):
    value = a.str(1).strip(XML_WS)
    return value != "" and value in _choices(a.str(0))


@fn("count-selected")
def f_count_selected(a: Args):
    return float(len(_choices(a.str(0))))


@fn("selected-at")
def f_selected_at(a: Args):
    items = _choices(a.str(0))
    i = a.num(1)
    if math.isnan(i) or i < 0 or i >= len(items):
        return ""
    return items[int(i)]


@fn("choice-name")
def f_choice_name(a: Args):
    value, path = a.str(0), a.str(1).strip()
    env = a.env
    if env.choice_labels is not None:
        label = env.choice_labels(path, value, env.language)
        return "" if label is None else str(label)
    list_name = path.rstrip("/").rsplit("/", 1)[-1]
    doc = env.instance(list_name)
    if doc is None or value == "":
        return ""
    for top in doc.tops:
        for item in top:
            if not is_element(item):
                continue
            name = next((c for c in item if is_element(c) and local_name(c.tag) == "name"), None)
            if name is not None and string_value(name) == value:
                labels = [c for c in item if is_element(c) and local_name(c.tag) == "label"]
                if not labels:
                    return ""
                for lab in labels:
                    if env.language and lab.get("lang") == env.language:
                        return string_value(lab)
                return string_value(labels[0])
    return ""


@fn("itext")
def f_itext(a: Args):
    tid = a.str(0)
    itext = a.env.itext
    if itext is None:
        return ""
    if callable(itext):
        r = itext(tid, a.env.language)
        return "" if r is None else str(r)
    texts = itext.get(tid)
    if not texts:
        return ""
    if isinstance(texts, str):
        return texts
    if a.env.language and a.env.language in texts:
        return texts[a.env.language]
    return next(iter(texts.values()), "")


@fn("pulldata")
def f_pulldata(a: Args):
    iid, column, key_column, key = a.str(0), a.str(1), a.str(2), a.str(3)
    env = a.env
    rows = env.pulldata.get(iid)
    if isinstance(rows, list):
        for row in rows:
            if str(row.get(key_column, "")) == key:
                v = row.get(column)
                return "" if v is None else str(v)
        return ""
    doc = env.instance(iid)
    if doc is None:
        raise a.error(f"pulldata(): ไม่มีไฟล์ข้อมูล '{iid}'", f"pulldata(): there is no attached data '{iid}'")
    for top in doc.tops:
        for item in top:
            if not is_element(item):
                continue
            cols = {local_name(c.tag): c for c in item if is_element(c)}
            k = cols.get(key_column)
            if k is not None and string_value(k) == key:
                c = cols.get(column)
                return string_value(c) if c is not None else ""
    return ""


@fn("version")
def f_version(a: Args):
    return ""


# ------------------------------------------------------------------------------------- dates
def _date_value(v: Any, env: Env) -> DateValue | None:
    """Any value as a date/dateTime, or None (empty or not a date)."""
    if isinstance(v, DateValue):
        return v
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        if math.isnan(v) or math.isinf(v):
            return None
        if float(v).is_integer():
            d = days_to_date(v)
            return DateValue("date", d, env.tz) if d else None
        t = days_to_datetime(v)
        return DateValue("datetime", t, env.tz) if t else None
    s = to_string(v).strip(XML_WS)
    if not s:
        return None
    d = parse_date(s)
    if d is not None:
        return DateValue("date", d, env.tz)
    t = parse_datetime(s, env.tz)
    if t is not None:
        return DateValue("datetime", t, env.tz)
    from .values import _NUM_RE
    if _NUM_RE.fullmatch(s):
        return _date_value(float(s), env)
    return None


@fn("today")
def f_today(a: Args):
    return DateValue("date", a.env.now_value().date(), a.env.tz)


@fn("now")
def f_now(a: Args):
    return DateValue("datetime", a.env.now_value(), a.env.tz)


@fn("date")
def f_date(a: Args):
    v = _date_value(a.value(0), a.env)
    if v is None:
        return ""
    if v.kind == "datetime":
        return DateValue("date", v.local().date(), a.env.tz)
    return v


@fn("date-time")
def f_date_time(a: Args):
    raw = a.value(0)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        t = days_to_datetime(raw)
        return DateValue("datetime", t, a.env.tz) if t else ""
    v = _date_value(raw, a.env)
    if v is None:
        return ""
    if v.kind == "date":
        return DateValue("datetime", dt.datetime(v.value.year, v.value.month, v.value.day, tzinfo=a.env.tz), a.env.tz)
    return v


@fn("decimal-date-time")
def f_decimal_date_time(a: Args):
    v = _date_value(a.value(0), a.env)
    return v.days() if v is not None else math.nan


@fn("decimal-time")
def f_decimal_time(a: Args):
    env = a.env
    s = a.str(0).strip(XML_WS)
    today = env.now_value().date()
    t = parse_time(s, env.tz, today)
    if t is None:
        v = _date_value(s, env) if s else None
        if v is None or v.kind != "datetime":
            return math.nan
        t = v.value
    local = t.astimezone(env.tz)
    secs = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
    return secs / 86400.0


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _format(v: DateValue, fmt: str) -> str:
    t = v.local()
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            i += 2
            rep = {
                "Y": f"{t.year:04d}", "y": f"{t.year % 100:02d}", "m": f"{t.month:02d}", "n": str(t.month),
                "b": MONTHS[t.month - 1], "d": f"{t.day:02d}", "e": str(t.day), "H": f"{t.hour:02d}",
                "h": str(t.hour), "M": f"{t.minute:02d}", "S": f"{t.second:02d}",
                "3": f"{t.microsecond // 1000:03d}", "a": DAYS[t.weekday()],
            }.get(code)
            out.append(rep if rep is not None else "%" + code)
        else:
            out.append(c)
            i += 1
    return "".join(out)


@fn("format-date", "format-date-time")
def f_format_date(a: Args):
    v = _date_value(a.value(0), a.env)
    fmt = a.str(1)
    return _format(v, fmt) if v is not None else ""


# --------------------------------------------------------------------------------------- geo
def _points(text: str) -> list[tuple[float, float]] | None:
    pts = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        bits = part.split()
        if len(bits) < 2:
            return None
        try:
            lat, lon = float(bits[0]), float(bits[1])
        except ValueError:
            return None
        if math.isnan(lat) or math.isnan(lon):
            return None
        pts.append((lat, lon))
    return pts


def _haversine(p: tuple[float, float], q: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (p[0], p[1], q[0], q[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return EARTH_RADIUS_M * 2 * math.atan2(math.sqrt(h), math.sqrt(max(0.0, 1 - h)))


def _geo_args(a: Args) -> list[tuple[float, float]] | None:
    pts: list[tuple[float, float]] = []
    for i in range(a.n):
        for s in a.strings(i):
            p = _points(s)
            if p is None:
                return None
            pts.extend(p)
    return pts


@fn("distance")
def f_distance(a: Args):
    pts = _geo_args(a)
    if pts is None:
        return math.nan
    return sum(_haversine(pts[i], pts[i + 1]) for i in range(len(pts) - 1))


@fn("area")
def f_area(a: Args):
    pts = _geo_args(a)
    if pts is None:
        return math.nan
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    if len(pts) < 3:
        return 0.0
    total = 0.0
    for i in range(len(pts)):
        p, q = pts[i], pts[(i + 1) % len(pts)]
        total += math.radians(q[1] - p[1]) * (2 + math.sin(math.radians(p[0])) + math.sin(math.radians(q[0])))
    return abs(total * EARTH_RADIUS_M * EARTH_RADIUS_M / 2)


_ = Document  # re-exported for type hints elsewhere
