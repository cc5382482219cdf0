"""The offline manifest's registry_version comes from stored per-district revisions
(app/registry/revisions.py): it changes when a list the user gets changes — a group approved,
renamed, moved or removed in one of the user's districts, a village changed — and not when another
district's registry changes; it costs one small query however big the registry is."""
from __future__ import annotations

from datetime import date

from sqlalchemy import event

from app import db
from app.models import Group, GroupStatus, Village
from tests.conftest import sign_in


def _group(code: str, district: str, status: str = GroupStatus.APPROVED) -> Group:
    g = Group(code=code, kind="savings", name=f"กลุ่ม {code}", district_code=district, status=status,
              registered_on=date(2020, 1, 1), properties={})
    db.session.add(g)
    db.session.commit()
    return g


def _version(client) -> str:
    return client.get("/offline/manifest.json").get_json()["registry_version"]


def _signed_in(app, make_user, role: str, district: str | None):
    from app.demo import publish_bundled

    publish_bundled()
    client = app.test_client()
    sign_in(client, make_user(role, district=district).username)
    return client


def test_a_change_in_my_district_changes_my_version_and_another_districts_does_not(app, make_user):
    mine = _signed_in(app, make_user, "officer", "4201")
    province = app.test_client()
    sign_in(province, make_user("province").username)
    start, start_province = _version(mine), _version(province)
    _group("SG-4209-X001", "4209")  # another district of the province
    assert _version(mine) == start
    assert _version(province) != start_province  # the province's lists hold 4209's groups
    g = _group("SG-4201-X001", "4201")
    after_add = _version(mine)
    assert after_add != start
    g.name = "กลุ่มที่เปลี่ยนชื่อ"
    db.session.commit()
    after_rename = _version(mine)
    assert after_rename != after_add
    g.district_code = "4209"  # moved out of my district: my list loses it
    db.session.commit()
    assert _version(mine) != after_rename
    village = Village(code="42010199", name_th="บ้านใหม่", tambon_code="420101", tambon_th="ตำบล",
                      district_code="4201")
    before_village = _version(mine)
    db.session.add(village)
    db.session.commit()
    assert _version(mine) != before_village


def test_the_manifest_asks_the_registry_once_whatever_its_size(app, make_user):
    client = _signed_in(app, make_user, "admin", None)
    db.session.add_all([Group(code=f"SG-4201-B{n:04d}", kind="savings", name=f"กลุ่ม {n}", district_code="4201",
                              status=GroupStatus.APPROVED, properties={}) for n in range(300)])
    db.session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, *_a):  # noqa: ANN001
        statements.append(statement)

    event.listen(db.engine(), "before_cursor_execute", count)
    try:
        assert client.get("/offline/manifest.json").status_code == 200
    finally:
        event.remove(db.engine(), "before_cursor_execute", count)
    assert not any("registry_groups" in s for s in statements), statements
