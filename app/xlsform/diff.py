"""What changed between two versions of a form, said in Thai and English. Pure: no Flask, no database.

`diff_forms(old, new, old_scoring, new_scoring)` compares two FormDefinitions (app.xlsform.definition)
and their scoring specs (app.xlsform.scoring_spec) and lists every change a reviewer must know about
before officers get the new version:

- settings: form_id, version, title, default language, languages added/removed, instance name;
- questions (and groups, repeats): added, removed, moved to another group, reordered, relabelled or
  hint changed per language, type/appearance changed, required/relevant/constraint (and its message
  per language)/calculate/read-only/default/choice filter/repeat count changed, another choice list;
- choices, per list: added, removed, relabelled per language, reordered, other columns (filters);
- scoring: scoring added/removed; per score group: added, removed, label/advice per language,
  pass mark, reordered; per indicator: counted or no longer counted, group, maximum, option scores;
  levels: added, removed, threshold (min_percent), label per language, colour, reordered.

Questions are matched by name (XLSForm names are unique in a form; where a name is used twice, by
path), so a question moved into another group is "moved", not removed and added. Expressions are
compared as written in the workbook: the XForm's absolute paths are turned back into `${name}`, so
moving a question does not show every expression that refers to it as changed.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Iterable

from app.xlsform.definition import FormDefinition, Node

SECTIONS = ("settings", "questions", "choices", "scoring", "score_groups", "levels")
SECTION_TITLES = {
    "settings": ("การตั้งค่า (settings)", "Settings"),
    "questions": ("คำถาม", "Questions"),
    "choices": ("ตัวเลือก", "Choices"),
    "scoring": ("คะแนนของตัวชี้วัด", "Indicator scores"),
    "score_groups": ("กลุ่มคะแนน (หลัก)", "Score groups"),
    "levels": ("ระดับผลการประเมิน", "Levels"),
}
_META = {"meta"}
_WHAT = {"field": ("คำถาม", "Question"), "group": ("กลุ่มคำถาม", "Group"), "repeat": ("ชุดคำถามซ้ำ", "Repeat")}


@dataclass(frozen=True)
class Change:
    """One difference. `item` names what changed (question name, `list/choice`, group or level name,
    setting); `language` is set for text changes; `before`/`after` are the values as text."""

    section: str
    kind: str
    item: str
    before: str | None = None
    after: str | None = None
    language: str | None = None
    what: str = ""  # questions: field | group | repeat

    @property
    def message_th(self) -> str:
        return _message(self)[0]

    @property
    def message_en(self) -> str:
        return _message(self)[1]

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "kind": self.kind, "item": self.item, "before": self.before,
                "after": self.after, "language": self.language, "what": self.what,
                "message_th": self.message_th, "message_en": self.message_en}


# ------------------------------------------------------------------ messages


def _message(c: Change) -> tuple[str, str]:
    lang_th = f" ({c.language})" if c.language else ""
    what_th, what_en = _WHAT.get(c.what, ("คำถาม", "Question"))
    i = c.item
    q = {
        "added": (f"เพิ่ม{what_th} {i}", f"{what_en} {i} added"),
        "removed": (f"ลบ{what_th} {i}", f"{what_en} {i} removed"),
        "moved": (f"ย้าย{what_th} {i} จาก {c.before} ไปไว้ใน {c.after}", f"{what_en} {i} moved from {c.before} to {c.after}"),
        "reordered": (f"เปลี่ยนลำดับ{what_th} {i}: ตอนนี้อยู่ถัดจาก {c.after} (เดิมถัดจาก {c.before})",
                      f"{what_en} {i} reordered: now after {c.after} (was after {c.before})"),
        "label": (f"แก้ข้อความของ{what_th} {i}{lang_th}", f"{what_en} {i} relabelled{lang_th}"),
        "hint": (f"แก้คำแนะนำ (hint) ของ{what_th} {i}{lang_th}", f"{what_en} {i}: hint changed{lang_th}"),
        "type": (f"เปลี่ยนชนิดของ{what_th} {i}", f"{what_en} {i}: type changed"),
        "appearance": (f"เปลี่ยน appearance ของ{what_th} {i}", f"{what_en} {i}: appearance changed"),
        "required": (f"เปลี่ยนการบังคับตอบ (required) ของ{what_th} {i}", f"{what_en} {i}: required changed"),
        "relevant": (f"เปลี่ยนเงื่อนไขการแสดง (relevant) ของ{what_th} {i}", f"{what_en} {i}: relevant changed"),
        "constraint": (f"เปลี่ยนเงื่อนไขคำตอบ (constraint) ของ{what_th} {i}", f"{what_en} {i}: constraint changed"),
        "constraint_message": (f"แก้ข้อความเตือนของ constraint ของ{what_th} {i}{lang_th}",
                               f"{what_en} {i}: constraint message changed{lang_th}"),
        "required_message": (f"แก้ข้อความเตือนของ required ของ{what_th} {i}{lang_th}",
                             f"{what_en} {i}: required message changed{lang_th}"),
        "calculate": (f"เปลี่ยนสูตรคำนวณ (calculate) ของ{what_th} {i}", f"{what_en} {i}: calculation changed"),
        "read_only": (f"เปลี่ยน read_only ของ{what_th} {i}", f"{what_en} {i}: read_only changed"),
        "default": (f"เปลี่ยนค่าเริ่มต้น (default) ของ{what_th} {i}", f"{what_en} {i}: default changed"),
        "choice_filter": (f"เปลี่ยนตัวกรองตัวเลือก (choice_filter) ของ{what_th} {i}",
                          f"{what_en} {i}: choice_filter changed"),
        "repeat_count": (f"เปลี่ยนจำนวนรอบ (repeat_count) ของ{what_th} {i}", f"{what_en} {i}: repeat_count changed"),
        "list": (f"{what_th} {i} ใช้รายการตัวเลือกอื่น", f"{what_en} {i} uses another choice list"),
    }
    messages: dict[tuple[str, str], tuple[str, str]] = {("questions", k): v for k, v in q.items()}
    messages.update({
        ("settings", "form_id"): ("เปลี่ยนรหัสแบบฟอร์ม (form_id)", "form_id changed"),
        ("settings", "version"): ("เปลี่ยนรุ่น (version)", "version changed"),
        ("settings", "title"): ("เปลี่ยนชื่อแบบฟอร์ม (form_title)", "title changed"),
        ("settings", "default_language"): ("เปลี่ยนภาษาหลัก (default_language)", "default language changed"),
        ("settings", "language_added"): (f"เพิ่มภาษา {i}", f"language {i} added"),
        ("settings", "language_removed"): (f"ลบภาษา {i}", f"language {i} removed"),
        ("settings", "instance_name"): ("เปลี่ยนชื่อรายการ (instance_name)", "instance_name changed"),
        ("settings", "scoring_added"): ("แบบฟอร์มนี้เริ่มมีการให้คะแนน", "the form is now scored"),
        ("settings", "scoring_removed"): ("แบบฟอร์มนี้ไม่มีการให้คะแนนแล้ว", "the form is no longer scored"),
        ("choices", "list_added"): (f"เพิ่มรายการตัวเลือก {i}", f"choice list {i} added"),
        ("choices", "list_removed"): (f"ลบรายการตัวเลือก {i}", f"choice list {i} removed"),
        ("choices", "added"): (f"เพิ่มตัวเลือก {i}", f"choice {i} added"),
        ("choices", "removed"): (f"ลบตัวเลือก {i}", f"choice {i} removed"),
        ("choices", "label"): (f"แก้ข้อความตัวเลือก {i}{lang_th}", f"choice {i} relabelled{lang_th}"),
        ("choices", "reordered"): (f"เปลี่ยนลำดับตัวเลือก {i}: ตอนนี้อยู่ถัดจาก {c.after} (เดิมถัดจาก {c.before})",
                                   f"choice {i} reordered: now after {c.after} (was after {c.before})"),
        ("choices", "column"): (f"เปลี่ยนค่าในคอลัมน์ {c.language} ของตัวเลือก {i}",
                                f"choice {i}: column {c.language} changed"),
        ("scoring", "indicator_added"): (f"{i} นับคะแนนแล้ว (กลุ่ม {c.after})", f"{i} now counts toward the score ({c.after})"),
        ("scoring", "indicator_removed"): (f"{i} ไม่นับคะแนนแล้ว (เดิมกลุ่ม {c.before})",
                                           f"{i} no longer counts toward the score (was {c.before})"),
        ("scoring", "indicator_group"): (f"{i} นับคะแนนในกลุ่มอื่น", f"{i} counts toward another score group"),
        ("scoring", "indicator_max"): (f"เปลี่ยนคะแนนเต็มของ {i}", f"{i}: maximum changed"),
        ("scoring", "indicator_kind"): (f"เปลี่ยนวิธีให้คะแนนของ {i}", f"{i}: way of scoring changed"),
        ("scoring", "option_score"): (f"เปลี่ยนคะแนนของตัวเลือก {i}", f"score of option {i} changed"),
        ("scoring", "option_added"): (f"ตัวเลือก {i} ได้คะแนน", f"option {i} now scores"),
        ("scoring", "option_removed"): (f"ตัวเลือก {i} ไม่ได้คะแนนแล้ว (ไม่นับเป็นการประเมิน)",
                                        f"option {i} no longer scores (not assessed)"),
        ("score_groups", "added"): (f"เพิ่มกลุ่มคะแนน {i}", f"score group {i} added"),
        ("score_groups", "removed"): (f"ลบกลุ่มคะแนน {i}", f"score group {i} removed"),
        ("score_groups", "label"): (f"แก้ชื่อกลุ่มคะแนน {i}{lang_th}", f"score group {i} relabelled{lang_th}"),
        ("score_groups", "advice"): (f"แก้คำแนะนำของกลุ่มคะแนน {i}{lang_th}", f"score group {i}: advice changed{lang_th}"),
        ("score_groups", "pass_mark"): (f"เปลี่ยนเกณฑ์ผ่าน (pass_mark) ของกลุ่มคะแนน {i}", f"score group {i}: pass mark changed"),
        ("score_groups", "reordered"): (f"เปลี่ยนลำดับกลุ่มคะแนน {i}", f"score group {i} reordered"),
        ("levels", "added"): (f"เพิ่มระดับ {i}", f"level {i} added"),
        ("levels", "removed"): (f"ลบระดับ {i}", f"level {i} removed"),
        ("levels", "min_percent"): (f"เปลี่ยนเกณฑ์ขั้นต่ำ (min_percent) ของระดับ {i}", f"level {i}: threshold changed"),
        ("levels", "label"): (f"แก้ชื่อระดับ {i}{lang_th}", f"level {i} relabelled{lang_th}"),
        ("levels", "colour"): (f"เปลี่ยนสีของระดับ {i}", f"level {i}: colour changed"),
        ("levels", "reordered"): (f"เปลี่ยนลำดับระดับ {i}", f"level {i} reordered"),
    })
    return messages.get((c.section, c.kind), (f"{c.kind}: {i}", f"{c.kind}: {i}"))


# ------------------------------------------------------------------ helpers


def _norm(text: Any) -> str | None:
    """Whitespace collapsed; None for blank."""
    if text is None:
        return None
    out = " ".join(str(text).split())
    return out or None


def _num(value: Any) -> str | None:
    if value is None or value == "":
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    return str(int(f)) if f == int(f) else f"{f:g}"


def _texts(old: dict[str, str] | None, new: dict[str, str] | None) -> Iterable[tuple[str, str | None, str | None]]:
    """(language, before, after) for every language whose text differs."""
    old, new = old or {}, new or {}
    for lang in list(dict.fromkeys([*old, *new])):
        a, b = _norm(old.get(lang)), _norm(new.get(lang))
        if a != b:
            yield lang, a, b


def _reordered(old_seq: list[str], new_seq: list[str]) -> list[tuple[str, str, str]]:
    """(item, before: the item it followed, after: the item it follows now) for common items whose
    relative order changed (those outside the longest common subsequence)."""
    common = set(old_seq) & set(new_seq)
    a = [x for x in old_seq if x in common]
    b = [x for x in new_seq if x in common]
    if a == b:
        return []
    kept: set[str] = set()
    for block in SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        kept.update(a[block.a:block.a + block.size])

    def follows(seq: list[str], x: str) -> str:
        i = seq.index(x)
        return seq[i - 1] if i > 0 else "—"

    return [(x, follows(old_seq, x), follows(new_seq, x)) for x in b if x not in kept]


# ------------------------------------------------------------------ questions


def _nodes(definition: FormDefinition) -> list[tuple[Node, Node | None]]:
    """(node, parent) in document order, without the root and the meta block."""
    out: list[tuple[Node, Node | None]] = []

    def walk(node: Node, parent: Node | None) -> None:
        for child in node.children:
            if child.name in _META and node is definition.root:
                continue
            out.append((child, node if node is not definition.root else None))
            walk(child, node)

    walk(definition.root, None)
    return out


class _Index:
    """A definition's questions by identity (name when unique, else path)."""

    def __init__(self, definition: FormDefinition):
        self.definition = definition
        pairs = _nodes(definition)
        counts = Counter(n.name for n, _p in pairs)
        self.ident = {n.path: (n.name if counts[n.name] == 1 else n.path) for n, _p in pairs}
        self.by_ident = {self.ident[n.path]: n for n, _p in pairs}
        self.parent = {self.ident[n.path]: (self.ident[p.path] if p is not None else "") for n, p in pairs}
        self.order = [self.ident[n.path] for n, _p in pairs]
        # absolute path -> ${name}, longest first so /data/g/a_b is replaced before /data/g/a
        self.refs = sorted(((n.path, n.name) for n, _p in pairs if counts[n.name] == 1),
                           key=lambda pn: -len(pn[0]))
        self.root = definition.root.path

    def children(self, parent_ident: str) -> list[str]:
        return [i for i in self.order if self.parent[i] == parent_ident]

    def expr(self, text: str | None) -> str | None:
        """An expression as the workbook writes it: ${name} for absolute paths, spaces collapsed."""
        if not text:
            return _norm(text)
        out = text
        for path, name in self.refs:
            out = re.sub(re.escape(path) + r"(?![\w./-])", "${" + name + "}", out)
        return _norm(out)

    def where(self, ident: str) -> str:
        parent = self.parent.get(ident) or ""
        return parent if parent else "(แบบฟอร์ม / form)"


