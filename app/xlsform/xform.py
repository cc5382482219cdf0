"""Read an XForm (as written by pyxform 4.x) into the app's `FormDefinition`.

`read_definition(xform_xml)` is the only public entry point. It never evaluates anything; every
expression (relevant, constraint, calculate, required, readonly, jr:count, choice filters) is kept
verbatim as written in the XForm so the XPath layer can use it later.

Choices made here (the rest of the app relies on them):

* **Tree and order.** The node tree is the primary instance's tree. Among siblings, nodes that have
  a body control (or a body group/repeat) are placed in body order; nodes without one (calculates,
  hidden fields, `meta`) keep their instance position. A repeat is one node (`kind="repeat"`) even
  though pyxform writes both a `jr:template` copy and a first instance, and wraps it in a body
  `<group>` that carries the label: the group's label/hint/appearance go to the repeat node.
  Groups with no body element (e.g. `meta`) are still `kind="group"` with `control=None`.
  Group and repeat nodes always have `control=None`.
* **Texts.** Labels, hints, `jr:constraintMsg` and `jr:requiredMsg` are `Texts` dicts keyed by the
  itext language. Inline text (no `jr:itext`) is `{"default": text}` in forms without itext and the
  same text under every language otherwise (only for languages lacking their own). Empty texts are
  left out. Each text is stripped of surrounding white space.
* **Outputs.** `<output value=" /data/x "/>` inside a text becomes the marker `{{/data/x}}` (the
  value expression stripped, verbatim otherwise, so relative ones stay `{{../x}}`). Renderers
  replace markers with the current answer; messages can show them as they are.
* **Media.** itext values with `form="image"|"big-image"|"audio"|"video"` are media. For choices
  they go to `Choice.media = {"image": {lang: "a.jpg"}}` (file name only, the `jr://images/` part
  removed). For questions they are kept as JSON in `Node.extra["media"]` (same shape), and
  `form="guidance"` hints as JSON Texts in `Node.extra["guidance_hint"]`.
* **Choices.** pyxform 4 puts choice lists in secondary instances and uses `<itemset>`; the node
  gets `itemset` and, when the instance is inline (no `src`), `choices` = the whole list (even when
  a choice_filter narrows it at fill time). Instances with `src="jr://file-csv/x.csv"` /
  `jr://file/x.xml|geojson` give `itemset.external_file` and `choices=None`. Inline `<item>`s in
  the control (old style, and `search()` appearances) give `choices` and `itemset=None`.
  `select_one_external` questions are `<input query="instance('x')/root/item[...]">`: they keep
  `control="input"`, `extra["query"]`, and get an `Itemset` whose `external_file` is
  `"itemsets.csv"` (the file pyxform writes for them).
* **Extras.** Bind and control attributes that have no field are kept verbatim in `Node.extra`
  under their prefixed name (`"jr:noAppErrorString"`, `"odk:length"`, `"orx:max-pixels"`,
  `"autoplay"`, `"rows"`, `"intent"`, `"query"`, `"jr:noAddRemove"`). Actions (`setvalue`,
  `odk:setgeopoint`, `odk:recordaudio`) are kept on the node they set, as a JSON list in
  `extra["actions"]`: `[{"action": "setvalue", "event": "...", "value": "...", "trigger": "/data/a",
  ...other attributes}]` (`trigger` only when the action sits inside another question's control,
  i.e. the XLSForm `trigger` column; that path is also put in `extra["trigger"]`, space-separated).
  OSM `<tag>`s are `extra["osm_tags"]` (JSON). Attributes of primary-instance elements (entities:
  `dataset`, `create`, `id`) are `extra["attributes"]` (JSON) and binds on them (`.../@id`) are
  `extra["bind@id"]` (JSON of the bind's attributes), actions on them `extra["actions@id"]`.
* **Defaults** are the primary instance's element text (from the `jr:template` copy inside
  repeats); dynamic defaults are `setvalue` actions (see above).
* **external_files** lists, in first-seen order, every file the form needs: instance `src` files,
  `jr://images|audio|video|file|file-csv/...` references in itext, `search('x')` appearances
  (`x.csv`) and `itemsets.csv` for external selects.

Everything in the result is str / list / dict / bool / None, so `to_dict()` is `json.dumps`-able
and `FormDefinition.from_dict(d.to_dict()) == d`.
"""
from __future__ import annotations

