"""The form as the rest of the app sees it: a tree of nodes read from the XForm, JSON-serialisable.

Built by `app.xlsform.xform.read_definition(xform_xml)`; stored with each FormVersion; used by the
fill page (rendering), the server checks of submissions and the exports. Paths are absolute instance
paths as in the XForm (`/data/group/question`); repeats are plain paths too (no indexes).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterator

# A text in every language the workbook defines: {"Thai (th)": "...", "English (en)": "..."}.
# Forms without translations use the single key "default".
Texts = dict[str, str]


@dataclass
class Choice:
    name: str
    label: Texts = field(default_factory=dict)
    media: dict[str, Texts] = field(default_factory=dict)  # {"image": {lang: file}}
    extra: dict[str, str] = field(default_factory=dict)  # other columns (score, filter columns)


@dataclass
class Itemset:
    """Where a select's choices come from."""

    instance_id: str  # secondary instance id (choices list name or external file id)
    nodeset: str  # the XForm itemset nodeset, e.g. "instance('list')/root/item[state=/data/state]"
    value_ref: str = "name"
    label_ref: str = "label"  # "jr:itext(itextId)" when translated
    choice_filter: str | None = None  # the predicate part of nodeset, if any
    external_file: str | None = None  # "villages.csv" for select_one_from_file / external CSV


@dataclass
class Node:
    path: str
    name: str
    kind: str  # "group" | "repeat" | "field"
    # Body control: input | select1 | select | upload | trigger | range | rank | None (no body: calculate/hidden)
    control: str | None = None
    # Bind type: string int decimal date time dateTime geopoint geotrace geoshape binary barcode select1 select ...
    datatype: str = "string"
    label: Texts = field(default_factory=dict)
    hint: Texts = field(default_factory=dict)
    appearance: str | None = None
    mediatype: str | None = None  # upload accept, e.g. "image/*"
    required: str | None = None  # XPath expression ("true()") or None
    required_msg: Texts = field(default_factory=dict)
    relevant: str | None = None
    constraint: str | None = None
    constraint_msg: Texts = field(default_factory=dict)
    calculate: str | None = None
    readonly: str | None = None
    default: str | None = None  # value in the primary instance template
    preload: str | None = None  # jr:preload (uid, timestamp, property)
    preload_params: str | None = None
    choices: list[Choice] | None = None  # choices resolved from the itemset's instance (static lists)
    itemset: Itemset | None = None
    range: dict[str, str] | None = None  # {"start": "1", "end": "10", "step": "1"}
    repeat_count: str | None = None  # jr:count expression for repeats
    field_list: bool = False  # group with appearance field-list
    extra: dict[str, str] = field(default_factory=dict)  # other bind/body attributes kept verbatim
    children: list[Node] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class FormDefinition:
    form_id: str
    version: str
    title: str
    languages: list[str]  # in the workbook's order; the default language first
    default_language: str
    root: Node  # kind "group", path "/data" (or the root element name)
    instances: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # secondary instances as item dicts
    external_files: list[str] = field(default_factory=list)  # media files the form needs (CSV, images)

    def nodes(self) -> Iterator[Node]:
        return self.root.walk()

    def node(self, path: str) -> Node | None:
        for n in self.nodes():
            if n.path == path:
                return n
        return None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormDefinition:
        def node(d: dict[str, Any]) -> Node:
            d = dict(d)
            d["children"] = [node(c) for c in d.get("children", [])]
            if d.get("choices") is not None:
                d["choices"] = [Choice(**c) for c in d["choices"]]
            if d.get("itemset") is not None:
                d["itemset"] = Itemset(**d["itemset"])
            return Node(**d)

        data = dict(data)
        data["root"] = node(data["root"])
        return cls(**data)


def text_in(texts: Texts, language: str | None, fallback: str | None = None) -> str:
    """The text in `language`, else the default/first one available, else ''."""
    if not texts:
        return ""
    if language and language in texts:
        return texts[language]
    if fallback and fallback in texts:
        return texts[fallback]
    if "default" in texts:
        return texts["default"]
    return next(iter(texts.values()))
