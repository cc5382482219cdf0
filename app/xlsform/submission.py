"""The server's own reading and checking of a submitted OpenRosa instance (`xml_submission_file`).

Pure library code: no Flask, no database. Form logic (relevant / constraint / calculate /
dynamic required) is evaluated by `app.xlsform.revalidate.revalidate()`, which the server uses: it
runs `check_submission` below with a `logic` hook on its own re-evaluated copy of the instance.
Called alone, `check_submission` does the checks that hold whatever the logic says (the decisions
below describe that mode).

* `parse_submission(xml)` -> `ParsedSubmission`, through defusedxml with DTDs, entities and
  external references all forbidden (billion-laughs and XXE raise `SubmissionUnreadable`).
* `extract_answers(parsed, definition)` -> answers keyed by absolute instance path, e.g.
  ``{"/data/name": "Somchai", "/data/hh/members": [{"/data/hh/members/name": "Malee", ...}, ...]}``.
  Groups are flattened into paths; every repeat instance is a dict inside a list (nested repeats
  nest). Leaf values are the element text verbatim ("" when empty). Nothing is dropped: elements the
  form does not know are kept under their path (an unknown element with children is flattened like
  a group, or becomes a list of dicts when it occurs more than once); a leaf that occurs more than
  once at one level becomes a list of strings; attributes are kept as ``"/data/meta/entity/@id"``
  (the root's own `id` / `version` are in `ParsedSubmission`, not in the answers).
* `check_submission(parsed, definition, attachment_names, limits=None)` -> list of entries
  ``{"path", "node_path", "code", "level", "message_th", "message_en", "value"}``.
  `path` is the instance path with 1-based repeat positions (``/data/hh/members[2]/age``);
  `node_path` is the form's path without positions (``/data/hh/members/age``), to look the
  question up in the definition. `level` is ``"error"`` or ``"warning"``.

Decisions:

* **Required** is checked only for `required="true()"` on questions with a body control, and only
  when neither the question nor any enclosing group/repeat has a `relevant` expression: relevance
  cannot be evaluated yet, so nothing that could be non-relevant is ever flagged. Dynamic required
  expressions are skipped. White space only counts as empty.
* **Types** are checked only for questions with a body control and no `calculate`. Calculates,
  hidden fields, preloads and meta (control None) hold whatever an expression produced in the
  client (ODK writes e.g. "NaN" or "" for a failed int calculate), so flagging them would only
  produce noise. Empty values are always fine for the type check.
* **Choices**: select1 / select / rank answers must be names of the static choice list (the full
  list, even when a choice_filter narrows it at fill time). Not checked when choices come from an
  external file (CSV/XML/GeoJSON, external select), or for `search()` appearances. `other` is
  accepted when the form has an or_other companion (`<name>_other`).
* **Acknowledge** (trigger): "OK" (any case), "true" or "1".
* **Range** questions must be numbers between start and end (code "type").
* **Uploads** (control upload or bind type binary, body or not, e.g. background-audio) must name a
  file among `attachment_names`, else code "attachment_missing".
* **Unknown elements** are entries of code "unknown_field" with level **"warning"**: the data is
  kept (see extract_answers), ODK clients legitimately add meta elements, and a warning never makes
  a submission "needs correction". The OpenRosa meta elements (instanceID, deprecatedID,
  instanceName, timeStart, timeEnd, userID, deviceID, audit, entity, ...) are never reported.
* **Form mismatch** (root element name or form id differs): one "form_mismatch" error and no other
  checks, since checking against the wrong form means nothing. A differing `version` is also a
  "form_mismatch" error but the other checks still run.
* **Sizes**: a text answer longer than 10,000 characters and a repeat with more than 1,000
  instances are "size" errors (only the first `max_repeat_count` instances are checked further).
  Override with ``limits={"max_text_length": ..., "max_repeat_count": ...}``.
* A question answered more than once at the same level (duplicate element) is code "duplicate",
  level "error"; the first element is the one checked.
"""
from __future__ import annotations

import io
import math
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as _defused_iterparse

from .definition import FormDefinition, Node, text_in

DEFAULT_LIMITS = {"max_text_length": 10_000, "max_repeat_count": 1_000}

