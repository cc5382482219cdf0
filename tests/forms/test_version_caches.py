"""Per-process caches of form versions (labels, scoring specs, the version itself) answer for the
database the process is pointed at now. A version id names one version within one database; the same
process may be pointed at another database where that id is another form (one test after another on
an emptied SQLite database, which reuses ids; a restore): what a page shows must come from the
database it reads, never from the previous one (CI once showed "good" instead of "ระดับ ดี")."""
from __future__ import annotations

from sqlalchemy import text

from app import create_app, db
from app.forms import listing
from app.forms.definitions import published_version
from app.forms.publishing import publish_workbook
from tests.conftest import TEST_CONFIG, _empty_all_tables
from tests.forms.openrosa_helpers import publish
from tests.scoring import meeting_workbook as mw


def test_a_version_id_seen_in_another_database_gets_this_databases_labels(app, database_url, tmp_path):
    first = publish("household", "1")  # no levels sheet
    reused_id = first.id
    assert listing.level_label(reused_id, "good")["th"] == "good"  # unknown there: the name itself
    assert published_version("household", "1").id == reused_id

    # The same process pointed at a database where that id is another form (as the next test is).
    other = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "INSTANCE_DIR": tmp_path / "b"})
    with other.app_context():
        _empty_all_tables()
        fv = publish_workbook("meeting.xlsx", mw.workbook(), "tester").form_version
        if fv.id != reused_id:  # PostgreSQL never reuses ids: give it the id the cache saw
            db.session.execute(text("UPDATE form_versions SET id = :old WHERE id = :new"),
                               {"old": reused_id, "new": fv.id})
            db.session.commit()
        label = listing.level_label(reused_id, "good")
        assert label["th"] == "ระดับ ดี" and label["en"] == "Good", label
        assert published_version("household", "1") is None
        assert published_version(mw.FORM_ID, "1").id == reused_id
        db.session.remove()
