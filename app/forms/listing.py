"""One page of a form's submissions, named for people: the list page and the JSON API both read here.

Pages stay flat however many submissions there are (issue 12):

- **keyset paging** on (received_at, id), newest first: a page starts after (or before) the cursor of
  the row that ended the last one, so page 20,000 costs what page 1 costs (OFFSET read and threw away
  every row before it). The condition is written `received_at <= t AND (received_at < t OR id < i)`
  so any index starting with (form_pk[, district_code], received_at) serves it.
- **no exact count over a huge set**: the count stops at COUNT_CAP + 1 rows; above that the page says
  "more than 1,000" (an exact COUNT(*) of a million rows was most of the 0.2-0.4 s a page took).
- **search** by group: the registry's groups in the user's scope whose name, code or village name holds
  the text (ILIKE, answered by pg_trgm indexes on PostgreSQL: app/registry/search_indexes.py) give up to
  100 group codes, and the submissions are found through the score table's (form_pk, group_ref) index;
  the exact instanceID and a sender's username are also found. No LIKE over the submissions table.
- **names**: each row carries its group's registered name and village, its district's name, the
  server's level and the assessment date (the score table's columns, one join each), so no page shows
  a group code, a `uuid:` or an ISO date where a person reads.
"""
from __future__ import annotations

import base64
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timezone
from threading import Lock
from typing import Any

from sqlalchemy import and_, false, func, or_, select, union, union_all
from sqlalchemy.orm import defer

from app import db
from app.auth.scope import DISTRICT_AND_OFFICER_ROLES, district_clause, district_codes
from app.models import District, FormVersion, Group, Score, Submission, User, Village

PER_PAGE = 50
COUNT_CAP = 1000  # counted exactly up to here; above it the page says "more than"
SEARCH_GROUPS = 100  # groups a search may match (a broader text lists the submissions of the first 100)
MAX_SEARCH = 100


class BadCursor(ValueError):
    """A cursor that is not one of ours (edited by hand, or from another list)."""


@dataclass(frozen=True)
class Cursor:
    received_at: datetime
    id: int

    def encode(self) -> str:
        text = f"{_utc(self.received_at).isoformat()}|{self.id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            stamp, _, ident = text.partition("|")
            when = datetime.fromisoformat(stamp)
            if when.tzinfo is None:
                raise ValueError("naive")
            return cls(when.astimezone(timezone.utc), int(ident))
        except (ValueError, UnicodeDecodeError) as e:
            raise BadCursor(str(e)) from None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def cursor_of(sub: Submission) -> Cursor:
    return Cursor(_utc(sub.received_at), sub.id)


def _older_than(c: Cursor):
    return and_(Submission.received_at <= c.received_at,
                or_(Submission.received_at < c.received_at, Submission.id < c.id))


def _newer_than(c: Cursor):
    return and_(Submission.received_at >= c.received_at,
                or_(Submission.received_at > c.received_at, Submission.id > c.id))


# ---------------------------------------------------------------- search


def search_clause(form_pk: int, text: str, user: User | None):
    """WHERE clause for a search, or None when `text` is blank. Matches the registry groups in the
    user's area by name, code or village name, the exact instanceID, and a sender's username.

    The matching submissions are one id set (a UNION of indexed look-ups) the page then orders and
    limits, so a search costs what its matches cost, not a scan of the form's submissions."""
    text = " ".join((text or "").split())[:MAX_SEARCH]
    if not text:
        return None
    codes = matching_group_codes(text, user)
    ids = [select(Submission.id).where(Submission.form_pk == form_pk, Submission.instance_id == text)]
    if codes:
        ids.append(select(Score.submission_id).where(Score.form_pk == form_pk, Score.group_ref.in_(codes)))
    senders = list(db.session.scalars(select(User.id).where(func.lower(User.username) == text.lower())))
    if senders:
        ids.append(select(Submission.id).where(Submission.form_pk == form_pk, Submission.submitter_id.in_(senders)))
    return Submission.id.in_(union_all(*ids) if len(ids) > 1 else ids[0])