# OpenRosa / ODK meta elements a client may add whether or not the form declares them.
META_ELEMENTS = {
    "instanceID", "deprecatedID", "instanceName", "timeStart", "timeEnd", "userID", "deviceID",
    "audit", "entity", "email", "phoneNumber", "simSerial", "subscriberID", "username", "rootUuid",
}


class SubmissionUnreadable(Exception):
    """The submission cannot be read as an instance at all (not XML, forbidden XML, no id/instanceID)."""

    def __init__(self, message_th: str, message_en: str, code: str = "unreadable"):
        super().__init__(message_en)
        self.message_th = message_th
        self.message_en = message_en
        self.code = code  # "unreadable" | "no_instance_id"


@dataclass
class ParsedSubmission:
    root_name: str
    form_id: str
    version: str  # "" when the root has no version attribute
    instance_id: str
    deprecated_id: str | None
    instance_name: str | None
    root: Element  # the parsed instance (xml.etree Element, namespaces in {uri}local form)
    xml: bytes = field(default=b"", repr=False)  # the bytes it was read from (already judged safe)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _elements(el: Element) -> list[Element]:
    return [c for c in el if isinstance(c.tag, str)]


# Bounds of an instance we read at all. Forms nest groups a handful of levels deep and hold hundreds
# (at most tens of thousands with repeats) of elements; anything past these is refused before any tree
# walk, so no reader (ours, lxml's 256-level limit, Python's recursion limit, the JSON encoder) ever
# meets input-driven depth.
MAX_DEPTH = 100
MAX_ELEMENTS = 250_000

# The namespaces an instance root may be in: none (ODK Collect) or the XForms namespace (the primary
# instance's namespace inside the XForm, which some clients keep). A root in any other namespace is
# another vocabulary's document that merely shares the element name: refused as unreadable.
INSTANCE_NAMESPACES = frozenset({"", "http://www.w3.org/2002/xforms"})


def _namespace(tag: Any) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _read_bounded(xml: bytes) -> Element:
    """The instance's element tree, read once by the C parser (defused: no DTD, entities or external
    references) while counting depth and elements, so too deep or too large input stops early."""
    depth = count = 0
    root = None
    for event, el in _defused_iterparse(io.BytesIO(xml), events=("start", "end"), forbid_dtd=True,
                                        forbid_entities=True, forbid_external=True):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        count += 1
        if root is None:
            root = el
        if depth > MAX_DEPTH:
            raise SubmissionUnreadable(
                f"ไฟล์ข้อมูลซ้อนกันลึกเกิน {MAX_DEPTH} ชั้น ซึ่งไม่ใช่ข้อมูลของแบบฟอร์มใด จึงไม่รับ",
                f"The submitted XML nests elements more than {MAX_DEPTH} levels deep, which no form does; "
                "it was not accepted", code="too_deep")
        if count > MAX_ELEMENTS:
            raise SubmissionUnreadable(
                f"ไฟล์ข้อมูลมีมากกว่า {MAX_ELEMENTS:,} ส่วน ใหญ่เกินกว่าจะรับได้",
                f"The submitted XML has more than {MAX_ELEMENTS:,} elements, more than can be accepted",
                code="too_large")
    if root is None:
        raise ParseError("no element found")
    return root


