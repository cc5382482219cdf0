"""The score table: the server's result of every submission of a scored form. No Flask here.

`rescore(submission)` scores a submission by its form version's spec (FormVersion.scoring) from
its answers as the server re-validated them (Submission.data, answers by path) and writes or
replaces its `Score` and `ScoreGroupResult` rows. It only adds to the session (no commit): the
receiving service calls it inside the transaction that stores the submission, so a submission and
its score commit or roll back together. It is called for a new submission, for a resend that adds
attachments (the answers are re-checked then), and for an edit (deprecatedID): every record of the
edit chain gets `Score.is_current` = its Submission's is_current, so the edited one's score steps
down with it.

Rules (documented for reports and the registry's demo data, which read this table):

- **group_ref** — the assessed group's id as the form names it: the answer to the question named by
  the `group_ref` column of the settings sheet (pyxform carries it into the survey JSON), else to
  the first question named `group` or `group_id` outside repeats (depth-first, form order). Blank or
  no such question -> NULL.
- **assessed_on / round_year** — the answer to the first question named `assessed_on` or
  `assessment_date` (a date or dateTime; its date part) when it is a valid date, else the
  submission's received_at as a date in Asia/Bangkok. round_year is that date's Buddhist-Era year
  (Gregorian + 543): the calendar year of the assessment, not the fiscal year.
- **district_code** — the submission's (the sender's district at receipt).
- **needs_correction** — submissions the server's checks flagged are still scored (the group was
  shown a result on the spot; the officer corrects it by an edit, which rescores), and marked with
  needs_correction = True so reports can leave them out.
- **previous** — `previous_score(score)` is the assessment of the same group before this one: the
  latest current Score with the same group_ref and form, the same district, and an earlier
  assessment date (ties broken by submission id); the meeting screen shows the change per group.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from datetime import date, datetime
from decimal import Decimal
from threading import Lock
from typing import Any

from sqlalchemy import delete, insert, select, update

from app import db
from app.forms.definitions import definition_of
from app.models import FormVersion, Score, ScoreGroupResult, Submission, SubmissionStatus, utcnow
from app.scoring.core import from_points, indicator_points, json_number, summarise
from app.templating import BANGKOK

GROUP_REF_NAMES = ("group", "group_id")
DATE_NAMES = ("assessed_on", "assessment_date")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
BUDDHIST_ERA_OFFSET = 543

_paths_cache: OrderedDict[tuple[int, str], tuple[str | None, str | None]] = OrderedDict()
_paths_lock = Lock()


def _plain_fields(definition) -> list:  # noqa: ANN001
    """Fields outside repeats, in form order."""
    out = []

    def walk(node) -> None:  # noqa: ANN001
        for child in node.children:
            if child.kind == "repeat":
                continue
            if child.kind == "field":
                out.append(child)
            else:
                walk(child)

    walk(definition.root)
    return out


def special_paths(version: FormVersion) -> tuple[str | None, str | None]:
    """(group_ref path, assessment date path) of a form version (cached: versions are immutable)."""
    key = (version.id, version.content_hash)
    with _paths_lock:
        if key in _paths_cache:
            return _paths_cache[key]
    fields = _plain_fields(definition_of(version))
    declared = None
    try:
        declared = (version.survey or {}).get("group_ref")
    except Exception:  # noqa: BLE001 - a survey we cannot read: fall back to the names
        declared = None
    group_path = None
    if isinstance(declared, str) and declared.strip():
        group_path = next((f.path for f in fields if f.name == declared.strip()), None)
    if group_path is None:
        for wanted in GROUP_REF_NAMES:
            group_path = next((f.path for f in fields if f.name == wanted), None)
            if group_path:
                break
    date_path = None
    for wanted in DATE_NAMES:
        date_path = next((f.path for f in fields if f.name == wanted), None)
        if date_path:
            break
    with _paths_lock:
        _paths_cache[key] = (group_path, date_path)
        while len(_paths_cache) > 64:
            _paths_cache.popitem(last=False)
    return group_path, date_path


def _answer(data: dict[str, Any], path: str | None) -> str | None:
    if not path:
        return None
    value = data.get(path)
    if value is None or isinstance(value, (list, dict)):
        return None
    text = str(value).strip()
    return text or None


def assessment_date(submission: Submission, date_path: str | None) -> date:
    text = _answer(submission.data or {}, date_path)
    if text:
        m = _DATE_RE.match(text)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                pass
    received = submission.received_at or datetime.now(BANGKOK)
    if received.tzinfo is None:  # SQLite hands back naive UTC
        from datetime import timezone

        received = received.replace(tzinfo=timezone.utc)
    return received.astimezone(BANGKOK).date()


def rescore(submission: Submission, version: FormVersion | None = None, *, new: bool = False) -> int | None:
    """Write (or replace) the submission's score rows in the current session; returns the Score's id,
    None for a plain form. Call it inside the transaction that stores the submission, after it is
    flushed (it needs its id).

    The result is computed first (pure Python); the rows are then written with one statement per
    table. `new=True` (a submission stored in this transaction, so it has no score yet) skips the
    look-up of an existing row; otherwise an existing row is updated in place (same id)."""
    s = db.session()
    version = version or submission.form_version or s.get(FormVersion, submission.form_version_id)
    spec = version.scoring if version is not None else None
    if not spec:
        return None
    data = submission.data or {}
    points = indicator_points(spec, data)
    summary = summarise(spec, points)
    group_path, date_path = special_paths(version)
    day = assessment_date(submission, date_path)
    group_ref = _answer(data, group_path)
    values = {
        "form_pk": submission.form_pk,
        "form_version_id": submission.form_version_id,
        "group_ref": group_ref[:255] if group_ref else None,
        "district_code": submission.district_code,
        "assessed_on": day,
        "round_year": day.year + BUDDHIST_ERA_OFFSET,
        "total": json_number(summary.total),
        "max": json_number(summary.max),
        "percent": summary.percent,
        "level_name": (summary.level or {}).get("name"),
        "points": {"spec": version.content_hash,
                   "points": {ind["name"]: None if p is None else json_number(p) for ind, p in zip(spec["indicators"], points)}},
        "is_current": bool(submission.is_current),
        "needs_correction": submission.status == SubmissionStatus.NEEDS_CORRECTION,
        "scored_at": utcnow(),
    }
    # Core statements on the session's connection (same transaction): the ORM's unit of work costs
    # more than the two INSERTs themselves.
    conn = s.connection()
    scores, groups = Score.__table__, ScoreGroupResult.__table__
    score_id = None if new else conn.scalar(select(scores.c.id).where(scores.c.submission_id == submission.id))
    if score_id is None:
        score_id = conn.execute(_INSERT_SCORE, {"submission_id": submission.id, **values}).scalar_one()
    else:
        conn.execute(delete(groups).where(groups.c.score_id == score_id))
        conn.execute(update(scores).where(scores.c.id == score_id).values(**values))
        for obj in list(s.identity_map.values()):
            if isinstance(obj, (Score, ScoreGroupResult)):
                s.expire(obj)  # Score objects already in the session see the new values
    if summary.groups:
        # RETURNING makes SQLAlchemy send the rows as one multi-row INSERT ("insertmanyvalues"),
        # on PostgreSQL too, from one cached compiled statement.
        conn.execute(_INSERT_GROUPS, [
            {"score_id": score_id, "position": position, "group_name": g["name"], "score": g["score"],
             "max": g["max"], "percent": g["percent"], "passed": g["passed"]}
            for position, g in enumerate(summary.groups)])
    return score_id


_INSERT_SCORE = insert(Score.__table__).returning(Score.__table__.c.id)
_INSERT_GROUPS = insert(ScoreGroupResult.__table__).returning(ScoreGroupResult.__table__.c.id)


def expand_result(row: Score) -> dict[str, Any]:
    """`Score.result`: the whole ScoreResult.to_dict() rebuilt from the stored points and the scoring
    spec of the row's form version (the same computation as at receipt: app.scoring.core.from_points)."""
    stored = row.points or {}
    kept = row.__dict__.get("_expanded")
    if kept is not None and kept[0] is stored:
        return kept[1]
    if "groups" in stored:  # a whole result stored as it was
        return stored
    spec = scoring_spec(row.form_version_id, stored.get("spec"))
    by_name = stored.get("points") or {}
    points = [None if by_name.get(ind["name"]) is None else Decimal(str(by_name[ind["name"]]))
              for ind in (spec or {}).get("indicators", [])]
    result = from_points(spec, points).to_dict() if spec else {}
    row.__dict__["_expanded"] = (stored, result)
    return result


