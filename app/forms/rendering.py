"""Render a FormDefinition as the HTML form the browser runtime drives (and the publish preview shows).

Python decides what each node is (its widget) and how the form splits into pages; the Jinja macros in
templates/forms/questions/_macros.html write the markup. Bind expressions (relevant, constraint,
calculate, required, readonly) go out verbatim as data attributes so an XPath evaluator can take them
up in the browser later without a change here. Every text is written once per language as
<span class="tr" data-li="N">, and CSS shows the language selected on the form (data-li), so a
language switch costs no re-render.
"""
from __future__ import annotations

import base64
import csv
import io
import json
import re
from dataclasses import dataclass, field

from flask import current_app, render_template
from lxml import etree
from markupsafe import Markup, escape

from app.auth.masking import DEFAULT_PATTERN as NATIONAL_ID_PATTERN, is_national_id
from app.thai_text import keep_words_html
from app.xlsform.definition import Choice, FormDefinition, Node, Texts, text_in

# Widgets the runtime knows; anything else is drawn as the "not supported yet" placeholder.
SUPPORTED = {
    "text", "integer", "decimal", "date", "time", "datetime", "select_one", "select_multiple",
    "note", "acknowledge", "range", "geopoint", "image",
}
INPUT_WIDGETS = {"string": "text", "int": "integer", "integer": "integer", "decimal": "decimal",
                 "date": "date", "time": "time", "dateTime": "datetime", "geopoint": "geopoint"}
OUTPUT_MARKER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
XFORMS_NS = "http://www.w3.org/2002/xforms"


def widget_for(node: Node) -> str:
    """What the fill page shows for a node: a widget name, "group", "repeat", "hidden" or "unsupported"."""
    if node.kind in ("group", "repeat"):
        # A group with nothing to show (meta, a group of calculates) is instance-only.
        return node.kind if any(widget_for(c) != "hidden" for c in node.children) else "hidden"
    control, datatype = node.control, node.datatype
    if control is None:
        return "hidden"  # calculate, hidden, metadata: in the instance, not on screen
    if control == "input":
        if (node.readonly or "").replace(" ", "") == "true()" and datatype == "string":
            return "note"
        return INPUT_WIDGETS.get(datatype, "unsupported")
    # Choices from an external file (select_one_from_file, CSV lists) are built by the runtime.
    if control == "select1":
        return "select_one" if node.choices is not None or node.itemset is not None else "unsupported"
    if control == "select":
        return "select_multiple" if node.choices is not None or node.itemset is not None else "unsupported"
    if control == "trigger":
        return "acknowledge"
    if control == "range":
        return "range"
    if control == "upload" and (node.mediatype or "").startswith("image/"):
        return "image"
    return "unsupported"


def appearances(node: Node) -> list[str]:
    return (node.appearance or "").split()


def columns_of(node: Node) -> int | None:
    """`columns` -> 0 (as many as fit), `columns-N` -> N, else None."""
    for a in appearances(node):
        if a in ("columns", "columns-pack"):
            return 0
        m = re.fullmatch(r"columns-(\d+)", a)
        if m:
            return max(1, min(int(m.group(1)), 10))
    return None


def fixed_repeat_count(node: Node, definition: FormDefinition) -> int | None:
    """jr:count when it is a plain number, either written out or (as pyxform does for a number in
    repeat_count) through a calculate whose expression is that number."""
    expr = (node.repeat_count or "").strip()
    if not expr:
        return None
    if re.fullmatch(r"\d+", expr):
        return int(expr)
    target = definition.node(expr)
    if target is not None and re.fullmatch(r"\s*\d+\s*", target.calculate or ""):
        return int(target.calculate.strip())
    return None


def range_bounds(node: Node) -> tuple[str, str, str]:
    """(min, max, step) for <input type=range>, as written in the workbook (start > end is swapped)."""
    r = node.range or {}
    start, end, step = r.get("start") or "1", r.get("end") or "10", r.get("step") or "1"
    try:
        if float(start) > float(end):
            start, end = end, start
    except ValueError:
        start, end = "1", "10"
    return start, end, step