_INPUT_TYPES = {"string": "text", "int": "integer", "decimal": "decimal", "date": "date", "time": "time",
                "dateTime": "dateTime", "geopoint": "geopoint", "geotrace": "geotrace", "geoshape": "geoshape",
                "barcode": "barcode", "binary": "file"}


def xlsform_type(node: Node) -> str:
    """The node's type as an XLSForm author would name it."""
    if node.kind != "field":
        return node.kind
    control = node.control
    if control is None:
        return "calculate" if node.calculate else "hidden"
    if control == "select1":
        return "select_one"
    if control == "select":
        return "select_multiple"
    if control == "upload":
        media = (node.mediatype or "").split("/")[0]
        return media if media in ("image", "audio", "video") else "file"
    if control == "trigger":
        return "acknowledge"
    if control in ("range", "rank"):
        return control
    if control == "input" and node.datatype == "string" and node.readonly in ("true()", "true"):
        return "note"
    return _INPUT_TYPES.get(node.datatype, node.datatype)


def _required(node: Node, index: _Index) -> str | None:
    value = _norm(node.required)
    if value in (None, "false()", "false"):
        return "no"
    if value in ("true()", "true"):
        return "yes"
    return index.expr(node.required)


def _question_changes(old: _Index, new: _Index) -> list[Change]:
    out: list[Change] = []
    old_ids, new_ids = set(old.order), set(new.order)
    for ident in old.order:
        if ident not in new_ids:
            out.append(Change("questions", "removed", ident, what=old.by_ident[ident].kind))
    for ident in new.order:
        if ident not in old_ids:
            out.append(Change("questions", "added", ident, what=new.by_ident[ident].kind))
    common = [i for i in new.order if i in old_ids]
    moved = set()
    for ident in common:
        if old.parent[ident] != new.parent[ident]:
            moved.add(ident)
            out.append(Change("questions", "moved", ident, old.where(ident), new.where(ident),
                              what=new.by_ident[ident].kind))
    for parent in dict.fromkeys([""] + [new.parent[i] for i in common]):
        if parent and parent not in old_ids:
            continue
        old_kids = [i for i in old.children(parent) if i not in moved]
        new_kids = [i for i in new.children(parent) if i not in moved]
        for ident, before, after in _reordered(old_kids, new_kids):
            out.append(Change("questions", "reordered", ident, before, after, what=new.by_ident[ident].kind))
    for ident in common:
        a, b = old.by_ident[ident], new.by_ident[ident]
        what = b.kind

        def add(kind: str, before: Any, after: Any, language: str | None = None) -> None:
            if before != after:
                out.append(Change("questions", kind, ident, before, after, language, what))

        add("type", xlsform_type(a), xlsform_type(b))
        for lang, x, y in _texts(a.label, b.label):
            add("label", x, y, lang)
        for lang, x, y in _texts(a.hint, b.hint):
            add("hint", x, y, lang)
        add("appearance", _norm(a.appearance), _norm(b.appearance))
        add("required", _required(a, old), _required(b, new))
        for lang, x, y in _texts(a.required_msg, b.required_msg):
            add("required_message", x, y, lang)
        add("relevant", old.expr(a.relevant), new.expr(b.relevant))
        add("constraint", old.expr(a.constraint), new.expr(b.constraint))
        for lang, x, y in _texts(a.constraint_msg, b.constraint_msg):
            add("constraint_message", x, y, lang)
        add("calculate", old.expr(a.calculate), new.expr(b.calculate))
        add("read_only", old.expr(a.readonly) if xlsform_type(a) != "note" else None,
            new.expr(b.readonly) if xlsform_type(b) != "note" else None)
        add("default", _norm(a.default), _norm(b.default))
        add("repeat_count", old.expr(a.repeat_count), new.expr(b.repeat_count))
        if a.itemset is not None or b.itemset is not None:
            add("list", a.itemset.external_file or a.itemset.instance_id if a.itemset else None,
                b.itemset.external_file or b.itemset.instance_id if b.itemset else None)
            add("choice_filter", old.expr(a.itemset.choice_filter) if a.itemset else None,
                new.expr(b.itemset.choice_filter) if b.itemset else None)
    return out


