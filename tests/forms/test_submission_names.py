"""Records named for people (issue 14): the submissions list shows the group's registered name, its
village, the district, the server's level and the assessment date in the Buddhist Era, and finds a group
by a Thai substring of its name or village; the detail page has the group, level and date at the top and
shows variable names and codes only when asked."""
from __future__ import annotations

import re

import pytest

from app import db
from app.forms.publishing import publish_workbook
from app.forms.receiving import receive_submission
from app.models import Group, GroupStatus, Village
from tests.conftest import sign_in
from tests.scoring import meeting_workbook as mw


@pytest.fixture
def world(app, make_user):
    fv = publish_workbook("meeting.xlsx", mw.workbook(), "tester").form_version
    db.session.add(Village(code="42010101", name_th="บ้านนาดี", name_en="Ban Na Di", tambon_code="420101",
                           tambon_th="ตำบลกุดป่อง", district_code="4201"))
    db.session.add(Group(code="g1", kind="savings", name="กลุ่มออมทรัพย์เพื่อการผลิตบ้านนาดีพัฒนา",
                         village_code="42010101", district_code="4201", status=GroupStatus.APPROVED))
    db.session.commit()
    officer = make_user("officer", district="4201", username="off-names")
    subs = {}
    for ref, answers in (("g1", {"i01": "3", "i02": "3", "i03": "3", "i05": "yes"}),
                         ("g2", {"i01": "0", "i02": "0", "i03": "0", "i05": "no"})):
        outcome = receive_submission(mw.xml(fv, group=ref, assessed_on="2024-03-10", **answers), {},
                                     officer.username, sender=officer)
        assert outcome.status == 201
        subs[ref] = outcome.submission
    client = app.test_client()
    sign_in(client, make_user("district", district="4201").username)
    return {"fv": fv, "subs": subs, "client": client}


def rows_of(html: str) -> list[str]:
    return re.findall(r'data-instance-id="([^"]+)"', html)


def test_list_names_group_village_district_level_and_date(world):
    html = world["client"].get(f"/forms/{mw.FORM_ID}/submissions").get_data(as_text=True)
    row = html[html.index(f'data-instance-id="{world["subs"]["g1"].instance_id}"'):]
    row = row[:row.index("</tr>")]
    assert "กลุ่มออมทรัพย์เพื่อการผลิตบ้านนาดีพัฒนา" in row  # the registry's name, not "g1"
    assert "บ้านนาดี" in row and "เมืองเลย" in row and "Mueang Loei" in row
    assert 'data-level="good"' in row and "ระดับ ดี" in row
    assert "10 มี.ค. 2567" in row  # the assessment date in the Buddhist Era
    assert "uuid:" not in row.split('data-instance-id="')[0] + re.sub(r'(href|data-instance-id)="[^"]*"', "", row)
    assert "2024-03-10" not in row
    # a group that is not in the registry keeps the name the form gives its option
    other = html[html.index(f'data-instance-id="{world["subs"]["g2"].instance_id}"'):]
    assert "กลุ่มออมทรัพย์บ้านหนองบัว" in other[:other.index("</tr>")]


def test_search_finds_a_group_by_a_thai_substring_of_its_name_or_village(world):
    client = world["client"]
    get = lambda q: rows_of(client.get(f"/forms/{mw.FORM_ID}/submissions", query_string={"q": q},  # noqa: E731
                                       headers={"HX-Request": "true"}).get_data(as_text=True))
    assert get("นาดีพัฒนา") == [world["subs"]["g1"].instance_id]  # in the group's name
    assert get("บ้านนาดี") == [world["subs"]["g1"].instance_id]  # the village's name
    assert get("g1") == [world["subs"]["g1"].instance_id]  # its code
    assert get(world["subs"]["g2"].instance_id) == [world["subs"]["g2"].instance_id]  # the exact instanceID
    assert sorted(get("off-names")) == sorted(s.instance_id for s in world["subs"].values())  # the sender
    assert get("ไม่มีกลุ่มนี้") == []
    assert get("100%_") == []  # LIKE wildcards are text


def test_detail_puts_group_level_and_date_on_top_and_names_on_request(world):
    sub = world["subs"]["g1"]
    html = world["client"].get(f"/forms/{mw.FORM_ID}/submissions/{sub.instance_id}").get_data(as_text=True)
    top = html[html.index("<h1>"):html.index('class="card answers"')]
    assert "<h1>กลุ่มออมทรัพย์เพื่อการผลิตบ้านนาดีพัฒนา</h1>" in top
    assert "ระดับ ดี" in top and "บ้านนาดี" in top and "10 มี.ค. 2567" in top and "เมืองเลย" in top
    shown = re.sub(r'(href|data-[a-z-]+)="[^"]*"', "", top)  # what a person reads, not the links
    assert sub.instance_id not in shown and "sg_meeting_test" not in shown
    answers = html[html.index('class="card answers"'):]
    assert "i01" not in re.sub(r'(id|data-path|href)="[^"]*"', "", answers)  # labels, not variable names
    assert "มีระเบียบกลุ่มเป็นลายลักษณ์อักษร" in answers
    named = world["client"].get(f"/forms/{mw.FORM_ID}/submissions/{sub.instance_id}?names=1").get_data(as_text=True)
    assert sub.instance_id in named and '<span class="mono var-name">i01</span>' in named
    assert "Hide variable names" in named


def test_exports_carry_group_village_district_level_and_thai_time(world):
    import csv
    import io

    r = world["client"].get(f"/forms/{mw.FORM_ID}/export.csv?headers=names")
    assert r.status_code == 200
    rows = {row["_instance_id"]: row for row in csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")))}
    g1 = rows[world["subs"]["g1"].instance_id]
    assert g1["_group_name"] == "กลุ่มออมทรัพย์เพื่อการผลิตบ้านนาดีพัฒนา" and g1["_village"] == "บ้านนาดี"
    assert g1["_district"] == "เมืองเลย" and g1["_level"] == "ระดับ ดี" and g1["_assessed_on"] == "2024-03-10"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", g1["_received_th"])
    assert rows[world["subs"]["g2"].instance_id]["_level"] == "ระดับ ต้องพัฒนา"
