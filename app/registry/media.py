"""Registry lists served as form media, generated per request for the signed-in user.

A form that says `select_one_from_file groups.csv` or `select_one_from_file villages.csv` gets the
registry's current list, scoped to the user, from the same routes that serve uploaded media (the
fill page's media route, the OpenRosa manifest and media download):

- groups.csv — approved groups: name (the group code the form stores), label, kind
  (occupational | savings), district, village; and for the fill page's group picker (extra columns
  ODK Collect ignores): village_label (the village's Thai name, searched by the picker), assessed
  (the latest assessment date in the current round, the Thai fiscal year of app/periods.py, blank
  when none), assigned ("1" when the signed-in officer is assigned to the group at /assignments),
  recent (the latest assessment date this user sent about the group, this round or the last);
  last_assessed, last_percent, last_level (the group's latest assessment: date, percent, level name),
  for the offline meeting screen's "last time" line. Rows in
  natural order of the name (กลุ่ม 2 before กลุ่ม 10), as the picker and ODK Collect show them.
  Scope: an officer or district office sees its
  district's groups, a province account its province's, an admin all. So the assessment's group
  list is "the user's district" without any filter expression in the form (decision: the server
  scopes the file, ODK Collect and the browser see only what they may assess).
- villages.csv — one row per district, tambon and village: name (code), label, level
  (district | tambon | village), district, tambon. One file drives the cascade with choice_filters
  (`level = 'tambon' and district = ${district}`). Scope: officer/district their district,
  province their province, admin all.

A file attached to the form version at publish (FormMedia) takes precedence: the registry only
fills in what the form did not bring. A form that reads a column the registry does not write
(e.g. `pulldata('villages', 'population', ...)`) must attach its own file; publishing requires that.

The content changes when the registry does, so it is served `no-cache` (revalidated), unlike the
immutable uploaded media.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlalchemy import select

from app import db
from app.auth.scope import district_codes
from app.models import District, Group, GroupStatus, User, Village

REGISTRY_COLUMNS: dict[str, tuple[str, ...]] = {
    "groups.csv": ("name", "label", "kind", "district", "village", "village_label", "assessed", "assigned", "recent",
                   "last_assessed", "last_percent", "last_level"),
    "villages.csv": ("name", "label", "level", "district", "tambon"),
}
_PULLDATA = re.compile(r"pulldata\(\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]+)['\"]")
_INSTANCE_COL = re.compile(r"instance\(\s*['\"]([^'\"]+)['\"]\s*\)/root/item/([A-Za-z_][\w.-]*)")


def columns_read(name: str, xform: str, definition: Any) -> set[str]:
    """The columns of the CSV `name` that a form reads (select value/label, pulldata, instance paths)."""
    stem = name[:-4] if name.endswith(".csv") else name
    cols: set[str] = set()
    for node in (definition.nodes() if definition is not None else []):
        its = getattr(node, "itemset", None)
        if its is not None and its.external_file == name:
            cols.update(c for c in (its.value_ref, its.label_ref) if c)
    for m in _PULLDATA.finditer(xform or ""):
        if m.group(1) == stem:
            cols.add(m.group(2))
    for m in _INSTANCE_COL.finditer(xform or ""):
        if m.group(1) == stem:
            cols.add(m.group(2))
    return {c.split("::")[0] for c in cols}


def provided_by_registry(name: str, xform: str, definition: Any) -> bool:
    """True when the registry can serve the file `name` to this form (so it need not be attached)."""
    known = REGISTRY_COLUMNS.get(name)
    return known is not None and columns_read(name, xform, definition) <= set(known)


def registry_files_needed(xform: str) -> list[str]:
    """Registry file names the XForm refers to (jr://file-csv/<name>)."""
    return [n for n in REGISTRY_COLUMNS if f"jr://file-csv/{n}" in (xform or "")]


_lists_of: dict[tuple[int, str], list[str]] = {}


def registry_lists_of(fv) -> list[str]:  # noqa: ANN001
    """The registry files a form version reads and did not bring as attached media: the server makes
    them for each user (a file attached at publish takes precedence). Kept per process (versions are
    immutable), so the XForm text is read once."""
    key = (fv.id, fv.content_hash)
    found = _lists_of.get(key)
    if found is None:
        attached = {m.filename for m in fv.media}
        found = [n for n in registry_files_needed(fv.xform) if n not in attached]
        if len(_lists_of) > 1024:
            _lists_of.clear()
        _lists_of[key] = found
    return list(found)


def _csv(header: tuple[str, ...], rows: list[tuple]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def groups_for(user: User | None) -> list[Group]:
    """The approved groups the user's lists offer (their district; province: its districts; admin: all)."""
    codes = district_codes(user)
    stmt = select(Group).where(Group.status == GroupStatus.APPROVED).order_by(Group.district_code, Group.name)
    if codes is not None:
        stmt = stmt.where(Group.district_code.in_(codes))
    return list(db.session.scalars(stmt))


def group_names(codes: list[str]) -> dict[str, str]:
    """Registered name by group code, for the codes given (unknown codes are left out)."""
    if not codes:
        return {}
    return {g.code: g.name for g in db.session.scalars(select(Group).where(Group.code.in_(codes)))}


def natural_key(text: str) -> list:
    """Sort key that orders numbers by value: "กลุ่ม 2" before "กลุ่ม 10"."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
            for part in re.split(r"(\d+)", text or "") if part]


def _picker_columns(user: User | None, groups: list[Group]) -> dict[str, dict[str, str]]:
    """village_label, assessed, assigned and recent by group code (see the module docstring)."""
    from sqlalchemy import func

    from app.models import OfficerAssignment, Score, Submission
    from app.periods import fiscal_year, fiscal_year_bounds, today_in_thailand

    codes = [g.code for g in groups]
    out: dict[str, dict[str, str]] = {c: {} for c in codes}
    if not codes:
        return out
    villages = {g.village_code for g in groups if g.village_code}
    names = dict(db.session.execute(select(Village.code, Village.name_th).where(Village.code.in_(villages))).all()) if villages else {}
    for g in groups:
        out[g.code]["village_label"] = names.get(g.village_code or "", "")
    today = today_in_thailand()
    start, end = fiscal_year_bounds(fiscal_year(today))
    assessed = select(Score.group_ref, func.max(Score.assessed_on)).where(
        Score.group_ref.in_(codes), Score.is_current.is_(True), Score.assessed_on >= start,
        Score.assessed_on <= end).group_by(Score.group_ref)
    for code, day in db.session.execute(assessed):
        out[code]["assessed"] = day.isoformat()
    latest = select(Score.group_ref, Score.assessed_on, Score.percent, Score.level_name).where(
        Score.group_ref.in_(codes), Score.is_current.is_(True)).order_by(Score.assessed_on, Score.submission_id)
    for code, day, percent, level in db.session.execute(latest):  # the last row of a group wins
        out[code].update(last_assessed=day.isoformat(), last_percent="" if percent is None else f"{percent:g}",
                         last_level=level or "")
    if user is not None:
        mine = select(OfficerAssignment.group_id).where(OfficerAssignment.user_id == user.id)
        assigned = set(db.session.scalars(select(Group.code).where(Group.id.in_(mine))))
        for code in assigned & set(codes):
            out[code]["assigned"] = "1"
        recent = select(Score.group_ref, func.max(Score.assessed_on)).join(
            Submission, Submission.id == Score.submission_id).where(
            Submission.submitter_id == user.id, Score.group_ref.in_(codes),
            Score.assessed_on >= fiscal_year_bounds(fiscal_year(today) - 1)[0]).group_by(Score.group_ref)
        for code, day in db.session.execute(recent):
            out[code]["recent"] = day.isoformat()
    return out


def groups_csv(user: User | None) -> bytes:
    groups = sorted(groups_for(user), key=lambda g: (natural_key(g.name), g.code))
    extra = _picker_columns(user, groups)
    rows = [(g.code, g.name, g.kind, g.district_code or "", g.village_code or "",
             *(extra[g.code].get(col, "") for col in REGISTRY_COLUMNS["groups.csv"][5:]))
            for g in groups]
    return _csv(REGISTRY_COLUMNS["groups.csv"], rows)


def villages_csv(user: User | None) -> bytes:
    codes = district_codes(user)
    dstmt = select(District).order_by(District.code)
    vstmt = select(Village).order_by(Village.code)
    if codes is not None:
        dstmt = dstmt.where(District.code.in_(codes))
        vstmt = vstmt.where(Village.district_code.in_(codes))
    rows: list[tuple] = [(d.code, d.name_th, "district", d.code, "") for d in db.session.scalars(dstmt)]
    tambons: dict[str, tuple] = {}
    villages = list(db.session.scalars(vstmt))
    for v in villages:
        tambons.setdefault(v.tambon_code, (v.tambon_code, v.tambon_th, "tambon", v.district_code, ""))
    rows += list(tambons.values())
    rows += [(v.code, v.name_th, "village", v.district_code, v.tambon_code) for v in villages]
    return _csv(REGISTRY_COLUMNS["villages.csv"], rows)


GENERATORS = {"groups.csv": groups_csv, "villages.csv": villages_csv}


def registry_media(filename: str, user: User | None) -> bytes | None:
    """The registry's content for `filename` for this user, or None when the registry has no such list."""
    make = GENERATORS.get(filename)
    return make(user) if make else None


def registry_media_for_version(form_id: str, version: str, filename: str, user: User | None) -> bytes | None:
    """The fill page's media route: the registry's `filename` when that form version reads it."""
    if filename not in REGISTRY_COLUMNS:
        return None
    from app.models import Form, FormVersion

    xform = db.session.scalar(select(FormVersion.xform).join(Form).where(
        Form.form_id == form_id, FormVersion.version == version))
    if xform is None or filename not in registry_files_needed(xform):
        return None
    return registry_media(filename, user)
