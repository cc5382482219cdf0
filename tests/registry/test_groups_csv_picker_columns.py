"""groups.csv for the fill page's group picker (app/registry/media.py): rows in natural order of the
name, and the columns the picker reads (ODK Collect ignores them): the village's Thai name, the date a
group was assessed in the current round (the Thai fiscal year of app/periods.py), whether the officer
is assigned to it, and when this officer last assessed it."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from app import db
from app.forms.publishing import publish_workbook
from app.forms.receiving import receive_submission
from app.models import Group, GroupStatus, OfficerAssignment, Village
from app.periods import fiscal_year_bounds, fiscal_year, today_in_thailand
from app.registry.media import groups_csv
from tests.scoring import meeting_workbook as mw


def rows(user) -> list[dict]:
    return list(csv.DictReader(io.StringIO(groups_csv(user).decode("utf-8"))))


def add_group(code: str, name: str, village: str) -> Group:
    g = Group(code=code, kind="savings", name=name, village_code=village, district_code="4201",
              status=GroupStatus.APPROVED, registration_no=code, registered_on=date(2015, 1, 1), decided_by="t",
              entity_id=f"t:{code}", properties={})
    db.session.add(g)
    return g


def test_groups_csv_carries_what_the_picker_shows(app, make_user):
    db.session.add(Village(code="42010101", name_th="บ้านนาดี", tambon_code="420101", tambon_th="ต.เมือง",
                           district_code="4201"))
    for code, name in (("SG-A", "กลุ่มออมทรัพย์ 10"), ("SG-B", "กลุ่มออมทรัพย์ 2"), ("SG-C", "กลุ่มออมทรัพย์ 1")):
        add_group(code, name, "42010101")
    db.session.commit()
    officer, other = make_user("officer", district="4201"), make_user("officer", district="4201")
    db.session.add(OfficerAssignment(user_id=officer.id, group_id=db.session.query(Group.id).filter_by(code="SG-B").scalar(),
                                     assigned_by="t"))
    db.session.commit()
    fv = publish_workbook("meeting.xlsx", mw.workbook(), "tester").form_version
    today = today_in_thailand()
    last_round = fiscal_year_bounds(fiscal_year(today))[0] - timedelta(days=10)  # the previous fiscal year
    for group, day, sender in (("SG-A", today, officer), ("SG-C", last_round, other)):
        assert receive_submission(mw.xml(fv, group=group, assessed_on=day.isoformat()), {}, sender.username,
                                  sender=sender).status == 201

    mine = rows(officer)
    assert [r["label"] for r in mine] == ["กลุ่มออมทรัพย์ 1", "กลุ่มออมทรัพย์ 2", "กลุ่มออมทรัพย์ 10"]  # natural order
    by = {r["name"]: r for r in mine}
    assert {r["village_label"] for r in mine} == {"บ้านนาดี"}
    assert by["SG-A"]["assessed"] == today.isoformat()  # this round
    assert by["SG-C"]["assessed"] == ""  # assessed last round only
    assert (by["SG-B"]["assigned"], by["SG-A"]["assigned"]) == ("1", "")
    assert by["SG-A"]["recent"] == today.isoformat() and by["SG-C"]["recent"] == ""
    # The group's last assessment, for the offline meeting screen's "last time" line.
    assert (by["SG-A"]["last_assessed"], by["SG-A"]["last_level"]) == (today.isoformat(), "good")
    assert by["SG-A"]["last_percent"] == "92.86"  # 13 of 14 (the default answers of mw.xml)
    assert by["SG-C"]["last_assessed"] == last_round.isoformat() and by["SG-B"]["last_assessed"] == ""
    theirs = {r["name"]: r for r in rows(other)}
    assert theirs["SG-B"]["assigned"] == "" and theirs["SG-A"]["recent"] == ""
    assert theirs["SG-C"]["recent"] == last_round.isoformat()
    assert theirs["SG-A"]["assessed"] == today.isoformat()  # assessed this round, by whoever