def parse_submission(xml: bytes | str) -> ParsedSubmission:
    """Parse a submitted instance safely. Raises SubmissionUnreadable (and nothing else) for any
    input it cannot read: not XML, forbidden XML, an unknown encoding, too deep or too large, no
    form id or instanceID."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    if not xml or not xml.strip():
        raise SubmissionUnreadable("ไฟล์ข้อมูลที่ส่งมาว่างเปล่า", "The submitted data file is empty")
    try:
        root = _read_bounded(xml)
    except DefusedXmlException as exc:
        raise SubmissionUnreadable(
            "ไฟล์ข้อมูลมีส่วนที่ไม่อนุญาต (DTD หรือ entity) จึงไม่อ่าน",
            f"The submitted XML contains a forbidden DTD or entity and was not read ({type(exc).__name__})",
        ) from exc
    except ParseError as exc:
        raise SubmissionUnreadable(
            f"ไฟล์ข้อมูลไม่ใช่ XML ที่ถูกต้อง ({exc})",
            f"The submitted data is not well-formed XML ({exc})",
        ) from exc
    except LookupError as exc:  # encoding="..." that Python does not know
        raise SubmissionUnreadable(
            "ไฟล์ข้อมูลระบุการเข้ารหัสอักขระ (encoding) ที่ไม่รู้จัก กรุณาส่งเป็น UTF-8",
            f"The submitted XML declares an encoding that is not known ({exc}); send it as UTF-8",
        ) from exc
    except (ValueError, RecursionError, MemoryError) as exc:  # e.g. bad bytes for the declared encoding
        raise SubmissionUnreadable(
            "อ่านไฟล์ข้อมูลไม่ได้", f"The submitted data could not be read ({type(exc).__name__}: {exc})"
        ) from exc
    namespace = _namespace(root.tag)
    if namespace not in INSTANCE_NAMESPACES:
        raise SubmissionUnreadable(
            f"ข้อมูลที่ส่งมาอยู่ใน namespace “{_show(namespace)}” ซึ่งไม่ใช่ข้อมูลแบบสอบถาม",
            f"The submitted root element is in the namespace “{_show(namespace)}”, not a form instance's")
    attrs = {_local(k): v for k, v in root.attrib.items()}
    form_id = (attrs.get("id") or "").strip()
    if not form_id:
        raise SubmissionUnreadable(
            "ไม่พบรหัสแบบฟอร์ม (แอตทริบิวต์ id ที่ราก) ในข้อมูลที่ส่งมา",
            "The submission does not say which form it belongs to (no id attribute on its root element)",
        )
    meta = next((c for c in _elements(root) if _local(c.tag) == "meta"), None)

    def meta_value(name: str) -> str | None:
        if meta is None:
            return None
        el = next((c for c in _elements(meta) if _local(c.tag) == name), None)
        if el is None or el.text is None or not el.text.strip():
            return None
        return el.text.strip()

    instance_id = meta_value("instanceID")
    if not instance_id:
        raise SubmissionUnreadable(
            "ไม่พบรหัสชุดข้อมูล (meta/instanceID) ในข้อมูลที่ส่งมา",
            "The submission has no meta/instanceID",
            code="no_instance_id",
        )
    return ParsedSubmission(
        root_name=_local(root.tag),
        form_id=form_id,
        version=(attrs.get("version") or "").strip(),
        instance_id=instance_id,
        deprecated_id=meta_value("deprecatedID"),
        instance_name=meta_value("instanceName"),
        root=root,
        xml=xml,
    )


_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_DECLARED_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])""")
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def instance_text(xml: bytes) -> str:
    """The instance as text, decoded by its own byte-order mark or declaration (UTF-8 when neither),
    with the declaration then saying UTF-8: the text stored and read again everywhere (the database
    column, the XPath evaluator, the browser) is the document the device sent, whatever encoding it
    travelled in. UTF-8 input, what every ODK client sends, comes back unchanged. Call it on bytes
    parse_submission has read."""
    codec = next((name for bom, name in _BOMS if xml.startswith(bom)), None)
    if codec is None:
        declared = _DECLARATION.match(xml)
        codec = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        text = xml.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return xml.decode("utf-8", errors="replace")
    if codec.lower().replace("_", "-") in ("utf-8", "utf8"):
        return text
    return _DECLARED_ENCODING.sub(lambda m: m.group(1) + "UTF-8" + m.group(3), text.lstrip("\ufeff"), count=1)


# --------------------------------------------------------------------------------- answers
def _node_index(definition: FormDefinition) -> dict[str, Node]:
    return {n.path: n for n in definition.nodes()}


def extract_answers(parsed: ParsedSubmission, definition: FormDefinition) -> dict[str, Any]:
    """Answers by absolute path; groups flattened, repeats as lists of dicts. See module docstring."""
    return answers_of(parsed.root, definition)


def answers_of(root: Any, definition: FormDefinition, nodes: dict[str, Node] | None = None) -> dict[str, Any]:
    """`extract_answers` of an instance root element (xml.etree or lxml); `nodes` is the
    definition's {path: node} when the caller has it."""
    nodes = nodes if nodes is not None else _node_index(definition)
    out: dict[str, Any] = {}
    root_path = "/" + _local(root.tag)
    for k, v in root.attrib.items():
        if _local(k) not in ("id", "version"):
            out[f"{root_path}/@{_local(k)}"] = v
    _collect(root, root_path, nodes, out)
    return out