# ------------------------------------------------------------------ choices


def _lists(definition: FormDefinition) -> dict[str, list]:
    """Static choice lists by name (the itemset's instance id), first question's copy."""
    lists: dict[str, list] = {}
    for node in definition.nodes():
        if node.itemset is not None and node.choices is not None and node.itemset.instance_id not in lists:
            lists[node.itemset.instance_id] = node.choices
    return lists


def _choice_changes(old: FormDefinition, new: FormDefinition) -> list[Change]:
    out: list[Change] = []
    a_lists, b_lists = _lists(old), _lists(new)
    for name in a_lists:
        if name not in b_lists:
            out.append(Change("choices", "list_removed", name))
    for name in b_lists:
        if name not in a_lists:
            out.append(Change("choices", "list_added", name))
    for name in (n for n in b_lists if n in a_lists):
        a = {c.name: c for c in a_lists[name]}
        b = {c.name: c for c in b_lists[name]}
        for c in a_lists[name]:
            if c.name not in b:
                out.append(Change("choices", "removed", f"{name}/{c.name}", before=_norm(next(iter(c.label.values()), None))))
        for c in b_lists[name]:
            if c.name not in a:
                out.append(Change("choices", "added", f"{name}/{c.name}", after=_norm(next(iter(c.label.values()), None))))
        for item, before, after in _reordered([c.name for c in a_lists[name]], [c.name for c in b_lists[name]]):
            out.append(Change("choices", "reordered", f"{name}/{item}", before, after))
        for cname in (n for n in b if n in a):
            for lang, x, y in _texts(a[cname].label, b[cname].label):
                out.append(Change("choices", "label", f"{name}/{cname}", x, y, lang))
            ea = {k: v for k, v in a[cname].extra.items() if k != "score"}
            eb = {k: v for k, v in b[cname].extra.items() if k != "score"}
            for column, x, y in _texts(ea, eb):
                out.append(Change("choices", "column", f"{name}/{cname}", x, y, column))
    return out