import json
import re
from typing import Any

from lxml import etree

from .definition import Choice, FormDefinition, Itemset, Node, Texts

XF = "http://www.w3.org/2002/xforms"
XHTML = "http://www.w3.org/1999/xhtml"
JR = "http://openrosa.org/javarosa"
ODK = "http://www.opendatakit.org/xforms"
ORX = "http://openrosa.org/xforms"
PREFIXES = {
    JR: "jr",
    ODK: "odk",
    ORX: "orx",
    XF: "",
    XHTML: "h",
    "http://www.w3.org/2001/xml-events": "ev",
    "http://www.w3.org/2001/XMLSchema": "xsd",
    "http://www.opendatakit.org/xforms/entities": "entities",
}

CONTROLS = {"input", "select1", "select", "upload", "trigger", "range", "rank"}
ACTIONS = {"setvalue", "setgeopoint", "recordaudio"}
MEDIA_FORMS = {"image", "big-image", "audio", "video"}
_ITEXT_RE = re.compile(r"""^\s*jr:itext\(\s*(?:'([^']*)'|"([^"]*)"|([^)]*?))\s*\)\s*$""")
_INSTANCE_RE = re.compile(r"""^\s*instance\(\s*['"]([^'"]+)['"]\s*\)""")
_SEARCH_RE = re.compile(r"""search\(\s*['"]([^'"]+)['"]""")
_JR_URI_RE = re.compile(r"jr://(?:images|audio|video|file|file-csv)/(\S+)")


