"""A small world for the access tests: Loei (42) with districts 4201 and 4209, a second province
(99, district 9901) for "other" objects, one account per role, a published form with a national-ID
question and a photo, and submissions sent by officers of different districts."""
from __future__ import annotations

import base64
import io
import uuid
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook

from app import db
from app.forms.publishing import publish_workbook
from app.forms.receiving import receive_submission
from app.models import District, FormVersion, Province, Submission, User
from tests.conftest import TEST_PASSWORD, sign_in
from tests.forms.openrosa_helpers import root_name

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
ROLES = ("anonymous", "officer", "district", "province", "admin")


def people_workbook(form_id: str = "people", version: str = "1") -> bytes:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append(["text", "head_name", "Head of household"])
    survey.append(["text", "national_id", "National ID"])
    survey.append(["text", "note", "Note"])
    survey.append(["image", "photo", "Photo"])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["People", form_id, version])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def people_xml(fv: FormVersion, instance_id: str, *, head_name="สมศรี", national_id="1234567890123",
               note="", photo="", deprecated_id: str | None = None) -> bytes:
    root = root_name(fv)
    meta = f"<instanceID>{escape(instance_id)}</instanceID>"
    if deprecated_id:
        meta += f"<deprecatedID>{escape(deprecated_id)}</deprecatedID>"
    return (f'<?xml version="1.0" encoding="UTF-8"?><{root} id="{fv.form.form_id}" version="{fv.version}">'
            f"<head_name>{escape(head_name)}</head_name><national_id>{escape(national_id)}</national_id>"
            f"<note>{escape(note)}</note><photo>{escape(photo)}</photo><meta>{meta}</meta></{root}>").encode()


def basic(user: User | str, password: str = TEST_PASSWORD) -> dict[str, str]:
    name = user if isinstance(user, str) else user.username
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-OpenRosa-Version": "1.0"}


@dataclass
class World:
    app: object
    fv: FormVersion
    users: dict[str, User]
    other_officer: User  # district 9901 (province 99)
    neighbour_officer: User  # district 4209 (same province)
    own: Submission  # sent by users["officer"] (4201)
    other: Submission  # sent by other_officer (9901)
    neighbour: Submission  # sent by neighbour_officer (4209)
    target: User  # an account the admin pages act on
    clients: dict[str, object] = field(default_factory=dict)
    scored_subs: dict[str, Submission] = field(default_factory=dict)

    def scored(self, which: str) -> Submission:
        """A scored form's submission (the meeting screen) sent by the 4201 officer ("own") or the
        9901 officer ("other"); made on first use, so other tests' counts are unchanged."""
        if not self.scored_subs:
            from tests.scoring import meeting_workbook as mw

            fv = publish_workbook("meeting.xlsx", mw.workbook(), "root").form_version
            for key, user in (("own", self.users["officer"]), ("other", self.other_officer)):
                outcome = receive_submission(mw.xml(fv, instance_id=f"uuid:scored-{key}"), {}, user.username,
                                             sender=user)
                self.scored_subs[key] = outcome.submission
        return self.scored_subs[which]

    def client(self, role: str):
        if role not in self.clients:
            c = self.app.test_client()
            if role != "anonymous":
                sign_in(c, self.users[role].username)
            self.clients[role] = c
        return self.clients[role]

    def send(self, user: User, instance_id: str | None = None, **answers) -> Submission:
        iid = instance_id or f"uuid:{uuid.uuid4()}"
        photo = answers.pop("with_photo", True)
        xml = people_xml(self.fv, iid, photo="p.png" if photo else "", **answers)
        files = {"p.png": (PNG, "image/png")} if photo else {}
        outcome = receive_submission(xml, files, user.username, sender=user)
        assert outcome.status == 201, outcome.message_en
        return outcome.submission


@pytest.fixture
def world(app, make_user) -> World:
    other_province = Province(code="99", name_th="ทดสอบ", name_en="Testland")
    db.session.add(other_province)
    db.session.add(District(code="9901", district_no=1, name_th="เมืองทดสอบ", name_en="Test", province=other_province))
    db.session.commit()
    users = {
        "officer": make_user("officer", district="4201", username="off4201"),
        "district": make_user("district", district="4201", username="dist4201"),
        "province": make_user("province", username="prov42"),
        "admin": make_user("admin", username="root"),
    }
    other_officer = make_user("officer", district="9901", username="off9901")
    neighbour = make_user("officer", district="4209", username="off4209")
    target = make_user("officer", district="4201", username="target")
    fv = publish_workbook("people.xlsx", people_workbook(), "root").form_version
    w = World(app=app, fv=fv, users=users, other_officer=other_officer, neighbour_officer=neighbour,
              own=None, other=None, neighbour=None, target=target)  # type: ignore[arg-type]
    w.own = w.send(users["officer"], "uuid:own-4201")
    w.other = w.send(other_officer, "uuid:other-9901", national_id="9999999999999")
    w.neighbour = w.send(neighbour, "uuid:neighbour-4209", national_id="8888888888888")
    return w
