"""Scope and masking on the OTOP pages: another district's households never appear and its areas,
candidates and groups answer 404; no national ID in any profile page or export, except the district
office's own per-household list, which is audited."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from app import db
from app.models import AuditEvent, HouseholdProfile, Submission
from tests.otop.conftest import ADMIN, DISTRICT, OFFICER, OTHER_OFFICER, PROVINCE


def _xlsx_text(data: bytes) -> str:
    wb = load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def _national_ids() -> set[str]:
    ids = set()
    for data in db.session.scalars(select(Submission.data)):
        ids.update(v for k, v in data.items() if k.endswith("national_id") and v)
    return ids


def _names(district: str) -> set[str]:
    return set(db.session.scalars(select(HouseholdProfile.head_name).where(HouseholdProfile.district_code == district)))


def _candidate_keys(client) -> list[str]:  # noqa: ANN001
    return re.findall(r'data-key="([^"]+)"', client.get("/otop/candidates").get_data(as_text=True))


def test_another_districts_households_never_appear_and_its_areas_answer_404(otop_demo, as_user):
    other_names = _names("4209") - _names("4201")
    assert len(other_names) >= 3
    other_key = "village:42090101:otop:3.1"
    assert _candidate_keys(as_user(OTHER_OFFICER)) == [other_key]  # 4209 has its own weaving candidate

    for account in (DISTRICT, OFFICER):
        client = as_user(account)
        pages = ["/otop/profile", "/otop/candidates", "/otop/candidates?scope=tambon", "/otop/groups",
                 "/otop/candidates/village:42010101:otop:3.1/fill?fy=2569"]
        if account == DISTRICT:
            pages += ["/otop/households", "/otop/targets"]
        for url in pages:
            r = client.get(url)
            assert r.status_code == 200, url
            assert not [n for n in other_names if n in r.get_data(as_text=True)], url
        for url in ("/otop/profile?district=4209", "/otop/candidates?district=4209", "/otop/groups?district=4209",
                    "/otop/profile?village=42090101", "/otop/profile?tambon=420901",
                    f"/otop/candidates/{other_key}/fill?fy=2569"):
            assert client.get(url).status_code == 404, (account, url)
    district = as_user(DISTRICT)
    for url in ("/otop/households?district=4209", "/otop/profile.xlsx?district=4209", "/otop/targets?district=4209"):
        assert district.get(url).status_code == 404, url
    assert district.post("/otop/targets?district=4209&fy=2569", data={"v_42090101": "1"}).status_code == 404
    # a group of 4209: its page and its path are another district's
    from app.demo import REGISTRATION_FILES, _latest, _send
    from app.auth.accounts import find_user
    from app.otop.demo import _registration

    out = _send(_latest("group_registration"), "reg-4209",
                _registration("กลุ่มอาชีพทอผ้าวังสะพุง", "ผ้าทอ", "3.1", "42090102", "2026-01-05"), find_user("malee"),
                REGISTRATION_FILES)
    from app.models import Group

    group = db.session.scalar(select(Group).where(Group.entity_id == out.instance_id))
    assert group.district_code == "4209"
    assert district.get(f"/otop/groups/{group.id}").status_code == 404
    assert district.post(f"/otop/groups/{group.id}/path", data={"formed_on": "2026-01-01"}).status_code == 404
    assert as_user(OTHER_OFFICER).get(f"/otop/groups/{group.id}").status_code == 200

    # the province sees its districts' figures but no names: no candidates, no per-household list
    province = as_user(PROVINCE)
    assert province.get("/otop/profile?district=4209").status_code == 200
    assert province.get("/otop/candidates").status_code == 403
    assert province.get("/otop/households").status_code == 403
    assert as_user(OFFICER).get("/otop/households").status_code == 403


def test_no_national_id_in_any_profile_page_or_export_except_the_districts_audited_list(otop_demo, as_user):
    ids = _national_ids()
    assert len(ids) >= 30
    keys = _candidate_keys(as_user(DISTRICT))
    pages = ["/otop/profile", "/otop/profile?village=42010101", "/otop/candidates", "/otop/candidates?scope=tambon",
             "/otop/groups", "/otop/groups/1", "/otop/targets"] + [f"/otop/candidates/{k}/fill?fy=2569" for k in keys]
    exports = ["/otop/profile.xlsx", "/otop/profile.xlsx?tambon=420101", "/otop/groups.xlsx"]
    for account in (DISTRICT, OFFICER, PROVINCE, ADMIN):
        client = as_user(account)
        for url in pages + exports:
            r = client.get(url)
            if r.status_code != 200:
                continue  # not this role's page (the authorisation matrix says which)
            body = _xlsx_text(r.data) if url in exports or ".xlsx" in url else r.get_data(as_text=True)
            leaked = [i for i in ids if i in body]
            assert not leaked, f"{account[0]} {url}: {leaked[:2]}"

    # the district office's own list shows them, and every view and export is in the audit log
    district = as_user(DISTRICT)
    page = district.get("/otop/households?village=42010101").get_data(as_text=True)
    assert len([i for i in ids if i in page]) == 8  # the 8 households of บ้านทดลอง 1, in full
    export = _xlsx_text(district.get("/otop/households.xlsx").data)
    assert len([i for i in ids if i in export]) >= 28
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.target_type == "household_list")
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor, e.detail["how"]) for e in events] == [
        ("view_households", "mueang", "page"), ("export", "mueang", "xlsx")]
    assert events[0].detail["village"] == "42010101" and events[1].detail["households"] >= 28