class XFormUnreadable(ValueError):
    """The XForm is not well-formed XML or lacks the parts every XForm has."""


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _ns(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _attr_name(name: str) -> str:
    ns = _ns(name)
    local = _local(name)
    if not ns:
        return local
    prefix = PREFIXES.get(ns)
    if prefix is None:
        return name
    return f"{prefix}:{local}" if prefix else local


def _file_name(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def _parse(xform_xml: str | bytes) -> etree._Element:
    if isinstance(xform_xml, str):
        xform_xml = xform_xml.encode("utf-8")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        tree = etree.fromstring(xform_xml, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise XFormUnreadable(f"XForm is not well-formed XML: {exc}") from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XFormUnreadable("XForm must not contain a DOCTYPE")
    return tree.getroot()


def _render(el: etree._Element) -> str:
    """Mixed content of a label/value: text with <output value="x"/> as {{x}}."""
    parts = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if _local(child.tag) == "output":
            expr = (child.get("value") or child.get("ref") or "").strip()
            parts.append("{{" + expr + "}}")
        else:
            parts.append(_render(child))
        parts.append(child.tail or "")
    return "".join(parts).strip()


class _Reader:
    def __init__(self, root: etree._Element):
        self.html = root
        head = root.find(f"{{{XHTML}}}head")
        if head is None:
            raise XFormUnreadable("XForm has no <h:head>")
        self.model = head.find(f"{{{XF}}}model")
        if self.model is None:
            raise XFormUnreadable("XForm has no <model>")
        title_el = head.find(f"{{{XHTML}}}title")
        self.title = _render(title_el) if title_el is not None else ""
        self.body = root.find(f"{{{XHTML}}}body")
        self.external_files: list[str] = []
        self.itext: dict[str, dict[str, dict[str | None, str]]] = {}  # lang -> id -> form -> text
        self.languages: list[str] = []
        self.binds: dict[str, dict[str, str]] = {}
        self.actions: dict[str, list[dict[str, str]]] = {}
        self.body_info: dict[str, dict[str, Any]] = {}
        self.body_order: dict[str, int] = {}
        self.instances_xml: dict[str, etree._Element] = {}
        self.instance_src: dict[str, str] = {}
        self.primary: etree._Element | None = None

    # ----------------------------------------------------------------- files
    def _need_file(self, name: str) -> None:
        if name and name not in self.external_files:
            self.external_files.append(name)

    # ----------------------------------------------------------------- model
    def read_model(self) -> None:
        for el in self.model:
            if not isinstance(el.tag, str):
                continue
            name = _local(el.tag)
            if name == "itext":
                self._read_itext(el)
            elif name == "instance":
                iid = el.get("id")
                if iid is None and self.primary is None:
                    self.primary = next((c for c in el if isinstance(c.tag, str)), None)
                elif iid is not None:
                    self.instances_xml[iid] = el
                    src = el.get("src")
                    if src:
                        self.instance_src[iid] = src
                        self._need_file(_file_name(src))
            elif name == "bind":
                ref = el.get("nodeset") or el.get("ref")
                if ref:
                    attrs = self.binds.setdefault(ref.strip(), {})
                    for k, v in el.attrib.items():
                        if _local(k) not in ("nodeset", "ref"):
                            attrs[_attr_name(k)] = v
            elif name in ACTIONS:
                self._add_action(el, trigger=None)
        if self.primary is None:
            raise XFormUnreadable("XForm has no primary instance")
        if not self.languages:
            self.languages = ["default"]

    def _read_itext(self, itext: etree._Element) -> None:
        default = None
        for tr in itext:
            if not isinstance(tr.tag, str) or _local(tr.tag) != "translation":
                continue
            lang = tr.get("lang") or "default"
            if lang not in self.languages:
                self.languages.append(lang)
            if default is None and (tr.get("default") or "").strip() in ("true()", "true"):
                default = lang
            texts = self.itext.setdefault(lang, {})
            for t in tr:
                if not isinstance(t.tag, str) or _local(t.tag) != "text":
                    continue
                forms = texts.setdefault(t.get("id") or "", {})
                for v in t:
                    if not isinstance(v.tag, str) or _local(v.tag) != "value":
                        continue
                    form = v.get("form")
                    value = _render(v)
                    forms[form] = value
                    if form in MEDIA_FORMS or (value.startswith("jr://")):
                        for m in _JR_URI_RE.finditer(value):
                            self._need_file(_file_name(m.group(1)))
        if default is not None:
            self.languages.remove(default)
            self.languages.insert(0, default)

    def _add_action(self, el: etree._Element, trigger: str | None) -> None:
        ref = (el.get("ref") or el.get("nodeset") or "").strip()
        if not ref:
            return
        action = {"action": _local(el.tag)}
        for k, v in el.attrib.items():
            if _local(k) != "ref":
                action[_attr_name(k)] = v
        if el.text and el.text.strip() and "value" not in action:
            action["value"] = el.text.strip()
        if trigger:
            action["trigger"] = trigger
        self.actions.setdefault(ref, []).append(action)

    # ------------------------------------------------------------------ texts
    def itext_texts(self, text_id: str) -> tuple[Texts, dict[str, Texts], Texts]:
        """(plain texts, media {form: {lang: file}}, guidance texts) for an itext id."""
        plain: Texts = {}
        media: dict[str, Texts] = {}
        guidance: Texts = {}
        for lang in self.languages:
            forms = self.itext.get(lang, {}).get(text_id)
            if not forms:
                continue
            for form, value in forms.items():
                if value == "":
                    continue
                if form is None:
                    plain[lang] = value
                elif form == "guidance":
                    guidance[lang] = value
                elif form in MEDIA_FORMS:
                    media.setdefault(form, {})[lang] = _file_name(value) if value.startswith("jr://") else value
                else:
                    media.setdefault(form, {})[lang] = value
        return plain, media, guidance

    def inline_texts(self, text: str, into: Texts | None = None) -> Texts:
        out: Texts = dict(into or {})
        if text == "":
            return out
        if not self.itext:
            out.setdefault("default", text)
            return out
        for lang in self.languages:
            out.setdefault(lang, text)
        return out

    def text_element(self, el: etree._Element | None) -> tuple[Texts, dict[str, Texts], Texts]:
        if el is None:
            return {}, {}, {}
        ref = el.get("ref")
        if ref:
            m = _ITEXT_RE.match(ref)
            if m:
                text_id = m.group(1) if m.group(1) is not None else (m.group(2) or m.group(3) or "")
                plain, media, guidance = self.itext_texts(text_id)
                inline = _render(el)
                if inline:
                    plain = self.inline_texts(inline, plain)
                return plain, media, guidance
        return self.inline_texts(_render(el)), {}, {}

    def message_texts(self, value: str | None) -> Texts:
        if value is None:
            return {}
        m = _ITEXT_RE.match(value)
        if m:
            text_id = m.group(1) if m.group(1) is not None else (m.group(2) or m.group(3) or "")
            return self.itext_texts(text_id)[0]
        return self.inline_texts(value.strip())

    # ------------------------------------------------------------------- body
    def read_body(self) -> None:
        if self.body is not None:
            self._walk_body(self.body, parent_path="", holder=None)

    def _resolve(self, ref: str, parent_path: str) -> str:
        ref = ref.strip()
        if ref.startswith("/") or not parent_path:
            return ref
        while ref.startswith("./"):
            ref = ref[2:]
        base = parent_path
        while ref.startswith("../"):
            ref = ref[3:]
            base = base.rsplit("/", 1)[0]
        return f"{base}/{ref}" if ref not in ("", ".") else base

    def _info(self, path: str) -> dict[str, Any]:
        if path not in self.body_order:
            self.body_order[path] = len(self.body_order)
        return self.body_info.setdefault(path, {})

    def _walk_body(self, el: etree._Element, parent_path: str, holder: str | None) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name = _local(child.tag)
            if name == "group":
                ref = child.get("ref") or child.get("nodeset")
                if not ref:
                    self._walk_body(child, parent_path, holder)
                    continue
                path = self._resolve(ref, parent_path)
                info = self._info(path)
                info.setdefault("kind", "group")
                self._read_common(child, info, skip={"ref", "nodeset"})
                self._walk_body(child, path, holder)
            elif name == "repeat":
                ref = child.get("nodeset") or child.get("ref") or ""
                path = self._resolve(ref, parent_path)
                info = self._info(path)
                info["kind"] = "repeat"
                self._read_common(child, info, skip={"ref", "nodeset"})
                self._walk_body(child, path, holder)
            elif name in CONTROLS:
                ref = child.get("ref") or child.get("bind") or ""
                path = self._resolve(ref, parent_path)
                info = self._info(path)
                info["control"] = name
                self._read_control(child, info, path)
            elif name in ACTIONS:
                self._add_action(child, trigger=holder)
            elif name in ("label", "hint"):
                continue
            else:
                self._walk_body(child, parent_path, holder)

    def _read_common(self, el: etree._Element, info: dict[str, Any], skip: set[str]) -> None:
        for k, v in el.attrib.items():
            key = _attr_name(k)
            if key in skip:
                continue
            if key == "appearance":
                info["appearance"] = v
            elif key == "jr:count":
                info["repeat_count"] = v
            else:
                info.setdefault("extra", {})[key] = v
        for sub in el:
            if not isinstance(sub.tag, str):
                continue
            sname = _local(sub.tag)
            if sname == "label":
                label, media, _ = self.text_element(sub)
                if label:
                    info["label"] = label
                if media:
                    info.setdefault("extra", {})["media"] = json.dumps(media, ensure_ascii=False)
            elif sname == "hint":
                hint, _, guidance = self.text_element(sub)
                if hint:
                    info["hint"] = hint
                if guidance:
                    info.setdefault("extra", {})["guidance_hint"] = json.dumps(guidance, ensure_ascii=False)

    def _read_control(self, el: etree._Element, info: dict[str, Any], path: str) -> None:
        skip = {"ref", "bind"}
        if _local(el.tag) == "range":
            rng = {k: el.get(k) for k in ("start", "end", "step") if el.get(k) is not None}
            info["range"] = rng
            skip |= {"start", "end", "step"}
        if el.get("mediatype") is not None:
            info["mediatype"] = el.get("mediatype")
            skip.add("mediatype")
        self._read_common(el, info, skip=skip)
        appearance = info.get("appearance") or ""
        for m in _SEARCH_RE.finditer(appearance):
            fname = m.group(1)
            self._need_file(fname if "." in fname else f"{fname}.csv")
        query = el.get("query")
        if query:
            m = _INSTANCE_RE.match(query)
            if m:
                nodeset = query.strip()
                info["itemset"] = Itemset(
                    instance_id=m.group(1),
                    nodeset=nodeset,
                    value_ref="name",
                    label_ref="label",
                    choice_filter=_predicate(nodeset),
                    external_file="itemsets.csv",
                )
                self._need_file("itemsets.csv")
        items: list[Choice] = []
        tags: list[dict[str, Any]] = []
        for sub in el:
            if not isinstance(sub.tag, str):
                continue
            sname = _local(sub.tag)
            if sname == "itemset":
                info["itemset_el"] = sub
            elif sname == "item":
                items.append(self._inline_item(sub))
            elif sname == "tag":
                label, _, _ = self.text_element(sub.find(f"{{{XF}}}label"))
                tags.append({"key": sub.get("key") or "", "label": label})
            elif sname in ACTIONS:
                self._add_action(sub, trigger=path)
        if items:
            info["inline_choices"] = items
        if tags:
            info.setdefault("extra", {})["osm_tags"] = json.dumps(tags, ensure_ascii=False)

    def _inline_item(self, item: etree._Element) -> Choice:
        name = ""
        label: Texts = {}
        media: dict[str, Texts] = {}
        extra: dict[str, str] = {}
        for sub in item:
            if not isinstance(sub.tag, str):
                continue
            sname = _local(sub.tag)
            if sname == "value":
                name = (sub.text or "").strip()
            elif sname == "label":
                label, media, _ = self.text_element(sub)
            else:
                extra[sname] = _render(sub)
        return Choice(name=name, label=label, media=media, extra=extra)

    # -------------------------------------------------------------- itemsets
    def build_itemset(self, el: etree._Element) -> tuple[Itemset, list[Choice] | None]:
        nodeset = (el.get("nodeset") or "").strip()
        value_ref = "name"
        label_ref = "label"
        for sub in el:
            if not isinstance(sub.tag, str):
                continue
            if _local(sub.tag) == "value" and sub.get("ref"):
                value_ref = sub.get("ref").strip()
            elif _local(sub.tag) == "label" and sub.get("ref"):
                label_ref = sub.get("ref").strip()
        m = _INSTANCE_RE.match(nodeset)
        instance_id = m.group(1) if m else ""
        src = self.instance_src.get(instance_id)
        itemset = Itemset(
            instance_id=instance_id,
            nodeset=nodeset,
            value_ref=value_ref,
            label_ref=label_ref,
            choice_filter=_predicate(nodeset),
            external_file=_file_name(src) if src else None,
        )
        if src or instance_id not in self.instances_xml:
            return itemset, None
        return itemset, self._choices(instance_id, value_ref, label_ref)

    def _choices(self, instance_id: str, value_ref: str, label_ref: str) -> list[Choice]:
        label_itext = _ITEXT_RE.match(label_ref)
        itext_field = None
        if label_itext:
            itext_field = (label_itext.group(3) or "").strip() or None
        out = []
        for item in _instance_items(self.instances_xml[instance_id]):
            values = {_local(c.tag): _render(c) for c in item if isinstance(c.tag, str)}
            name = values.get(value_ref, "")
            label: Texts = {}
            media: dict[str, Texts] = {}
            if label_itext:
                text_id = label_itext.group(1) or label_itext.group(2) or values.get(itext_field or "", "")
                label, media, _ = self.itext_texts(text_id)
            elif label_ref in values:
                label = self.inline_texts(values[label_ref])
            used = {value_ref, label_ref, itext_field, "itextId"}
            extra = {k: v for k, v in values.items() if k not in used}
            out.append(Choice(name=name, label=label, media=media, extra=extra))
        return out

    # ------------------------------------------------------------------ tree
    def build_tree(self) -> Node:
        assert self.primary is not None
        root_path = "/" + _local(self.primary.tag)
        root = self._node(self.primary, root_path)
        root.kind = "group"
        return root

    def _node(self, el: etree._Element, path: str) -> Node:
        info = self.body_info.get(path, {})
        bind = dict(self.binds.get(path, {}))
        children_el = [c for c in el if isinstance(c.tag, str)]
        is_repeat = info.get("kind") == "repeat" or el.get(f"{{{JR}}}template") is not None
        if is_repeat:
            kind = "repeat"
        elif children_el or info.get("kind") == "group":
            kind = "group"
        else:
            kind = "field"
        node = Node(path=path, name=_local(el.tag), kind=kind)
        extra: dict[str, str] = dict(info.get("extra", {}))
        if kind == "field":
            node.control = info.get("control")
            if el.text is not None and el.text != "":
                node.default = el.text
        node.label = info.get("label", {})
        node.hint = info.get("hint", {})
        node.appearance = info.get("appearance")
        node.mediatype = info.get("mediatype")
        node.range = info.get("range")
        node.repeat_count = info.get("repeat_count")
        node.field_list = "field-list" in (node.appearance or "").split()
        if "itemset_el" in info:
            node.itemset, node.choices = self.build_itemset(info["itemset_el"])
        elif "itemset" in info:
            node.itemset = info["itemset"]
        if info.get("inline_choices") and node.choices is None:
            node.choices = info["inline_choices"]
        # bind
        node.datatype = _datatype(bind.pop("type", None))
        node.required = bind.pop("required", None)
        node.relevant = bind.pop("relevant", None)
        node.constraint = bind.pop("constraint", None)
        node.calculate = bind.pop("calculate", None)
        node.readonly = bind.pop("readonly", None)
        node.preload = bind.pop("jr:preload", None)
        node.preload_params = bind.pop("jr:preloadParams", None)
        node.required_msg = self.message_texts(bind.pop("jr:requiredMsg", None))
        node.constraint_msg = self.message_texts(bind.pop("jr:constraintMsg", None))
        extra.update(bind)
        attrs = {_attr_name(k): v for k, v in el.attrib.items() if _attr_name(k) != "jr:template"}
        if el is self.primary:  # id and version are FormDefinition fields
            attrs.pop("id", None)
            attrs.pop("version", None)
        if attrs:
            extra["attributes"] = json.dumps(attrs, ensure_ascii=False)
            for a in attrs:
                abind = self.binds.get(f"{path}/@{a}")
                if abind:
                    extra[f"bind@{a}"] = json.dumps(abind, ensure_ascii=False)
                aactions = self.actions.get(f"{path}/@{a}")
                if aactions:
                    extra[f"actions@{a}"] = json.dumps(aactions, ensure_ascii=False)
        actions = self.actions.get(path)
        if actions:
            extra["actions"] = json.dumps(actions, ensure_ascii=False)
            triggers = [a["trigger"] for a in actions if a.get("trigger")]
            if triggers:
                extra["trigger"] = " ".join(dict.fromkeys(triggers))
        node.extra = extra
        # children: first occurrence of each name (the jr:template copy comes first)
        seen: set[str] = set()
        kids: list[Node] = []
        for c in children_el:
            cname = _local(c.tag)
            if cname in seen:
                continue
            seen.add(cname)
            kids.append(self._node(c, f"{path}/{cname}"))
        node.children = _body_sorted(kids, self.body_order)
        return node


def _body_sorted(kids: list[Node], order: dict[str, int]) -> list[Node]:
    """Nodes with a body position in body order, others keep their slots."""
    in_body = sorted((k for k in kids if k.path in order), key=lambda k: order[k.path])
    it = iter(in_body)
    return [next(it) if k.path in order else k for k in kids]


def _predicate(nodeset: str) -> str | None:
    m = _INSTANCE_RE.match(nodeset)
    rest = nodeset[m.end():] if m else nodeset
    i = rest.find("[")
    if i < 0 or not rest.rstrip().endswith("]"):
        return None
    pred = rest[i + 1: rest.rstrip().rfind("]")].strip()
    return pred or None


def _datatype(value: str | None) -> str:
    if not value:
        return "string"
    value = value.strip()
    if value.startswith("xsd:"):
        value = value[4:]
    return value


def _instance_items(instance: etree._Element) -> list[etree._Element]:
    """The items of a secondary instance: children of its root element (`<root><item>...`)."""
    top = next((c for c in instance if isinstance(c.tag, str)), None)
    if top is None:
        return []
    return [c for c in top if isinstance(c.tag, str)]


def _instance_dicts(instance: etree._Element) -> list[dict[str, Any]]:
    out = []
    for item in _instance_items(instance):
        d: dict[str, Any] = {}
        for c in item:
            if isinstance(c.tag, str):
                d[_local(c.tag)] = _render(c) if len(c) == 0 else etree.tostring(c, encoding="unicode")
        for k, v in item.attrib.items():
            d.setdefault("@" + _attr_name(k), v)
        out.append(d)
    return out


def read_definition(xform_xml: str | bytes) -> FormDefinition:
    """Parse an XForm into a FormDefinition. Raises XFormUnreadable on broken input."""
    reader = _Reader(_parse(xform_xml))
    reader.read_model()
    reader.read_body()
    root = reader.build_tree()
    assert reader.primary is not None
    instances = {iid: _instance_dicts(el) for iid, el in reader.instances_xml.items()}
    return FormDefinition(
        form_id=reader.primary.get("id") or "",
        version=reader.primary.get("version") or "",
        title=reader.title,
        languages=list(reader.languages),
        default_language=reader.languages[0],
        root=root,
        instances=instances,
        external_files=list(reader.external_files),
    )
