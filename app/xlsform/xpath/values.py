"""XPath values, nodes and the XPath 1.0 conversions string() / number() / boolean().

Values: str, float, bool, NodeSet (a list of nodes) and DateValue (what date(), today(), now(),
date-time() return: prints as an ISO string, counts as days since the epoch in arithmetic).

Nodes: lxml elements, plus `Document` (the document node above an instance's root element),
`Attribute` and `Text` wrappers (lxml has no attribute/text node objects).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

from lxml import etree

EPOCH_DATE = dt.date(1970, 1, 1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
XML_WS = " \t\r\n"


class Document:
    """The document node of an instance; `tops` are its element children (normally one)."""

    __slots__ = ("tops", "instance_id", "__weakref__")

    def __init__(self, tops: list, instance_id: str | None = None):
        self.tops = tops
        self.instance_id = instance_id

    def __repr__(self) -> str:
        return f"<Document {self.instance_id or 'primary'}>"


class Attribute:
    __slots__ = ("parent", "qname", "value")

    def __init__(self, parent, qname: str, value: str):
        self.parent, self.qname, self.value = parent, qname, value

    @property
    def name(self) -> str:
        return local_name(self.qname)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Attribute) and other.parent is self.parent and other.qname == self.qname

    def __hash__(self) -> int:
        return hash((id(self.parent), self.qname))

    def __repr__(self) -> str:
        return f"<Attribute @{self.name}={self.value!r}>"


class Text:
    __slots__ = ("parent", "index", "value")

    def __init__(self, parent, index: int, value: str):
        self.parent, self.index, self.value = parent, index, value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and other.parent is self.parent and other.index == self.index

    def __hash__(self) -> int:
        return hash((id(self.parent), self.index, "t"))


class NodeSet(list):
    """A node-set: a list of nodes, in document order unless it came from randomize()."""


def local_name(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def is_element(node: Any) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def string_value(node: Any) -> str:
    """XPath string-value of a node."""
    if isinstance(node, etree._Element):
        if len(node) == 0:
            return node.text or ""
        return "".join(t for t in _texts(node))
    if isinstance(node, (Attribute, Text)):
        return node.value
    if isinstance(node, Document):
        return "".join(string_value(t) for t in node.tops)
    return ""


def _texts(el):
    if el.text:
        yield el.text
    for child in el:
        if isinstance(child.tag, str):
            yield from _texts(child)
        if child.tail:
            yield child.tail


# --------------------------------------------------------------------------------------- dates
_DATE_RE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})$", re.ASCII)
_DATETIME_RE = re.compile(
    r"^(-?\d{4,})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$", re.ASCII)
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$", re.ASCII)


def _offset(text: str | None, tz: dt.tzinfo) -> dt.tzinfo:
    if not text:
        return tz
    if text == "Z":
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4] or 0)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _micro(frac: str | None) -> int:
    if not frac:
        return 0
    return int((frac + "000000")[:6])


def parse_date(text: str) -> dt.date | None:
    m = _DATE_RE.match(text.strip(XML_WS))
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_datetime(text: str, tz: dt.tzinfo) -> dt.datetime | None:
    m = _DATETIME_RE.match(text.strip(XML_WS))
    if not m:
        return None
    try:
        return dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                           int(m.group(5)), int(m.group(6) or 0), _micro(m.group(7)),
                           tzinfo=_offset(m.group(8), tz))
    except ValueError:
        return None


def parse_time(text: str, tz: dt.tzinfo, on: dt.date) -> dt.datetime | None:
    m = _TIME_RE.match(text.strip(XML_WS))
    if not m:
        return None
    try:
        return dt.datetime(on.year, on.month, on.day, int(m.group(1)), int(m.group(2)),
                           int(m.group(3) or 0), _micro(m.group(4)), tzinfo=_offset(m.group(5), tz))
    except ValueError:
        return None


class DateValue:
    """A date (kind "date") or an instant (kind "datetime", aware, shown in the evaluation zone)."""

    __slots__ = ("kind", "value", "tz")

    def __init__(self, kind: str, value, tz: dt.tzinfo):
        self.kind, self.value, self.tz = kind, value, tz

    def to_string(self) -> str:
        if self.kind == "date":
            return format_iso_date(self.value)
        return format_iso_datetime(self.value.astimezone(self.tz))

    def days(self) -> float:
        if self.kind == "date":
            return float((self.value - EPOCH_DATE).days)
        return (self.value - EPOCH).total_seconds() / 86400.0

    def local(self) -> dt.datetime:
        if self.kind == "date":
            return dt.datetime(self.value.year, self.value.month, self.value.day)
        return self.value.astimezone(self.tz)


def format_iso_date(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def format_iso_datetime(t: dt.datetime) -> str:
    off = t.utcoffset() or dt.timedelta(0)
    total = int(off.total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    total = abs(total)
    return (f"{format_iso_date(t)}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}."
            f"{t.microsecond // 1000:03d}{sign}{total // 60:02d}:{total % 60:02d}")


def days_to_date(n: float) -> dt.date | None:
    if math.isnan(n) or math.isinf(n):
        return None
    try:
        return EPOCH_DATE + dt.timedelta(days=math.floor(n))
    except OverflowError:
        return None


def days_to_datetime(n: float) -> dt.datetime | None:
    if math.isnan(n) or math.isinf(n):
        return None
    try:
        ms = round(n * 86400000.0)
        return EPOCH + dt.timedelta(milliseconds=ms)
    except OverflowError:
        return None


# --------------------------------------------------------------------------------- conversions
_NUM_RE = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def string_to_number(s: str, tz: dt.tzinfo | None = None) -> float:
    t = s.strip(XML_WS)
    if _NUM_RE.fullmatch(t):
        return float(t)
    if len(t) >= 10 and t[4] == "-":
        d = parse_date(t)
        if d is not None:
            return float((d - EPOCH_DATE).days)
        when = parse_datetime(t, tz or dt.timezone.utc)
        if when is not None:
            return (when - EPOCH).total_seconds() / 86400.0
    return math.nan


def format_number(x: float) -> str:
    """XPath 1.0 string(number): NaN, Infinity, integers without '.0', never an exponent."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    if x == int(x):
        return str(int(x))
    r = repr(float(x))
    if "e" in r or "E" in r:
        return format(Decimal(r), "f")
    return r


def to_string(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return format_number(float(v))
    if isinstance(v, list):
        return string_value(v[0]) if v else ""
    if isinstance(v, DateValue):
        return v.to_string()
    return string_value(v)


def to_number(v: Any, tz: dt.tzinfo | None = None) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        return string_to_number(v, tz)
    if isinstance(v, list):
        return string_to_number(string_value(v[0]), tz) if v else math.nan
    if isinstance(v, DateValue):
        return v.days()
    return string_to_number(string_value(v), tz)


def to_boolean(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return not (v == 0 or math.isnan(v))
    if isinstance(v, str):
        return len(v) > 0
    if isinstance(v, list):
        return len(v) > 0
    return True
