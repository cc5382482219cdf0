"""ODK Entities on the server: a submission of a form with an `entities` sheet creates or updates
an entity of its dataset. Called by app.forms.receiving inside the transaction that stores the
submission (no commit here).

What the XForm declares (pyxform writes it from the workbook): `meta/entity` with
`dataset="groups"` (the entities sheet's list_name), its `label` (a calculate) and, on binds,
`entities:saveto="prop"` (the survey's save_to column). The entity's properties are those
answers, by property name.

- dataset `groups` (group_registration): a new registration creates a Group with status
  "submitted", district = the village's district (else the sender's), code "SG-<district>-<id>" for
  savings groups, "OG-<district>-<id>" for occupational groups. An edit of the registration
  (deprecatedID: same chain) updates the same Group while it is still waiting for the district
  office; an approved or rejected group keeps its registered data (the edit stays on record).
- dataset `households` (hh_mapping): keyed by village + house number; a later mapping of the same
  house updates it (ODK's "update" without the form having to pick the entity first), and an edit of
  a mapping updates the same entity.
- Only accepted submissions make entities (a record needing correction waits for its edit).
- Other datasets are ignored (logged): there is no generic entity store yet.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from lxml import etree
from sqlalchemy import and_, false, or_, select

from app.models import FormVersion, Group, GroupStatus, Household, Submission, SubmissionStatus, Village

log = logging.getLogger(__name__)

ENTITIES_NS = "http://www.opendatakit.org/xforms/entities"
XF = "{http://www.w3.org/2002/xforms}"
GROUP_PREFIX = {"savings": "SG", "occupational": "OG"}
_ENTITY_ID = re.compile(r"<(?:\w+:)?entity\b[^>]*\bid=\"([^\"]*)\"")


@dataclass
class EntitySpec:
    dataset: str
    label_path: str | None
    label_calculate: str | None = None
    saveto: dict[str, str] = field(default_factory=dict)  # absolute path -> property


_cache: dict[tuple[int, str], EntitySpec | None] = {}
_lock = Lock()


def read_entity_spec(xform: str) -> EntitySpec | None:
    """The entity declaration of an XForm, or None when it makes no entity."""
    if "entities:saveto" not in xform and "dataset=" not in xform:
        return None
    doc = etree.fromstring(xform.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    model = doc.find(f".//{XF}model")
    if model is None:
        return None
    primary = model.find(f"{XF}instance")
    root = primary[0] if primary is not None and len(primary) else None
    if root is None:
        return None
    entity = next((el for el in root.iter() if etree.QName(el).localname == "entity" and el.get("dataset")), None)
    if entity is None:
        return None
    parts = []
    el = entity
    while el is not None and el is not primary:
        parts.append(etree.QName(el).localname)
        el = el.getparent()
    entity_path = "/" + "/".join(reversed(parts))
    saveto = {}
    label_calculate = None
    for bind in model.iter(f"{XF}bind"):
        prop = bind.get(f"{{{ENTITIES_NS}}}saveto")
        if prop and bind.get("nodeset"):
            saveto[bind.get("nodeset")] = prop
        if bind.get("nodeset") == f"{entity_path}/label":
            label_calculate = bind.get("calculate")
    return EntitySpec(dataset=entity.get("dataset"), label_path=f"{entity_path}/label",
                      label_calculate=label_calculate, saveto=saveto)


def _label(spec: EntitySpec, submission: Submission, data: dict[str, Any]) -> str | None:
    """The entity's label: the server's value of the label calculate (else what the device sent)."""
    if spec.label_calculate:
        try:
            from app.xlsform.xpath import evaluate

            text = evaluate(spec.label_calculate, submission.xml).strip()
            if text:
                return text
        except Exception:  # noqa: BLE001 - a label is never worth losing the entity
            log.info("entity label of %s not computed", submission.instance_id, exc_info=True)
    return _value(data, spec.label_path) if spec.label_path else None


def entity_spec_of(s, version: FormVersion) -> EntitySpec | None:  # noqa: ANN001
    key = (version.id, version.content_hash)
    with _lock:
        if key in _cache:
            return _cache[key]
    xform = s.scalar(select(FormVersion.xform).where(FormVersion.id == version.id))
    spec = read_entity_spec(xform or "")
    with _lock:
        _cache[key] = spec
        if len(_cache) > 256:
            _cache.pop(next(iter(_cache)))
    return spec


def _value(data: dict[str, Any], path: str) -> str | None:
    v = data.get(path)
    if v is None or isinstance(v, (list, dict)):
        return None
    text = str(v).strip()
    return text or None


def apply_entities(s, submission: Submission, version: FormVersion) -> Group | Household | None:  # noqa: ANN001
    """Create or update the entity the submission declares (see the module docstring)."""
    if submission.status != SubmissionStatus.ACCEPTED or not submission.is_current:
        return None
    spec = entity_spec_of(s, version)
    if spec is None:
        return None
    data = submission.data or {}
    props = {prop: _value(data, path) for path, prop in spec.saveto.items()}
    label = _label(spec, submission, data)
    declared = _ENTITY_ID.search(submission.xml or "")
    # An edit keeps its entity: the chain's first instance names it (the device's entity id when given).
    entity_id = submission.root_instance_id
    if spec.dataset == "groups":
        return _group(s, submission, props, label, entity_id, declared.group(1) if declared else None)
    if spec.dataset == "households":
        return _household(s, submission, props, label, entity_id)
    log.info("entity dataset %r of %s is not kept by the registry", spec.dataset, submission.instance_id)
    return None


def _district_of(s, village_code: str | None, submission: Submission) -> str | None:  # noqa: ANN001
    if village_code:
        found = s.scalar(select(Village.district_code).where(Village.code == village_code))
        if found:
            return found
    return submission.district_code


def _group(s, submission: Submission, props: dict, label: str | None, entity_id: str,  # noqa: ANN001
           device_entity_id: str | None) -> Group:
    group = s.scalar(select(Group).where(Group.entity_id == entity_id))
    kind = props.get("kind") if props.get("kind") in GROUP_PREFIX else "occupational"
    if group is not None and group.status != GroupStatus.SUBMITTED:
        return group  # decided: the registered data stays as approved/rejected
    district = _district_of(s, props.get("village"), submission)
    if group is None:
        group = Group(code=f"pending:{entity_id}"[:64], entity_id=entity_id, status=GroupStatus.SUBMITTED)
        s.add(group)
    group.kind = kind
    group.name = (props.get("group_name") or label or "")[:500]
    group.village_code = props.get("village")
    group.district_code = district
    group.source_instance_id = submission.instance_id
    group.properties = {**{k: v for k, v in props.items() if v is not None},
                        **({"device_entity_id": device_entity_id} if device_entity_id else {})}
    s.flush()
    if group.code.startswith("pending:"):
        group.code = f"{GROUP_PREFIX[kind]}-{district or '0000'}-{group.id:05d}"
        s.flush()
    return group


def _household(s, submission: Submission, props: dict, label: str | None, entity_id: str) -> Household:  # noqa: ANN001
    village, house_no = props.get("village"), props.get("house_no")
    district = _district_of(s, village, submission)  # before a new row is added: no INSERT then UPDATE
    # The entity itself, else the same house mapped before: one query for both.
    same_house = and_(Household.village_code == village, Household.house_no == house_no) \
        if village and house_no else false()
    found = s.scalars(select(Household).where(or_(Household.entity_id == entity_id, same_house))).all()
    hh = next((h for h in found if h.entity_id == entity_id), None) or (found[0] if found else None)
    if hh is None:
        hh = Household(entity_id=entity_id)
        s.add(hh)
    hh.village_code = village
    hh.house_no = house_no
    hh.district_code = district
    hh.label = (label or "")[:500] or None
    hh.properties = {k: v for k, v in props.items() if v is not None}
    hh.source_instance_id = submission.instance_id
    s.flush()
    return hh
