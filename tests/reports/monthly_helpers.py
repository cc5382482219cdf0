"""Helpers for tests of the monthly status reports: publish the bundled form, send a report."""
from __future__ import annotations

import uuid
from pathlib import Path

from lxml import etree

from app.demo import instance_xml
from app.forms.definitions import definition_of
from app.forms.publishing import publish_workbook
from app.forms.receiving import receive_submission

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "app" / "questionnaires"


def publish_monthly():
    name = "sg_monthly_status.xlsx"
    return publish_workbook(name, (QUESTIONNAIRES / name).read_bytes(), "test").form_version


def monthly_answers(group: str, year_be: int, month: int, **changes) -> dict:
    answers = {"group": group, "report_year": str(year_be), "report_month_no": str(month), "members_end": "40",
               "new_members": "2", "left_members": "0", "savings_balance": "120000", "special_savings": "5000",
               "loans_outstanding": "90000", "borrowers": "12", "loans_overdue": "3000", "meeting_held": "no",
               "reporter_name": "นางเหรัญญิก ทดสอบ"}
    answers.update({k: str(v) for k, v in changes.items()})
    return answers


def send_monthly(fv, sender, group: str, year_be: int, month: int, *, instance_id: str | None = None,
                 deprecated_id: str | None = None, **changes):
    iid = instance_id or f"uuid:{uuid.uuid4()}"
    xml = instance_xml(fv.xform, definition_of(fv), monthly_answers(group, year_be, month, **changes), iid)
    if deprecated_id:
        root = etree.fromstring(xml)
        meta = root.find("meta")
        dep = etree.SubElement(meta, "deprecatedID")
        dep.text = deprecated_id
        xml = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return receive_submission(xml, {}, sender.username if sender else "test", sender=sender)