# ------------------------------------------------------------------ scoring


def _scoring_changes(old: dict | None, new: dict | None) -> list[Change]:
    out: list[Change] = []
    if not old and not new:
        return out
    if not old:
        out.append(Change("settings", "scoring_added", "scoring"))
    if not new:
        out.append(Change("settings", "scoring_removed", "scoring"))
    old, new = old or {}, new or {}
    # score groups
    ga = {g["name"]: g for g in old.get("groups") or []}
    gb = {g["name"]: g for g in new.get("groups") or []}
    for name in ga:
        if name not in gb:
            out.append(Change("score_groups", "removed", name))
    for name in gb:
        if name not in ga:
            out.append(Change("score_groups", "added", name, after=_num(gb[name].get("pass_mark"))))
    for item, before, after in _reordered(list(ga), list(gb)):
        out.append(Change("score_groups", "reordered", item, before, after))
    for name in (n for n in gb if n in ga):
        a, b = ga[name], gb[name]
        for lang, x, y in _texts(a.get("label"), b.get("label")):
            out.append(Change("score_groups", "label", name, x, y, lang))
        for lang, x, y in _texts(a.get("advice"), b.get("advice")):
            out.append(Change("score_groups", "advice", name, x, y, lang))
        if _num(a.get("pass_mark")) != _num(b.get("pass_mark")):
            out.append(Change("score_groups", "pass_mark", name, _num(a.get("pass_mark")), _num(b.get("pass_mark"))))
    # indicators
    ia = {i["name"]: i for i in old.get("indicators") or []}
    ib = {i["name"]: i for i in new.get("indicators") or []}
    for name in ia:
        if name not in ib:
            out.append(Change("scoring", "indicator_removed", name, before=ia[name]["group"]))
    for name in ib:
        if name not in ia:
            out.append(Change("scoring", "indicator_added", name, after=ib[name]["group"]))
    for name in (n for n in ib if n in ia):
        a, b = ia[name], ib[name]
        if a["group"] != b["group"]:
            out.append(Change("scoring", "indicator_group", name, a["group"], b["group"]))
        if a.get("kind") != b.get("kind"):
            out.append(Change("scoring", "indicator_kind", name, a.get("kind"), b.get("kind")))
        if _num(a.get("max")) != _num(b.get("max")):
            out.append(Change("scoring", "indicator_max", name, _num(a.get("max")), _num(b.get("max"))))
        sa, sb = a.get("scores") or {}, b.get("scores") or {}
        for option in dict.fromkeys([*sa, *sb]):
            x, y = _num(sa.get(option)), _num(sb.get(option))
            if x == y:
                continue
            kind = "option_added" if x is None else "option_removed" if y is None else "option_score"
            out.append(Change("scoring", kind, f"{name}/{option}", x, y))
    # levels
    la = {lv["name"]: lv for lv in old.get("levels") or []}
    lb = {lv["name"]: lv for lv in new.get("levels") or []}
    for name in la:
        if name not in lb:
            out.append(Change("levels", "removed", name, before=_num(la[name].get("min_percent"))))
    for name in lb:
        if name not in la:
            out.append(Change("levels", "added", name, after=_num(lb[name].get("min_percent"))))
    for item, before, after in _reordered(list(la), list(lb)):
        out.append(Change("levels", "reordered", item, before, after))
    for name in (n for n in lb if n in la):
        a, b = la[name], lb[name]
        if _num(a.get("min_percent")) != _num(b.get("min_percent")):
            out.append(Change("levels", "min_percent", name, _num(a.get("min_percent")), _num(b.get("min_percent"))))
        for lang, x, y in _texts(a.get("label"), b.get("label")):
            out.append(Change("levels", "label", name, x, y, lang))
        if _norm(a.get("colour")) != _norm(b.get("colour")):
            out.append(Change("levels", "colour", name, _norm(a.get("colour")), _norm(b.get("colour"))))
    return out