def _collect(top: Element, top_path: str, nodes: dict[str, Node], top_out: dict[str, Any]) -> None:
    """Fill `top_out` with the answers under `top`. A loop over a work queue, not recursion: the
    walk's depth is the input's, and input never decides how deep Python's stack goes."""
    work: deque[tuple[Element, str, dict[str, Any]]] = deque([(top, top_path, top_out)])
    while work:
        el, path, out = work.popleft()
        groups: dict[str, list[Element]] = {}
        for child in _elements(el):
            groups.setdefault(_local(child.tag), []).append(child)
        for name, elems in groups.items():
            cpath = f"{path}/{name}"
            node = nodes.get(cpath)
            if node is not None and node.kind == "repeat":
                out[cpath] = [_instance_dict(e, cpath, work) for e in elems]
            elif any(_elements(e) for e in elems) or (node is not None and node.kind == "group"):
                if len(elems) == 1:
                    _attrs(elems[0], cpath, out)
                    _mixed_text(elems[0], cpath, out)
                    work.append((elems[0], cpath, out))
                else:
                    out[cpath] = [_instance_dict(e, cpath, work) for e in elems]
            else:
                for e in elems:
                    _attrs(e, cpath, out)
                values = [e.text or "" for e in elems]
                out[cpath] = values[0] if len(values) == 1 else values


def _instance_dict(el: Element, path: str, work: deque) -> dict[str, Any]:
    """A repeat instance's (or a repeated group's) dict; its children are filled in by the queue."""
    d: dict[str, Any] = {}
    _attrs(el, path, d)
    _mixed_text(el, path, d)
    work.append((el, path, d))
    return d


def _attrs(el: Element, path: str, out: dict[str, Any]) -> None:
    for k, v in el.attrib.items():
        out[f"{path}/@{_local(k)}"] = v


def _mixed_text(el: Element, path: str, out: dict[str, Any]) -> None:
    """Text directly inside an element that also has child elements (not white space) is kept."""
    if _elements(el) and el.text and el.text.strip():
        out.setdefault(path, el.text)


# ---------------------------------------------------------------------------------- checks
_INT_RE = re.compile(r"^[+-]?\d+$")
_DEC_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TZ = r"(Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?" + _TZ
_TIME_RE = re.compile(r"^" + _TIME + r"$")
_DATETIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T" + _TIME + r"$")
_MARKER_RE = re.compile(r"\{\{[^}]*\}\}")


def _valid_date(y: str, m: str, d: str) -> bool:
    try:
        date(int(y), int(m), int(d))
    except ValueError:
        return False
    return True


def _is_date(v: str) -> bool:
    m = _DATE_RE.match(v)
    return bool(m) and _valid_date(*m.groups())


def _is_datetime(v: str) -> bool:
    m = _DATETIME_RE.match(v)
    return bool(m) and _valid_date(m.group(1), m.group(2), m.group(3))


def _number(s: str) -> float | None:
    if not _DEC_RE.match(s):
        return None
    x = float(s)
    return x if math.isfinite(x) else None


def _is_point(v: str) -> bool:
    parts = v.split()
    if not 2 <= len(parts) <= 4:
        return False
    nums = [_number(p) for p in parts]
    if any(n is None for n in nums):
        return False
    return -90 <= nums[0] <= 90 and -180 <= nums[1] <= 180


def _is_points(v: str) -> bool:
    points = [p.strip() for p in v.split(";") if p.strip()]
    return bool(points) and all(_is_point(p) for p in points)