_specs: OrderedDict[tuple[int, str | None], dict | None] = OrderedDict()


def scoring_spec(version_id: int, content_hash: str | None) -> dict | None:
    """The scoring spec of a form version (cached per process: versions are immutable; the content
    hash in the key keeps a reused row id from aliasing)."""
    key = (version_id, content_hash)
    with _paths_lock:
        if key in _specs:
            _specs.move_to_end(key)
            return _specs[key]
    found = db.session.execute(select(FormVersion.scoring, FormVersion.content_hash)
                               .where(FormVersion.id == version_id)).first()
    spec = found[0] if found is not None else None
    if found is not None and content_hash is not None and found[1] != content_hash:
        return spec  # the row is not the version the score was made with (a restore?): do not keep it
    with _paths_lock:
        _specs[key] = spec
        while len(_specs) > 64:
            _specs.popitem(last=False)
    return spec


def sync_current(submission: Submission) -> None:
    """Score.is_current = Submission.is_current for every record of the submission's edit chain."""
    s = db.session()
    roots = {submission.root_instance_id, submission.instance_id}
    chain = s.execute(select(Submission.id, Submission.is_current).where(
        Submission.root_instance_id.in_(roots))).all()
    current = {sid: bool(flag) for sid, flag in chain}
    if not current:
        return
    for row in s.scalars(select(Score).where(Score.submission_id.in_(current))):
        if row.is_current != current[row.submission_id]:
            row.is_current = current[row.submission_id]
    s.flush()