def is_required(node: Node) -> bool:
    return (node.required or "").replace(" ", "") == "true()"


@dataclass
class Page:
    """One screen on a tablet: a top-level group (or a field-list subgroup), or a run of loose questions."""

    nodes: list[Node] = field(default_factory=list)
    group: Node | None = None  # the top-level group this page sits in, when it is split


def paginate(root: Node) -> list[Page | Node]:
    """The root's children as page units. A top-level group is one page, unless it is not a
    field-list and holds field-list groups: then those groups are pages of their own and the
    questions between them collect into pages (the group is rendered once around them).
    Repeats are never split. Nodes with no body (calculate, hidden) belong to no page."""
    units: list[Page | Node] = []
    run: list[Node] = []

    def flush() -> None:
        if run:
            units.append(Page(nodes=list(run)))
            run.clear()

    for child in root.children:
        widget = widget_for(child)
        if widget == "hidden":
            continue
        if widget in ("group", "repeat"):
            flush()
            units.append(child)
        else:
            run.append(child)
    flush()
    return units


def split_group(group: Node) -> list[Page] | None:
    """The pages inside a top-level non-field-list group with field-list subgroups, else None."""
    if group.kind != "group" or group.field_list:
        return None
    if not any(c.kind == "group" and c.field_list for c in group.children):
        return None
    pages: list[Page] = []
    run: list[Node] = []
    for child in group.children:
        if widget_for(child) == "hidden":
            continue
        if child.kind == "group" and child.field_list:
            if run:
                pages.append(Page(nodes=run, group=group))
                run = []
            pages.append(Page(nodes=[child], group=group))
        else:
            run.append(child)
    if run:
        pages.append(Page(nodes=run, group=group))
    return pages


class Texter:
    """Writes a Texts value as one span per language (or a bare text when all languages agree)."""

    def __init__(self, definition: FormDefinition, language: str) -> None:
        self.languages = definition.languages or ["default"]
        self.default = definition.default_language
        self.language = language

    def plain(self, texts: Texts | None) -> str:
        return text_in(texts or {}, self.language, self.default)

    def per_language(self, texts: Texts | None) -> list[str]:
        return [text_in(texts or {}, lang, self.default) for lang in self.languages]

    def __call__(self, texts: Texts | None) -> Markup:
        if not texts:
            return Markup("")
        versions = self.per_language(texts)
        if len(set(versions)) == 1:
            return rich(versions[0])
        return Markup("").join(
            Markup('<span class="tr" data-li="{}" lang="{}">{}</span>').format(i, lang_code(lang), rich(text))
            for i, (lang, text) in enumerate(zip(self.languages, versions))
        )


def rich(text: str) -> Markup:
    """Escape a label and turn `{{/data/x}}` output markers into spans the runtime fills in."""
    html = keep_words_html(str(escape(text.strip())))  # no Thai line break inside a word (app/thai_text.py)
    html = OUTPUT_MARKER.sub(lambda m: f'<span class="out" data-ref="{m.group(1)}"></span>', html)
    return Markup(html.replace("\n", "<br>"))


def lang_code(language: str) -> str:
    """'Thai (th)' -> 'th'; 'default' -> ''."""
    m = re.search(r"\(([A-Za-z-]{2,})\)\s*$", language)
    return m.group(1) if m else ""


# Each language named in its own words on the language buttons (ไทย, not "Thai").
NATIVE_NAMES = {"th": "ไทย", "en": "English", "lo": "ລາວ", "my": "မြန်မာ", "km": "ខ្មែរ", "zh": "中文",
                "vi": "Tiếng Việt", "ms": "Bahasa Melayu"}
REQUIRED_WORDS = {"th": "จำเป็น", "en": "required"}


def lang_name(language: str) -> str:
    """'Thai (th)' -> 'ไทย', 'English (en)' -> 'English': the language in its own words when known,
    else the workbook's name without its code; names without a code stay as they are."""
    native = NATIVE_NAMES.get(lang_code(language).split("-")[0].lower())
    return native or re.sub(r"\s*\([A-Za-z-]{2,}\)\s*$", "", language) or language