# datatype -> (test, what it must be in Thai, in English)
TYPE_RULES: dict[str, tuple[Any, str, str]] = {
    "int": (lambda v: bool(_INT_RE.match(v)), "จำนวนเต็ม", "a whole number"),
    "integer": (lambda v: bool(_INT_RE.match(v)), "จำนวนเต็ม", "a whole number"),
    "decimal": (lambda v: _number(v) is not None, "ตัวเลข", "a number"),
    "date": (_is_date, "วันที่ในรูปแบบ ปปปป-ดด-วว (ปี ค.ศ.)", "a date written YYYY-MM-DD"),
    "time": (lambda v: bool(_TIME_RE.match(v)), "เวลาในรูปแบบ ชช:นน", "a time written HH:MM"),
    "dateTime": (
        _is_datetime,
        "วันและเวลาในรูปแบบ ปปปป-ดด-ววTชช:นน",
        "a date and time written YYYY-MM-DDTHH:MM (ISO 8601)",
    ),
    "geopoint": (
        _is_point,
        "พิกัด “ละติจูด ลองจิจูด” (ละติจูด -90 ถึง 90, ลองจิจูด -180 ถึง 180)",
        "a location “latitude longitude” (latitude -90 to 90, longitude -180 to 180)",
    ),
    "geotrace": (_is_points, "เส้นทางที่เป็นชุดพิกัดคั่นด้วย ;", "a line of locations separated by ;"),
    "geoshape": (_is_points, "รูปแปลงที่เป็นชุดพิกัดคั่นด้วย ;", "a shape of locations separated by ;"),
}
SINGLE_SELECT = {"select1"}
MULTI_SELECT = {"select", "rank"}
ACK_VALUES = {"ok", "true", "1"}


def _show(value: str, limit: int = 60) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


