"""What a new scoring spec would do to the results already given: every current scored submission of
a form re-scored under the new rules (a draft's, or any version's), compared with its stored score.
No Flask here.

Streaming: the score table joined with each submission's stored answers is read in batches by id
(keyset paging, `batch_size` rows at a time, only the columns needed), each row scored by the pure
core (app.scoring.core.score) and forgotten; only the rows whose level changes are kept for the list.
10,000 assessments take a few seconds (benchmarks/rescore_preview.py).

The answers are the ones the server stored at receipt (Submission.data), looked up by question name,
so a question the new version moves to another group is still found. A calculate whose expression
the new version changes is not re-evaluated here: its stored value is used (the diff page lists such
changes, and the preview page says so).
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, true

from app import db
from app.models import Score, Submission
from app.scoring.core import level_scorer, percent_of


@dataclass
class LevelMove:
    instance_id: str
    group_ref: str | None
    district_code: str | None
    round_year: int
    before: str | None  # level name as stored
    after: str | None  # level name under the new spec
    before_percent: float | None
    after_percent: float | None
    group_name: str | None = None


@dataclass
class RescorePreview:
    read: int = 0  # current scored submissions read and re-scored
    seconds: float = 0.0
    transitions: Counter = field(default_factory=Counter)  # (before, after) -> count, including unchanged
    moves: list[LevelMove] = field(default_factory=list)  # rows whose level changes, in score order
    needs_correction: int = 0  # rows among `read` flagged by the server's checks

    @property
    def changed(self) -> int:
        return sum(n for (a, b), n in self.transitions.items() if a != b)

    def summary(self) -> list[tuple[str | None, str | None, int]]:
        """(before, after, count) for the level changes, biggest first."""
        return sorted(((a, b, n) for (a, b), n in self.transitions.items() if a != b), key=lambda t: (-t[2], str(t)))


class _Answers:
    """The indicators' answers of stored records (Submission.data: answers by path), by indicator
    name: at the spec's path, else at the path of the same name in the record (a question the new
    version moved); the path found is remembered for the next records of the same shape."""

    def __init__(self, spec: dict):
        self.indicators = [(i["name"], i.get("path") or "") for i in spec.get("indicators") or []]
        self.found: dict[str, str] = {}

    def of(self, data: dict[str, Any] | None) -> dict[str, Any]:
        data = data or {}
        out: dict[str, Any] = {}
        for name, path in self.indicators:
            key = path if path in data else self.found.get(name)
            if key is None or key not in data:
                key = next((k for k in data if k.rsplit("/", 1)[-1] == name and not isinstance(data[k], (list, dict))),
                           None)
                if key is None:
                    continue
                self.found[name] = key
            out[name] = data[key]
        return out


def rescore_preview(form_pk: int, spec: dict, *, where=None, batch_size: int = 1000) -> RescorePreview:  # noqa: ANN001
    """Re-score every current scored submission of form `form_pk` under `spec` (see the module
    docstring). `where`: an extra clause on Score (the caller's district scope)."""
    started = time.perf_counter()
    out = RescorePreview()
    session = db.session()
    last_id = 0
    clause = where if where is not None else true()
    answers, level_of = _Answers(spec), level_scorer(spec)
    while True:
        rows = session.execute(
            select(Score.id, Score.level_name, Score.percent, Score.group_ref, Score.district_code,
                   Score.round_year, Score.needs_correction, Submission.instance_id, Submission.data)
            .join(Submission, Submission.id == Score.submission_id)
            .where(Score.form_pk == form_pk, Score.is_current.is_(True), Score.id > last_id, clause)
            .order_by(Score.id).limit(batch_size)).all()
        if not rows:
            break
        for row in rows:
            level, total, maximum = level_of(answers.of(row.data))
            after = (level or {}).get("name")
            out.transitions[(row.level_name, after)] += 1
            if row.needs_correction:
                out.needs_correction += 1
            if row.level_name != after:
                out.moves.append(LevelMove(row.instance_id, row.group_ref, row.district_code, row.round_year,
                                           row.level_name, after, None if row.percent is None else float(row.percent),
                                           percent_of(total, maximum)))
        out.read += len(rows)
        last_id = rows[-1].id  # plain rows, not ORM objects: nothing of a batch stays in the session
    _name_groups(out.moves)
    out.seconds = time.perf_counter() - started
    return out


def _name_groups(moves: list[LevelMove]) -> None:
    """The registry's name of each moved group (one query per 500 codes)."""
    from app.models import Group

    codes = sorted({m.group_ref for m in moves if m.group_ref})
    names: dict[str, str] = {}
    for i in range(0, len(codes), 500):
        names.update(db.session.execute(select(Group.code, Group.name).where(Group.code.in_(codes[i:i + 500]))).all())
    for m in moves:
        m.group_name = names.get(m.group_ref or "")


def level_labels(*specs: dict | None) -> dict[str, dict[str, str]]:
    """Level name -> labels, from the given specs (earlier ones win)."""
    out: dict[str, dict[str, str]] = {}
    for spec in specs:
        for lv in (spec or {}).get("levels") or []:
            out.setdefault(lv["name"], lv.get("label") or {})
    return out