def matching_group_codes(text: str, user: User | None, limit: int = SEARCH_GROUPS) -> list[str]:
    """Codes of the registry groups in `user`'s area whose name, code or village name holds `text`
    (case-insensitive; PostgreSQL answers from trigram indexes, app/registry/search_indexes.py)."""
    pattern = f"%{_escape_like(text)}%"
    in_area = district_clause(Group.district_code, user, DISTRICT_AND_OFFICER_ROLES)
    by_name = select(Group.code).where(in_area, or_(Group.name.ilike(pattern, escape="\\"),
                                                    Group.code.ilike(pattern, escape="\\")))
    by_village = (select(Group.code).join(Village, Village.code == Group.village_code)
                  .where(in_area, Village.name_th.ilike(pattern, escape="\\")))
    return list(db.session.scalars(union(by_name, by_village).limit(limit)))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# ---------------------------------------------------------------- pages


@dataclass
class Row:
    """One submission as the list shows it."""

    sub: Submission
    version: str
    group_ref: str | None
    group_name: str | None
    village: str | None
    district_code: str | None
    district_th: str | None
    district_en: str | None
    level: dict[str, str] | None  # {"name", "th", "en", "colour"}
    assessed_on: date | None


@dataclass
class Page:
    rows: list[Row]
    newer: Cursor | None  # the cursor for the page before (None: this is the newest page)
    older: Cursor | None  # the cursor for the page after (None: nothing older)
    count: int  # exact when <= COUNT_CAP
    capped: bool  # more than COUNT_CAP


def count_capped(where: list) -> tuple[int, bool]:
    inner = select(Submission.id).where(*where).limit(COUNT_CAP + 1).subquery()
    n = db.session.scalar(select(func.count()).select_from(inner)) or 0
    return min(n, COUNT_CAP), n > COUNT_CAP


def _few_page(where: list, after: Cursor | None, before: Cursor | None, per_page: int):
    """Keyset paging done here for a set known to be small (an officer's few thousand records): their
    (received_at, id) read by primary key, ordered and cut in Python; the page's ids, whether more lie
    beyond, and the exact count."""
    keys = sorted(((_utc(t), i) for i, t in db.session.execute(
        select(Submission.id, Submission.received_at).where(*where))), reverse=True)
    if before is not None:
        newer = [k for k in keys if k > (before.received_at, before.id)]
        chosen, more = newer[-per_page:], len(newer) > per_page
    else:
        older = [k for k in keys if after is None or k < (after.received_at, after.id)]
        chosen, more = older[:per_page], len(older) > per_page
    return [i for _t, i in chosen], more, len(keys)


