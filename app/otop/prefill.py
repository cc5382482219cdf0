"""A group registration started from a candidate group: the form's own primary instance with the known
answers already in it (area, occupation, proposed members), as XForms default values are. The fill
page carries this instance instead of the empty one; the runtime takes it like any template (repeat
instances present in it are shown as members, jr:template stays the template for new ones), and the
first answer makes it an ordinary draft on the tablet (offline, outbox, sync: nothing special).
Pure: no Flask, no database.
"""
from __future__ import annotations

import copy
from typing import Any

from lxml import etree

JR_TEMPLATE = "{http://openrosa.org/javarosa}template"


def _is_template(el) -> bool:  # noqa: ANN001
    return any(etree.QName(a).localname == "template" for a in el.attrib)


def _set(el, values: dict[str, Any]) -> None:  # noqa: ANN001
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if len(child):
            if not _is_template(child):
                _set(child, values)
        elif name in values and values[name] is not None:
            child.text = str(values[name])


def prefilled_instance(template_xml: str, values: dict[str, Any], repeats: dict[str, list[dict[str, Any]]]) -> str:
    """`template_xml` (rendering.instance_template) with leaves named in `values` set and, for each repeat
    named in `repeats`, one instance per dict placed after the repeat's jr:template (which stays) instead
    of the blank instance the template carries."""
    root = etree.fromstring(template_xml.encode("utf-8"))
    _set(root, values)
    for name, items in repeats.items():
        proto = next((el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == name
                      and _is_template(el)), None)
        if proto is None:
            raise ValueError(f"the form has no repeat named {name!r}")
        for empty in [el for el in proto.getparent() if el is not proto and el.tag == proto.tag]:
            proto.getparent().remove(empty)  # the blank first instance the template carries
        anchor = proto
        for item in items:
            clone = copy.deepcopy(proto)
            for a in list(clone.attrib):
                if etree.QName(a).localname == "template":
                    del clone.attrib[a]
            _set(clone, item)
            anchor.addnext(clone)
            anchor = clone
    return etree.tostring(root, encoding="unicode")