class _Checker:
    """Walks the instance beside the form. `logic` (app.xlsform.revalidate) when given answers
    relevance, required and constraints from the form's expressions; without it only a
    `required="true()"` outside any `relevant` is enforced."""

    def __init__(self, definition: FormDefinition, attachment_names: set[str], limits: dict[str, int],
                 logic: Any = None):
        self.definition = definition
        self.attachments = set(attachment_names)
        self.limits = limits
        self.errors: list[dict[str, Any]] = []
        paths = getattr(logic, "paths", None)  # the logic knows them already (one walk per form)
        self.paths = paths if paths is not None else {n.path for n in definition.nodes()}
        self.logic = logic

    # messages ---------------------------------------------------------------------------
    def label(self, node: Node) -> str:
        kept = getattr(self.logic, "labels", None)  # revalidation keeps them per form (they never change)
        if kept is not None and node.path in kept:
            return kept[node.path]
        text = text_in(node.label, self.definition.default_language)
        text = _MARKER_RE.sub("…", text).strip() or node.name
        if kept is not None:
            kept[node.path] = text
        return text

    @staticmethod
    def where(positions: list[int]) -> tuple[str, str]:
        if not positions:
            return "", ""
        pos = " › ".join(str(p) for p in positions)
        return f" (รายการที่ {pos})", f" (entry {pos})"

    def add(self, path: str, node_path: str, code: str, th: str, en: str, value: str = "",
            level: str = "error") -> None:
        self.errors.append({
            "path": path, "node_path": node_path, "code": code, "level": level,
            "message_th": th, "message_en": en, "value": value,
        })

    # walk -------------------------------------------------------------------------------
    def check_container(self, el: Element | None, node: Node, path: str, positions: list[int],
                        relevant_free: bool) -> None:
        children = _elements(el) if el is not None else []
        by_name: dict[str, list[Element]] = {}
        for c in children:
            by_name.setdefault(_local(c.tag), []).append(c)
        known = set()
        for child in node.children:
            known.add(child.name)
            elems = by_name.get(child.name, [])
            cpath = f"{path}/{child.name}"
            free = relevant_free and not (child.relevant or "").strip()
            if child.kind == "repeat":
                self.check_repeat(elems, child, cpath, positions, free)
                continue
            if len(elems) > 1:
                lab = self.label(child)
                th_at, en_at = self.where(positions)
                self.add(cpath, child.path, "duplicate",
                         f"คำถาม “{lab}” มีคำตอบมากกว่าหนึ่งครั้ง{th_at}",
                         f"Question “{lab}” is answered more than once{en_at}",
                         value=str(len(elems)))
            first = elems[0] if elems else None
            if child.kind == "group":
                self.check_container(first, child, cpath, positions, free)
            else:
                self.check_field(first, child, cpath, positions, free)
        for name, elems in by_name.items():
            if name in known:
                continue
            if node.name == "meta" and name in META_ELEMENTS:
                continue
            cpath = f"{path}/{name}"
            self.add(cpath, f"{node.path}/{name}", "unknown_field",
                     f"ข้อมูล “{name}” ({cpath}) ไม่มีในแบบฟอร์มนี้ แต่เก็บไว้แล้ว",
                     f"“{name}” ({cpath}) is not part of this form; it was kept",
                     value=_show(elems[0].text or ""), level="warning")

    def check_repeat(self, elems: list[Element], node: Node, path: str, positions: list[int],
                     relevant_free: bool) -> None:
        limit = self.limits["max_repeat_count"]
        if len(elems) > limit:
            lab = self.label(node)
            th_at, en_at = self.where(positions)
            self.add(path, node.path, "size",
                     f"“{lab}” มี {len(elems):,} รายการ เกินกว่าที่รับได้ {limit:,} รายการ{th_at}",
                     f"“{lab}” has {len(elems):,} entries, more than the {limit:,} allowed{en_at}",
                     value=str(len(elems)))
        for i, e in enumerate(elems[:limit], start=1):
            self.check_container(e, node, f"{path}[{i}]", positions + [i], relevant_free)

    def check_field(self, el: Element | None, node: Node, path: str, positions: list[int],
                    relevant_free: bool) -> None:
        logic = self.logic
        if logic is not None and el is not None and not logic.active(el):
            return  # not relevant: its value is blanked, nothing about it can be wrong
        raw = (el.text or "") if el is not None else ""
        lab = self.label(node)
        th_at, en_at = self.where(positions)
        if el is not None:
            for sub in _elements(el):
                name = _local(sub.tag)
                self.add(f"{path}/{name}", f"{node.path}/{name}", "unknown_field",
                         f"ข้อมูล “{name}” ภายใต้คำถาม “{lab}” ไม่มีในแบบฟอร์มนี้ แต่เก็บไว้แล้ว",
                         f"“{name}” inside question “{lab}” is not part of this form; it was kept",
                         value=_show(sub.text or ""), level="warning")
        max_len = self.limits["max_text_length"]
        if len(raw) > max_len:
            self.add(path, node.path, "size",
                     f"คำตอบของคำถาม “{lab}” ยาวเกินไป ({len(raw):,} ตัวอักษร รับได้ไม่เกิน {max_len:,}){th_at}",
                     f"The answer to question “{lab}” is too long ({len(raw):,} characters, "
                     f"at most {max_len:,}){en_at}",
                     value=_show(raw, 100))
            return
        value = raw.strip()
        if not value:
            if logic is not None:
                if el is not None:
                    logic.check_required(self, el, node, path, positions)
                return
            if (
                relevant_free
                and node.control is not None
                and (node.required or "").replace(" ", "") == "true()"
            ):
                self.add(path, node.path, "required",
                         f"ยังไม่ได้ตอบคำถาม “{lab}” ซึ่งต้องตอบ{th_at}",
                         f"Question “{lab}” is required but has no answer{en_at}")
            return
        before = len(self.errors)
        self.check_value(value, node, path, lab, th_at, en_at)
        if logic is not None and el is not None and not any(e["level"] == "error" for e in self.errors[before:]):
            logic.check_constraint(self, el, node, path, positions)

    def check_value(self, value: str, node: Node, path: str, lab: str, th_at: str, en_at: str) -> None:
        """Type, choice, attachment and range checks of a non-empty answer."""
        if node.datatype == "binary" or node.control == "upload":
            if value not in self.attachments:
                self.add(path, node.path, "attachment_missing",
                         f"ไม่ได้รับไฟล์ “{_show(value)}” ของคำถาม “{lab}” มากับข้อมูลที่ส่ง{th_at}",
                         f"The file “{_show(value)}” for question “{lab}” was not received with "
                         f"the submission{en_at}",
                         value=value)
            return
        if node.control is None or node.calculate is not None:
            return
        control = node.control
        if control in SINGLE_SELECT or control in MULTI_SELECT or node.datatype in ("select1", "select", "odk:rank"):
            self.check_choice(value, node, path, lab, th_at, en_at)
            return
        if control == "trigger":
            if value.lower() not in ACK_VALUES:
                self.add(path, node.path, "type",
                         f"คำถาม “{lab}” ต้องเป็นการกดรับทราบ (OK) ได้รับ “{_show(value)}”{th_at}",
                         f"Question “{lab}” must be an acknowledgement (OK); got “{_show(value)}”{en_at}",
                         value=value)
            return
        rule = TYPE_RULES.get(node.datatype)
        if rule is not None and not rule[0](value):
            self.add(path, node.path, "type",
                     f"คำถาม “{lab}” ต้องเป็น{rule[1]} ได้รับ “{_show(value)}”{th_at}",
                     f"Question “{lab}” must be {rule[2]}; got “{_show(value)}”{en_at}",
                     value=value)
            return
        if control == "range" and node.range:
            self.check_range(value, node, path, lab, th_at, en_at)

    def check_range(self, value: str, node: Node, path: str, lab: str, th_at: str, en_at: str) -> None:
        x = _number(value)
        start = _number((node.range or {}).get("start", "") or "")
        end = _number((node.range or {}).get("end", "") or "")
        if x is None:
            self.add(path, node.path, "type",
                     f"คำถาม “{lab}” ต้องเป็นตัวเลข ได้รับ “{_show(value)}”{th_at}",
                     f"Question “{lab}” must be a number; got “{_show(value)}”{en_at}", value=value)
            return
        if start is None or end is None:
            return
        lo, hi = min(start, end), max(start, end)
        if not lo <= x <= hi:
            s, e = node.range.get("start"), node.range.get("end")
            self.add(path, node.path, "type",
                     f"คำถาม “{lab}” ต้องอยู่ระหว่าง {s} ถึง {e} ได้รับ “{_show(value)}”{th_at}",
                     f"Question “{lab}” must be between {s} and {e}; got “{_show(value)}”{en_at}",
                     value=value)

    def check_choice(self, value: str, node: Node, path: str, lab: str, th_at: str, en_at: str) -> None:
        if node.choices is None:
            return
        if node.itemset is not None and node.itemset.external_file:
            return
        if "search(" in (node.appearance or ""):
            return
        allowed = {c.name for c in node.choices}
        if f"{node.path}_other" in self.paths:
            allowed.add("other")
        multi = node.control in MULTI_SELECT or node.datatype in ("select", "odk:rank")
        tokens = value.split() if multi else [value]
        bad = [t for t in tokens if t not in allowed]
        if not bad:
            return
        shown = " ".join(bad)
        self.add(path, node.path, "choice",
                 f"“{_show(shown)}” ไม่ใช่ตัวเลือกของคำถาม “{lab}”{th_at}",
                 f"“{_show(shown)}” is not one of the choices of question “{lab}”{en_at}",
                 value=value)


