"""The district's worklist at /district, with a pinned "today" (config TODAY, app/clock.py): groups not
assessed this round appear and leave once assessed; a missing monthly report is listed after the 20th
of the following month and not before; officers see their assigned groups only; corrections, level-1
groups with their weakest principle and committee plans due are listed with a link to what to do."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

from sqlalchemy import select

from app import db
from app.models import CommitteeLink, CommitteePlan, OfficerAssignment, Score
from tests.conftest import sign_in
from tests.reports.monthly_helpers import send_monthly


def section(html: str, key: str) -> str:
    found = re.search(rf'<section class="report-section" id="{key}">(.*?)</section>', html, re.S)
    assert found, f"no section {key}"
    return found.group(1)


def groups_in(html: str, key: str) -> set[str]:
    return set(re.findall(r'data-group="([^"]+)"', section(html, key)))


def page(app, user, path="/district", **params):
    c = app.test_client()
    sign_in(c, user.username)
    r = c.get(path, query_string=params)
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def test_a_group_assessed_last_fiscal_year_but_not_this_one_is_listed_until_assessed(app, oversight):
    oversight.assess("g1", "2024-03-10")  # fiscal year 2567
    oversight.assess("g2", "2024-10-05")  # fiscal year 2568 (today 25 Nov 2024)
    html = page(app, oversight.district_user)
    assert groups_in(html, "not_assessed") == {"g1"}
    row = re.search(r'data-group="g1">(.*?)</tr>', section(html, "not_assessed"), re.S).group(1)
    assert "10 มี.ค. 2567" in row  # last assessment date, Buddhist Era
    assert 'href="/forms/sg_meeting_test/fill"' in row  # the thing to do
    assert re.search(r'data-section="not_assessed"><span class="count">1<', html)
    oversight.assess("g1", "2024-11-20")
    html = page(app, oversight.district_user)
    assert groups_in(html, "not_assessed") == set()
    assert re.search(r'data-section="not_assessed"><span class="count">0<', html)


def test_a_late_monthly_report_is_listed_after_the_20th_and_not_before(app, oversight):
    send_monthly(oversight.monthly, oversight.officer, "g1", 2567, 9)  # September 2024 (B.E. 2567)
    app.config["TODAY"] = "2024-11-20"  # October's report is due today: not late yet; September is
    html = page(app, oversight.district_user)
    assert groups_in(html, "monthly_missing") == {"g2"}  # g1 sent September, g2 did not
    app.config["TODAY"] = "2024-11-21"  # now October is late for both
    html = page(app, oversight.district_user)
    assert groups_in(html, "monthly_missing") == {"g1", "g2"}
    assert "Oct" in section(html, "monthly_missing")[:400] or "October" in section(html, "monthly_missing")[:400]
    send_monthly(oversight.monthly, oversight.officer, "g1", 2567, 10)
    html = page(app, oversight.district_user)
    assert groups_in(html, "monthly_missing") == {"g2"}


def test_an_officer_sees_the_same_list_for_the_groups_assigned_to_them(app, oversight):
    db.session.add(OfficerAssignment(user_id=oversight.officer.id, group_id=oversight.groups["g2"].id))
    db.session.commit()
    html = page(app, oversight.officer)
    assert groups_in(html, "not_assessed") == {"g2"}
    assert groups_in(html, "monthly_missing") == {"g2"}
    assert "งานที่ต้องทำของฉัน" in html
    district_html = page(app, oversight.district_user)
    assert groups_in(district_html, "not_assessed") == {"g1", "g2"}


def test_filters_by_tambon_and_officer(app, oversight):
    db.session.add(OfficerAssignment(user_id=oversight.officer.id, group_id=oversight.groups["g1"].id))
    db.session.commit()
    assert groups_in(page(app, oversight.district_user, tambon="420102"), "not_assessed") == {"g2"}
    assert groups_in(page(app, oversight.district_user, officer=str(oversight.officer.id)), "not_assessed") == {"g1"}


def test_corrections_level1_with_weakest_principle_and_plans_due_link_to_what_to_do(app, oversight):
    weak = oversight.assess("g2", "2024-10-10", good=False)
    bad = send_monthly(oversight.monthly, oversight.officer, "g1", 2567, 9, borrowers=99)  # > members
    score = db.session.scalar(select(Score).where(Score.submission_id == weak.submission.id))
    link = CommitteeLink(form_pk=score.form_pk, group_ref="g2", district_code="4201", token_hash="x" * 64,
                         expires_at=datetime(2030, 1, 1, tzinfo=timezone.utc))
    db.session.add(link)
    db.session.flush()
    db.session.add(CommitteePlan(link_id=link.id, form_pk=score.form_pk, group_ref="g2", district_code="4201",
                                 round_year=2568, score_group="money", action="อบรมการทำบัญชี", responsible="เหรัญญิก",
                                 target_date=date(2024, 12, 10), created_at=datetime(2024, 11, 1, tzinfo=timezone.utc)))
    db.session.commit()
    html = page(app, oversight.district_user)
    corrections = section(html, "corrections")
    assert f'/forms/sg_monthly_status/submissions/{bad.instance_id}' in corrections
    level1 = section(html, "level1")
    assert 'data-group="g2"' in level1 and f"/submissions/{weak.instance_id}/meeting" in level1
    assert "หลักความโปร่งใส" in level1 or "หลักนิติธรรม" in level1  # its weakest principle, by name
    plans = section(html, "plans_due")
    assert "อบรมการทำบัญชี" in plans and f"/submissions/{weak.instance_id}/meeting" in plans
    # a new assessment after the plan was made: followed up there, off the list; level 1 gone too
    oversight.assess("g2", "2024-11-24")
    html = page(app, oversight.district_user)
    assert "อบรมการทำบัญชี" not in section(html, "plans_due")
    assert 'data-group="g2"' not in section(html, "level1")


def test_each_role_lands_on_its_home_page_after_signing_in(app, oversight, make_user):
    for user, home in ((oversight.district_user, "/district"), (oversight.province_user, "/province"),
                       (oversight.officer, "/forms")):
        c = app.test_client()
        r = sign_in(c, user.username)
        assert r.headers["Location"].endswith(home), (user.role, r.headers["Location"])
    c = app.test_client()
    from tests.conftest import csrf_token_of

    token = csrf_token_of(c.get("/signin").get_data(as_text=True))
    r = c.post("/signin", data={"username": oversight.district_user.username, "password": "test-password-123",
                                "csrf_token": token, "next": "/targets"})
    assert r.headers["Location"].endswith("/targets")  # an asked-for page still wins


def test_province_and_admin_open_a_district_and_other_districts_answer_404(app, oversight, make_user):
    html = page(app, oversight.province_user, "/district/4201")
    assert "งานที่ต้องทำ อำเภอเมืองเลย" in html
    other_district = make_user("district", district="4209")
    c = app.test_client()
    sign_in(c, other_district.username)
    assert c.get("/district/4201").status_code == 404
    assert c.get("/district/4201/groups").status_code == 404
    assert c.get("/province").status_code == 404