def page_of(where: list, after: Cursor | None = None, before: Cursor | None = None,
            per_page: int = PER_PAGE, with_count: bool = True, few: bool = False,
            known: tuple[list[int], bool] | None = None) -> Page:
    """The page of submissions matching `where` (already scoped) after / before a cursor, newest first.
    `few`: the set is known to be small (app.auth.scope.officer_ids): ordered here, counted exactly.
    `known`: the page's ids, newest first, and whether more lie beyond, already read by the caller (the
    API's legacy offset paging reads them with the rows it skips: one walk instead of two)."""
    counted_where = where
    if few:
        ids, more, total = _few_page(where, after, before, per_page)
        where = [Submission.id.in_(ids)] if ids else [false()]
    elif known is not None:
        ids, more = known
        where = [Submission.id.in_(ids)] if ids else [false()]
    stmt = (select(Submission, FormVersion.version, Score.group_ref, Score.level_name, Score.assessed_on,
                   Score.form_version_id, Group.name, Village.name_th, District.name_th, District.name_en)
            .join(FormVersion, Submission.form_version_id == FormVersion.id)
            .outerjoin(Score, Score.submission_id == Submission.id)
            .outerjoin(Group, Group.code == Score.group_ref)
            .outerjoin(Village, Village.code == Group.village_code)
            .outerjoin(District, District.code == Submission.district_code)
            .where(*where)
            .options(defer(Submission.xml), defer(Submission.data)))
    if few or known is not None:
        found = db.session.execute(stmt.order_by(Submission.received_at.desc(), Submission.id.desc())).all()
    else:
        if before is not None:
            stmt = stmt.where(_newer_than(before)).order_by(Submission.received_at, Submission.id)
        else:
            if after is not None:
                stmt = stmt.where(_older_than(after))
            stmt = stmt.order_by(Submission.received_at.desc(), Submission.id.desc())
        found = db.session.execute(stmt.limit(per_page + 1)).all()
        more = len(found) > per_page
        found = found[:per_page]
        if before is not None:
            found.reverse()
    rows = [Row(sub=r[0], version=r[1], group_ref=r[2], group_name=r[6], village=r[7],
                district_code=r[0].district_code, district_th=r[8], district_en=r[9],
                level=level_label(r[5], r[3]) if r[3] is not None else None, assessed_on=r[4])
            for r in found]
    for row in rows:
        if row.group_ref and row.group_name is None:
            row.group_name = static_group_name(row.sub.form_version_id, row.group_ref)
    first, last = (cursor_of(rows[0].sub), cursor_of(rows[-1].sub)) if rows else (None, None)
    if before is not None:
        newer, older = (first if more else None), last
    else:
        newer, older = (first if after is not None and rows else None), (last if more else None)
    if few:
        count, capped = min(total, COUNT_CAP), total > COUNT_CAP
    else:
        count, capped = count_capped(counted_where) if with_count else (len(rows), False)
    return Page(rows=rows, newer=newer, older=older, count=count, capped=capped)


# ---------------------------------------------------------------- names from the form version


# Per database (the engine, as app.forms.definitions.published_version keeps versions): a version id
# names one version within one database only (an emptied SQLite database reuses ids).
_labels: weakref.WeakKeyDictionary[Any, dict[int, dict[str, Any]]] = weakref.WeakKeyDictionary()
_labels_lock = Lock()


def _version_names(version_id: int) -> dict[str, Any]:
    """Level labels and static group choices of a form version (immutable: cached per process and
    database)."""
    engine = db.engine()
    with _labels_lock:
        found = _labels.get(engine, {}).get(version_id)
        if found is not None:
            return found
    from app.forms.definitions import definition_of
    from app.scoring.store import special_paths
    from app.scoring.views import texts

    version = db.session.get(FormVersion, version_id)
    levels, choices = {}, {}
    if version is not None:
        for level in (version.scoring or {}).get("levels") or []:
            levels[str(level.get("name"))] = {**texts(level.get("label")), "name": str(level.get("name")),
                                              "colour": level.get("colour") or ""}
        group_path, _ = special_paths(version) if version.scoring else (None, None)
        node = definition_of(version).node(group_path) if group_path else None
        for choice in (node.choices or []) if node is not None else []:
            choices[choice.name] = texts(choice.label)["th"]
    names = {"levels": levels, "choices": choices}
    with _labels_lock:
        kept = _labels.setdefault(engine, {})
        kept[version_id] = names
        while len(kept) > 256:
            kept.pop(next(iter(kept)))
    return names


def level_label(version_id: int | None, level_name: str | None) -> dict[str, str] | None:
    """{"name", "th", "en", "colour"} of a level as the version's `levels` sheet names it."""
    if version_id is None or level_name is None:
        return None
    found = _version_names(version_id)["levels"].get(str(level_name))
    return found or {"name": level_name, "th": str(level_name), "en": "", "colour": ""}


def static_group_name(version_id: int, group_ref: str) -> str | None:
    """The label of the group question's own option `group_ref` (forms listing groups as choices)."""
    return _version_names(version_id)["choices"].get(group_ref)


def districts_for(user: User | None) -> list[District]:
    """The districts a user may filter by (none for a single-district user)."""
    codes = district_codes(user)
    if codes is not None and len(codes) <= 1:
        return []
    stmt = select(District).order_by(District.code)
    if codes is not None:
        stmt = stmt.where(District.code.in_(codes))
    return list(db.session.scalars(stmt))