def score_of(submission: Submission) -> Score | None:
    return db.session.scalar(select(Score).where(Score.submission_id == submission.id))


def previous_score(score: Score) -> Score | None:
    """The same group's assessment before this one (see the module docstring), or None."""
    if not score.group_ref:
        return None
    district = (Score.district_code.is_(None) if score.district_code is None
                else Score.district_code == score.district_code)
    return db.session.scalar(
        select(Score).where(
            Score.group_ref == score.group_ref, Score.form_pk == score.form_pk, district,
            Score.is_current.is_(True), Score.id != score.id,
            (Score.assessed_on < score.assessed_on)
            | ((Score.assessed_on == score.assessed_on) & (Score.submission_id < score.submission_id)))
        .order_by(Score.assessed_on.desc(), Score.submission_id.desc()).limit(1))


def group_changes(current: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Per score group name: {"before": percent, "change": percentage points} against `previous`
    (ScoreResult dicts). Groups without a percent on either side are left out."""
    if not previous:
        return {}
    before = {g["name"]: g for g in previous.get("groups") or []}
    out: dict[str, dict[str, Any]] = {}
    from decimal import Decimal

    for g in current.get("groups") or []:
        old = before.get(g["name"])
        if old is None or old.get("percent") is None or g.get("percent") is None:
            continue
        change = Decimal(str(g["percent"])) - Decimal(str(old["percent"]))
        out[g["name"]] = {"before": old["percent"], "before_passed": old.get("passed"),
                          "change": int(change) if change == change.to_integral_value() else float(change)}
    return out
