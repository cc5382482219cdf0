"""A small district for the oversight tests: villages in two tambons of 4201, approved savings groups
g1 and g2 (the codes the scoring test workbook offers), the scoring test workbook as the report's
assessment form, the bundled monthly form, and a pinned "today"."""
from __future__ import annotations

from datetime import date

import pytest

from app import db
from app.forms.publishing import publish_workbook
from app.forms.receiving import receive_submission
from app.models import Group, GroupStatus, Village
from tests.reports.monthly_helpers import publish_monthly
from tests.scoring import meeting_workbook as mw


@pytest.fixture
def oversight(app, make_user):
    """Returns a namespace: officer, district user, province user, assessment fv, monthly fv, groups."""
    app.config["REPORT_ASSESSMENT_FORM"] = mw.FORM_ID
    app.config["TODAY"] = "2024-11-25"
    for code, tambon in (("42010101", "420101"), ("42010201", "420102")):
        db.session.add(Village(code=code, name_th=f"บ้าน {code}", tambon_code=tambon, tambon_th=f"ตำบล {tambon}",
                               district_code="4201"))
    groups = {}
    for code, village in (("g1", "42010101"), ("g2", "42010201")):
        groups[code] = Group(code=code, kind="savings", name=f"กลุ่มออมทรัพย์ {code}", village_code=village,
                             district_code="4201", status=GroupStatus.APPROVED, registration_no=code,
                             registered_on=date(2020, 1, 1))
        db.session.add(groups[code])
    db.session.commit()

    class O:
        pass

    o = O()
    o.groups = groups
    o.officer = make_user("officer", district="4201", username="off-a")
    o.district_user = make_user("district", district="4201", username="dist-a")
    o.province_user = make_user("province", username="prov-a")
    o.assessment = publish_workbook("meeting.xlsx", mw.workbook(), "test").form_version
    o.monthly = publish_monthly()

    def assess(group: str, on: str, good: bool = True, sender=None):  # noqa: ANN001, ANN202
        answers = {} if good else {"i01": "0", "i02": "0", "i03": "1", "rate": "20", "i05": "no"}
        outcome = receive_submission(mw.xml(o.assessment, group=group, assessed_on=on, **answers), {},
                                     (sender or o.officer).username, sender=sender or o.officer)
        assert outcome.status == 201
        return outcome

    o.assess = assess
    return o
