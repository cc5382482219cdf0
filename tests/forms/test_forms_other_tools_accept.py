"""Forms other tools accept publish here too: choice names with spaces in a list only select_one
questions use (an OpenStreetMap form's opening hours "Mo-Sa 08:00-18:00") are a warning, and such an
answer is received and stored exactly; only a list a select_multiple uses refuses them (its answer is
a space-separated list, so "Mo-Sa 08:00-18:00" would read as two choices)."""
from __future__ import annotations

import pytest

from app.forms.publishing import publish_workbook
from app.forms.receiving import receive_submission
from app.models import SubmissionStatus
from app.xlsform.convert import convert_workbook
from app.xlsform.problems import WorkbookRejected
from tests.xlsform.xlsx_builder import make_xlsx

CHOICES = [["list_name", "name", "label"], ["hours", "Mo-Sa 08:00-18:00", "Mon-Sat 8-18"], ["hours", "24/7", "Always"]]


def workbook(kind: str) -> bytes:
    return make_xlsx([["type", "name", "label"], [f"{kind} hours", "opening_hours", "Opening hours"]], CHOICES,
                     [["form_id", "version"], ["osm_shop", "1"]])


def test_spaces_in_a_select_one_list_publish_with_a_located_warning_and_the_answer_is_kept(app):
    result = publish_workbook("osm.xlsx", workbook("select_one"), "staff")
    fv = result.form_version
    warning = next(p for p in result.problems if p.code == "choice_name_space")
    assert (warning.level, warning.sheet, warning.row, warning.column) == ("warning", "choices", 2, "name")
    xml = (f'<data id="osm_shop" version="1"><opening_hours>Mo-Sa 08:00-18:00</opening_hours>'
           f'<meta><instanceID>uuid:osm-1</instanceID></meta></data>').encode()
    out = receive_submission(xml, {}, "officer")
    assert out.status == 201 and out.submission.status == SubmissionStatus.ACCEPTED, out.errors
    assert out.submission.data["/data/opening_hours"] == "Mo-Sa 08:00-18:00"
    assert fv.form.form_id == "osm_shop"


def test_spaces_in_a_list_a_select_multiple_uses_are_refused_at_their_cell():
    with pytest.raises(WorkbookRejected) as e:
        convert_workbook("osm.xlsx", workbook("select_multiple"))
    error = next(p for p in e.value.problems if p.code == "choice_name_space")
    assert (error.level, error.sheet, error.row) == ("error", "choices", 2)
    assert "select_multiple" in error.message_en