# ------------------------------------------------------------------ settings and the whole


def _instance_name(definition: FormDefinition) -> str | None:
    for node in definition.root.children:
        if node.name in _META:
            for child in node.children:
                if child.name == "instanceName":
                    return child.calculate
    return None


def _settings_changes(old: FormDefinition, new: FormDefinition, old_index: _Index, new_index: _Index) -> list[Change]:
    out: list[Change] = []
    for key in ("form_id", "version", "title", "default_language"):
        a, b = _norm(getattr(old, key)), _norm(getattr(new, key))
        if a != b:
            out.append(Change("settings", key, key, a, b))
    for lang in old.languages:
        if lang not in new.languages:
            out.append(Change("settings", "language_removed", lang))
    for lang in new.languages:
        if lang not in old.languages:
            out.append(Change("settings", "language_added", lang))
    a, b = old_index.expr(_instance_name(old)), new_index.expr(_instance_name(new))
    if a != b:
        out.append(Change("settings", "instance_name", "instance_name", a, b))
    return out


def diff_forms(old: FormDefinition, new: FormDefinition, old_scoring: dict | None = None,
               new_scoring: dict | None = None) -> list[Change]:
    """Every change from `old` to `new` (see the module docstring), settings first, then questions in
    the new form's order, choices, scoring, score groups and levels."""
    oi, ni = _Index(old), _Index(new)
    changes = (_settings_changes(old, new, oi, ni) + _question_changes(oi, ni) + _choice_changes(old, new)
               + _scoring_changes(old_scoring, new_scoring))
    return sorted(changes, key=lambda c: SECTIONS.index(c.section))  # stable: keeps each section's order


def by_section(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    """The changes grouped by section, in SECTIONS order, sections without changes left out."""
    return [(s, [c for c in changes if c.section == s]) for s in SECTIONS if any(c.section == s for c in changes)]
