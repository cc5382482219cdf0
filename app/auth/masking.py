"""National ID numbers (เลขประจำตัวประชาชน): which questions hold them and how they are masked.

A question holds a national ID when
- its name matches NATIONAL_ID_NAME_PATTERN (config; by default national_id, citizen_id, id_card,
  id_card_no, idcard, pid, and any name ending in _national_id, _citizen_id, _id_card, _idcard), or
- its bind carries a `pii` attribute (XLSForm column `bind::pii` = yes / national_id) — the explicit
  way for a form whose question names do not follow the convention.
Masked values keep the last 4 characters: 1234567890123 -> •••••••••0123. Pure: no Flask.
"""
from __future__ import annotations

import re
from typing import Any

from app.xlsform.definition import FormDefinition, Node

DEFAULT_PATTERN = (r"^(national_id|citizen_id|id_card|id_card_no|idcard|pid"
                   r"|.+_national_id|.+_citizen_id|.+_id_card|.+_idcard)$")
BULLET = "•"
_FALSE = {"", "no", "false", "false()", "0"}


# What a national ID number can be held in: a text or number question (a photo of the card named
# "president_id_card", a date or a choice is not one — it must not be masked, nor checked as 13 digits).
_ID_DATATYPES = {"", "string", "int", "integer", "long", "decimal"}


def is_national_id(node: Node, pattern: str = DEFAULT_PATTERN) -> bool:
    if node.kind != "field" or node.control in ("upload", "select1", "select", "range", "trigger"):
        return False
    if (node.datatype or "") not in _ID_DATATYPES:
        return False
    if re.match(pattern, node.name or "", re.IGNORECASE):
        return True
    for key, value in (node.extra or {}).items():
        local = key.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
        if local.lower() == "pii" and str(value).strip().lower() not in _FALSE:
            return True
    return False


def national_id_paths(definition: FormDefinition | None, pattern: str = DEFAULT_PATTERN) -> frozenset[str]:
    if definition is None:
        return frozenset()
    return frozenset(n.path for n in definition.nodes() if is_national_id(n, pattern))


def mask_value(value: Any) -> Any:
    if value is None or isinstance(value, (dict, list)):
        return value
    text = str(value)
    if text == "":
        return text
    keep = 4 if len(text) > 4 else 0
    return BULLET * (len(text) - keep) + text[len(text) - keep:]


def mask_data(data: Any, paths: frozenset[str]) -> Any:
    """A copy of submission answers (by absolute path; repeats as lists of dicts) with the values
    at `paths` masked."""
    if not paths:
        return data
    if isinstance(data, dict):
        return {k: (mask_value(v) if k in paths and not isinstance(v, (dict, list)) else mask_data(v, paths))
                for k, v in data.items()}
    if isinstance(data, list):
        return [mask_data(v, paths) for v in data]
    return data


def mask_errors(errors: list, paths: frozenset[str]) -> list:
    """Validation errors carry the offending value: mask it when it is a national ID."""
    if not paths:
        return errors
    out = []
    for e in errors or []:
        if isinstance(e, dict):
            path = re.sub(r"\[\d+\]", "", str(e.get("node_path") or e.get("path") or ""))
            if path in paths and e.get("value") not in (None, ""):
                e = {**e, "value": mask_value(e["value"])}
        out.append(e)
    return out