def check_submission(
    parsed: ParsedSubmission,
    definition: FormDefinition,
    attachment_names: set[str],
    limits: dict[str, int] | None = None,
    *,
    root: Any = None,
    logic: Any = None,
) -> list[dict[str, Any]]:
    """Check a parsed submission against the form; returns entries as described in the module docstring.

    `root` (an lxml copy of the instance) and `logic` are given by `app.xlsform.revalidate`, which
    evaluates the form's expressions: the walk then uses that tree and asks `logic` about
    relevance, required and constraints. Prefer `revalidate()`, which does all of it."""
    checker = _Checker(definition, attachment_names, {**DEFAULT_LIMITS, **(limits or {})}, logic)
    root_path = "/" + parsed.root_name
    title = definition.title or definition.form_id
    if parsed.root_name != definition.root.name or parsed.form_id != definition.form_id:
        checker.add(root_path, definition.root.path, "form_mismatch",
                    f"ข้อมูลนี้เป็นของแบบฟอร์ม “{parsed.form_id}” ไม่ใช่แบบฟอร์ม “{title}” ({definition.form_id})",
                    f"This submission belongs to form “{parsed.form_id}”, not to “{title}” "
                    f"({definition.form_id})",
                    value=parsed.form_id)
        return checker.errors
    if (parsed.version or "") != (definition.version or ""):
        checker.add(root_path, definition.root.path, "form_mismatch",
                    f"ข้อมูลนี้กรอกในแบบฟอร์มรุ่น “{parsed.version}” ไม่ใช่รุ่น “{definition.version}”",
                    f"This submission was filled in on version “{parsed.version}” of the form, "
                    f"not version “{definition.version}”",
                    value=parsed.version)
    checker.check_container(parsed.root if root is None else root, definition.root, root_path, [],
                            relevant_free=True)
    return checker.errors
