"""Fixtures of the OTOP tests: the bundled forms published, the demo registry and accounts, and (for the
page tests) the OTOP demo data loaded through the normal receiving path."""
from __future__ import annotations

import pytest

DISTRICT = ("mueang", "chumchon-mueang-demo")  # district office of 4201 (app/demo.DEMO_USERS)
OFFICER = ("somchai", "chumchon-somchai-demo")  # officer of 4201
OTHER_OFFICER = ("malee", "chumchon-malee-demo")  # officer of 4209
PROVINCE = ("loei", "chumchon-loei-demo")
ADMIN = ("admin", "chumchon-admin-demo")
FORMS = ("hh_mapping", "group_registration", "group_followup")


@pytest.fixture
def forms(app):
    """Accounts, villages and the bundled forms (no submissions)."""
    from app.demo import load_demo_users
    from app.forms.publishing import publish_workbook
    from app.registry.seed import seed_villages

    load_demo_users()
    folder = app.config["QUESTIONNAIRES_DIR"]
    for name in FORMS:  # not the 21-indicator assessment: the OTOP pages do not read it
        publish_workbook(f"{name}.xlsx", (folder / f"{name}.xlsx").read_bytes(), published_by="test")
    seed_villages()
    return app


@pytest.fixture
def otop_demo(forms):
    from app.otop.demo import load_otop_demo

    results = load_otop_demo()
    assert results and all(status == 201 for _iid, status in results)
    return results


@pytest.fixture
def as_user(app):
    """as_user(("mueang", password)) -> a test client signed in as that demo account."""
    from tests.conftest import sign_in

    def make(account):
        client = app.test_client()
        sign_in(client, *account)
        return client

    return make