def required_word(language: str) -> str:
    """The required mark's word in a form language (Thai for a form with no language code)."""
    code = lang_code(language).split("-")[0].lower()
    if not code:
        code = "en" if language.lower().startswith("english") else "th"
    return REQUIRED_WORDS.get(code, REQUIRED_WORDS["en"])


def choose_language(definition: FormDefinition, language: str | None = None) -> str:
    """The asked language if the form has it, else the workbook's default, else Thai, else the first."""
    langs = definition.languages or ["default"]
    for candidate in (language, definition.default_language):
        if candidate and candidate in langs:
            return candidate
    for lang in langs:
        if lang_code(lang) == "th" or lang.lower().startswith("thai"):
            return lang
    return langs[0]


def render_form_html(definition: FormDefinition, language: str | None = None) -> Markup:
    """The form's questions as HTML: a <form id="odk-form"> with one <section class="page"> per page.

    `language` picks the language shown first (all languages are in the markup; see module doc)."""
    language = choose_language(definition, language)
    texter = Texter(definition, language)
    languages = definition.languages or ["default"]
    return Markup(render_template(
        "forms/questions/form.html",
        definition=definition,
        units=paginate(definition.root),
        hidden_nodes=[n for n in definition.nodes() if n.kind == "field" and widget_for(n) == "hidden"],
        language_index=languages.index(language) if language in languages else 0,
        t=texter,
        plain=texter.plain,
        per_language=texter.per_language,
        widget_for=widget_for,
        appearances=appearances,
        columns_of=columns_of,
        is_required=is_required,
        required_words=[required_word(lang) for lang in languages],
        is_national_id=lambda n: is_national_id(n, current_app.config.get("NATIONAL_ID_NAME_PATTERN", NATIONAL_ID_PATTERN)),
        range_bounds=range_bounds,
        split_group=split_group,
        fixed_repeat_count=lambda n: fixed_repeat_count(n, definition),
        is_page=lambda u: isinstance(u, Page),
        choice_labels=lambda c: texter.per_language(c.label or {"default": c.name}),
        choice_label=lambda c: texter(c.label or {"default": c.name}),
        supported=SUPPORTED,
    ))


def _xform_model(xform_xml: str | bytes):  # noqa: ANN202
    """The XForm's <model> element (with or without the XForms namespace), or None."""
    data = xform_xml.encode() if isinstance(xform_xml, str) else xform_xml
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    doc = etree.fromstring(data, parser)
    return _first(doc.find(f".//{{{XFORMS_NS}}}model"), doc.find(".//model"))


def _first(*elements):  # noqa: ANN002, ANN202
    return next((e for e in elements if e is not None), None)


def instance_template(xform_xml: str | bytes) -> str:
    """The XForm's primary instance (its first <instance>'s root element) as XML text, without the
    XForms default namespace, so the browser serialises submissions as ODK Collect does
    (`<data id=".." version="..">`). jr:template markers stay: the runtime takes repeat templates from them."""
    model = _xform_model(xform_xml)
    instance = None if model is None else _first(model.find(f"{{{XFORMS_NS}}}instance"), model.find("instance"))
    if instance is None:
        raise ValueError("the XForm has no primary instance")
    root = next(iter(instance.iterchildren(tag=etree.Element)), None)
    if root is None:
        raise ValueError("the XForm's primary instance is empty")
    root = _without_default_namespace(root)
    return etree.tostring(root, encoding="unicode")


def _without_default_namespace(el: etree._Element) -> etree._Element:
    def strip(tag: str) -> str:
        return tag.split("}", 1)[1] if tag.startswith(f"{{{XFORMS_NS}}}") else tag

    nsmap = {k: v for k, v in (el.nsmap or {}).items() if k is not None and v != XFORMS_NS}

    def copy(src: etree._Element, parent: etree._Element | None) -> etree._Element:
        new = etree.Element(strip(src.tag), nsmap=nsmap) if parent is None else etree.SubElement(parent, strip(src.tag))
        for k, v in src.attrib.items():
            new.set(k, v)
        new.text = src.text
        for child in src.iterchildren(tag=etree.Element):
            copy(child, new).tail = None
        return new

    return copy(el, None)


