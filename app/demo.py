"""Demo data for `make run`: a few submissions on the bundled questionnaires, loaded idempotently.

Each demo submission has a fixed instanceID (uuid5 of its name), so loading twice stores nothing new.
"""
from __future__ import annotations

import uuid

from lxml import etree

from app.forms.definitions import definition_of
from app.xlsform.definition import FormDefinition

DEMO_NS = uuid.UUID("6f1c1a52-2f0e-4c59-9d0b-5a1b0c2d3e4f")

# Demo accounts (printed by `flask --app wsgi demo load`, listed in README "Demo accounts").
# username, display name, role, district code / province code, password
DEMO_USERS = [
    ("admin", "ผู้ดูแลระบบ (ทดลอง)", "admin", None, None, "chumchon-admin-demo"),
    ("loei", "สำนักงานพัฒนาชุมชนจังหวัดเลย (ทดลอง)", "province", None, "42", "chumchon-loei-demo"),
    ("mueang", "สำนักงานพัฒนาชุมชนอำเภอเมืองเลย (ทดลอง)", "district", "4201", None, "chumchon-mueang-demo"),
    ("somchai", "นายสมชาย พัฒนากร (เมืองเลย)", "officer", "4201", None, "chumchon-somchai-demo"),
    ("malee", "นางมาลี พัฒนากร (วังสะพุง)", "officer", "4209", None, "chumchon-malee-demo"),
]

# demo name -> the demo officer who "sent" it
DEMO_SENDERS = {"sg-na-o": "somchai", "sg-kok-du": "malee", "hh-12-1": "somchai", "reg-weaving": "somchai"}

# form_id -> list of (demo name, answers by question name)
DEMO_SUBMISSIONS: dict[str, list[tuple[str, dict[str, str]]]] = {
    "sg_assessment_21": [
        ("sg-na-o", {"group_name": "กลุ่มออมทรัพย์เพื่อการผลิตบ้านนาอ้อ", "assessed_on": "2026-03-10",
                     "members_total": "86", "members_present": "61", "i01": "3", "i02": "2",
                     "meeting_place": "17.4860 101.7223 260 8"}),
        ("sg-kok-du", {"group_name": "กลุ่มออมทรัพย์เพื่อการผลิตบ้านโคกดู่", "assessed_on": "2026-03-12",
                       "members_total": "40", "members_present": "22", "i01": "1", "i02": "0"}),
    ],
    "hh_mapping": [
        ("hh-12-1", {"consent": "OK", "head_name": "นางสมศรี ใจดี", "members": "4",
                     "saves_in": "cash savings_group"}),
    ],
    "group_registration": [
        ("reg-weaving", {"group_kind": "occupational", "group_name": "กลุ่มอาชีพทอผ้าบ้านนาอ้อ",
                         "founded_on": "2026-02-01"}),
    ],
}


def instance_xml(xform: str, definition: FormDefinition, answers: dict[str, str], instance_id: str) -> bytes:
    """The XForm's primary instance with `answers` (by question name) filled in and meta/instanceID set."""
    doc = etree.fromstring(xform.encode())
    template = doc.find(".//{http://www.w3.org/2002/xforms}model/{http://www.w3.org/2002/xforms}instance")[0]
    root = etree.fromstring(etree.tostring(template))
    for el in root.iter():
        el.tag = etree.QName(el).localname
    for el in list(root.iter()):
        if any(a.endswith("template") for a in el.attrib):  # repeat templates are not data
            el.getparent().remove(el)
    for el in root.iter():
        if len(el) == 0 and el.tag in answers:
            el.text = answers[el.tag]
    meta = root.find("meta")
    meta.find("instanceID").text = instance_id
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def load_demo_users() -> list[tuple[str, str, str, bool]]:
    """Loei's districts and one demo account per role (idempotent): [(username, role, password, created)]."""
    from app.auth.accounts import create_user, find_user, seed_districts

    seed_districts()
    out = []
    for username, name, role, district, province, password in DEMO_USERS:
        created = find_user(username) is None
        if created:
            create_user(username, name, role, password, district=district, province=province, actor="demo")
        out.append((username, role, password, created))
    return out


def load_demo() -> list[tuple[str, int]]:
    """Submit every demo record through the normal receiving path; returns (instance_id, status)."""
    from app import db
    from app.auth.accounts import find_user
    from app.forms.receiving import receive_submission
    from app.models import Form

    results = []
    for form_id, records in DEMO_SUBMISSIONS.items():
        form = db.session.query(Form).filter_by(form_id=form_id).one_or_none()
        if form is None or form.latest is None:
            continue
        version = form.latest
        definition = definition_of(version)
        for name, answers in records:
            iid = f"uuid:{uuid.uuid5(DEMO_NS, name)}"
            xml = instance_xml(version.xform, definition, answers, iid)
            sender = find_user(DEMO_SENDERS.get(name, ""))
            outcome = receive_submission(xml, {}, submitted_by=sender.username if sender else "demo",
                                         sender=sender)
            results.append((iid, outcome.status))
    return results
