"""The effect of a draft's scoring on results already given (issue 13): every current assessment
re-scored under the draft's rules. On the demo data (Loei's 508 groups), changing one threshold in
`levels` shows exactly the groups whose level would change — the same list the score table gives
for that threshold — on the page and in its XLSX."""
from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import db
from app.models import Score, Submission

BUNDLED = Path(__file__).resolve().parents[2] / "app" / "questionnaires" / "sg_assessment_21.xlsx"


def with_level_threshold(level: str, old: int, new: int, version: str) -> bytes:
    """The bundled assessment with one level's min_percent changed (and the provisional-level
    calculate that repeats it, which publishing checks against the sheet)."""
    wb = load_workbook(BUNDLED)
    for row in wb["levels"].iter_rows(min_row=2):
        if str(row[0].value) == level:
            assert row[3].value == old
            row[3].value = new
    for row in wb["survey"].iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and f">= {old}, 'ระดับ {level}" in cell.value:
                cell.value = cell.value.replace(f">= {old}, 'ระดับ {level}", f">= {new}, 'ระดับ {level}")
    settings = wb["settings"]
    header = [c.value for c in settings[1]]
    settings.cell(row=2, column=header.index("version") + 1, value=version)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def demo(app):
    from app.demo import load_demo_users, publish_bundled
    from app.demo import load_assessments
    from app.registry.seed import seed_savings_groups, seed_villages

    load_demo_users()
    publish_bundled()
    seed_villages()
    seed_savings_groups()
    results = load_assessments()
    assert len(results) == 508 and all(status == 201 for _i, status in results)
    return app


def expected_moves(lower: Fraction, upper: Fraction, before: str) -> set[str]:
    """Groups whose exact percent lies in [lower, upper) and whose stored level is `before`."""
    rows = db.session.execute(select(Score.group_ref, Score.total, Score.max, Score.level_name)
                              .where(Score.is_current.is_(True))).all()
    return {g for g, total, maximum, level in rows
            if level == before and maximum and lower <= Fraction(str(total)) * 100 / Fraction(str(maximum)) < upper}


@pytest.mark.slow  # the demo's 508 assessments go through the receiving path (~30-60 s)
def test_one_threshold_change_shows_exactly_the_groups_that_move(demo, admin_client):
    from app.forms.drafts import save_draft
    from app.scoring.preview import rescore_preview

    # level 2 now starts at 55 % instead of 50 %: groups at 50-55 % drop from level 2 to level 1
    draft = save_draft("sg_assessment_21.xlsx", with_level_threshold("2", 50, 55, "draft-2"), "admin").draft
    from app.forms.drafts import form_of

    form_pk = form_of(draft).id
    want = expected_moves(Fraction(50), Fraction(55), "2")
    assert want, "the demo data has no group between 50 and 55 %: the test would prove nothing"

    preview = rescore_preview(form_pk, draft.scoring, batch_size=100)  # several batches
    assert preview.read == 508
    assert {m.group_ref for m in preview.moves} == want
    assert dict(((a, b), n) for a, b, n in preview.summary()) == {("2", "1"): len(want)}
    assert all(m.group_name for m in preview.moves)  # named from the registry
    # nothing is written: the score table still says what the groups were told
    assert len(expected_moves(Fraction(50), Fraction(55), "2")) == len(want)

    page = admin_client.get("/forms/sg_assessment_21/draft/rescore")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "508 current assessments re-scored" in html
    assert f"{len(want)} groups would move from Level 2 fair to Level 1 needs development" in html
    assert f'data-before="2" data-after="1" data-count="{len(want)}"' in html
    assert all(g in html for g in want)
    assert "Level 1" in html and "threshold changed" in html  # the rule that changed, shown with its effect

    book = load_workbook(io.BytesIO(admin_client.get("/forms/sg_assessment_21/draft/rescore.xlsx").data))
    summary = list(book["Level changes"].iter_rows(values_only=True))
    assert "508" in summary[0][0]
    counts = {(r[0], r[1]): r[2] for r in summary[2:]}
    moved = [v for (a, b), v in counts.items() if a.startswith("ระดับ 2") and b.startswith("ระดับ 1")]
    assert moved == [len(want)]  # the page's figure, in its XLSX
    listed = {r[0] for r in list(book["Groups that move"].iter_rows(values_only=True))[1:]}
    assert listed == want
    changes = list(book["What changed"].iter_rows(values_only=True))
    assert any(r[7] == "min_percent" and r[1] == "2" and (r[3], r[4]) == ("50", "55") for r in changes[2:])


def test_preview_reads_in_batches_and_counts_what_it_read(app):
    """Streaming: the rows come in batches by id; every current scored record is read once."""
    from app.forms.publishing import publish_workbook
    from app.forms.receiving import receive_submission
    from app.scoring.preview import rescore_preview
    from tests.scoring import meeting_workbook as mw

    fv = publish_workbook("m.xlsx", mw.workbook("1"), "a").form_version
    for i in range(7):
        receive_submission(mw.xml(fv, group=f"g{1 + i % 2}", instance_id=f"uuid:b{i}", i01=str(i % 4)), {}, "t")
    edited = db.session.scalar(select(Submission).where(Submission.instance_id == "uuid:b0"))
    receive_submission(mw.xml(fv, instance_id="uuid:b0-edit", deprecated_id=edited.instance_id, i01="0"), {}, "t")
    spec = dict(fv.scoring, levels=[{**fv.scoring["levels"][0], "min_percent": 101}, fv.scoring["levels"][1]])
    preview = rescore_preview(fv.form_pk, spec, batch_size=2)
    assert preview.read == 7  # 8 records, one superseded by its edit
    assert preview.changed == sum(1 for m in preview.moves) and all(m.after == "develop" for m in preview.moves)
    assert preview.transitions[("develop", "develop")] + preview.changed == 7


def test_the_previews_fast_level_is_the_scorers_on_every_shared_vector():
    """level_of (what the preview uses) must give the level and percent score() gives, for every case
    of tests/scoring/vectors.json."""
    from app.scoring.core import level_of, score
    from tests.scoring.test_vectors import CASES, spec_of

    for case in CASES:
        full = score(spec_of(case), case["answers"]).to_dict()
        level, percent = level_of(spec_of(case), case["answers"])
        assert (level, percent) == (full["level"], full["percent"]), case["id"]


def test_answers_are_found_where_the_new_version_moved_them():
    from app.scoring.preview import _Answers

    spec = {"indicators": [{"name": "i01", "path": "/data/p_new/i01"}, {"name": "i02", "path": "/data/p/i02"}]}
    got = _Answers(spec).of({"/data/p_old/i01": "3", "/data/p/i02": "1", "/data/r": [{"/data/r/i01": "0"}]})
    assert got == {"i01": "3", "i02": "1"}