def secondary_instances(xform_xml: str | bytes) -> list[dict[str, str]]:
    """The XForm's secondary instances for the fill page: `{"id", "xml"}` for inline ones (choice
    lists, with every extra column), `{"id", "src"}` (the media file name) for external ones
    (`jr://file-csv/villages.csv`, `jr://file/x.xml`) that the runtime fetches from the media route.
    Namespaces other than the XForms default are kept; the default one is dropped (as in the primary)."""
    model = _xform_model(xform_xml)
    if model is None:
        return []
    out: list[dict[str, str]] = []
    instances = [el for el in model if isinstance(el.tag, str) and etree.QName(el).localname == "instance"]
    for inst in instances[1:]:
        iid = inst.get("id")
        if not iid:
            continue
        src = inst.get("src")
        if src:
            out.append({"id": iid, "src": src.rstrip("/").rsplit("/", 1)[-1]})
            continue
        root = next(iter(inst.iterchildren(tag=etree.Element)), None)
        xml = etree.tostring(_without_default_namespace(root), encoding="unicode") if root is not None else "<root/>"
        out.append({"id": iid, "xml": xml})
    return out


def form_binds(definition: FormDefinition) -> str:
    """The form's logic as JSON for the runtime (logic.js): one entry per node that has any, with
    its path, kind, datatype and the bind expressions verbatim. The fill page carries it in a data
    attribute (escaped by Jinja), so the page has no inline script of any kind but XML data."""
    entries = []
    for n in definition.nodes():
        e: dict[str, object] = {"path": n.path, "kind": n.kind, "type": n.datatype}
        for key in ("relevant", "required", "constraint", "calculate", "readonly"):
            value = getattr(n, key)
            if value and value.strip():
                e[key] = value.strip()
        if n.kind == "repeat" and n.repeat_count:
            e["count"] = n.repeat_count.strip()
        if n.itemset is not None:
            e["itemset"] = {"nodeset": n.itemset.nodeset, "value": n.itemset.value_ref,
                            "label": n.itemset.label_ref, "file": n.itemset.external_file,
                            "instance": n.itemset.instance_id}
        if n.choices is not None and n.control in ("select1", "select"):
            e["choices"] = [{"name": c.name, "label": c.label} for c in n.choices]
        actions = n.extra.get("actions")
        if actions:
            try:
                e["actions"] = json.loads(actions)
            except ValueError:
                pass
        if n.control is not None:
            e["control"] = n.control
        if len(e) > 3 or n.kind == "repeat":
            entries.append(e)
    return json.dumps({"languages": definition.languages or ["default"], "default": definition.default_language,
                       "binds": entries}, ensure_ascii=False, separators=(",", ":"))


_XML_NAME = re.compile(r"^[A-Za-z_][\w.-]*$", re.ASCII)
_XML_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_instance_xml(content: bytes) -> str:
    """A CSV file as a secondary instance, `<root><item><column>value</column>…</item>…</root>`, with
    the column names the browser's csvInstance (static/js/form/index.js) gives the same file."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig", errors="replace"))))
    header = []
    for h in (rows[0] if rows else []):
        name = re.sub(r"[^\w.-]", "_", h.strip().replace("::", "_"), flags=re.ASCII)
        header.append(name if _XML_NAME.match(name) else "_" + name)
    root = etree.Element("root")
    for row in rows[1:]:
        if row in ([], [""]):
            continue
        item = etree.SubElement(root, "item")
        for k, name in enumerate(header):
            etree.SubElement(item, name).text = _XML_BAD_CHARS.sub("", row[k] if k < len(row) else "")
    return etree.tostring(root, encoding="unicode")


def script_safe(xml: str) -> tuple[str, str]:
    """XML to put inside <script type="application/xml">: as is, or base64 when the text holds
    something the HTML parser would take for the end of the script ("</script", "<!--")."""
    lowered = xml.lower()
    if "</script" in lowered or "<!--" in lowered:
        return base64.b64encode(xml.encode()).decode(), "base64"
    return xml, "xml"


__all__ = ["render_form_html", "instance_template", "secondary_instances", "form_binds", "widget_for", "paginate", "choose_language", "Choice"]
