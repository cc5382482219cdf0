"""A revision number per district, bumped whenever the registry lists of that district change, so
the offline manifest's `registry_version` is one small query instead of building every list.

The lists the server makes for a user (app/registry/media.py: groups.csv, villages.csv) are a
function of the Group, Village and District rows of the user's districts. Every ORM flush that
adds, changes or deletes such a row bumps the revision of each district it touches (old and new
district when a group moves), in the same transaction (`before_flush`, one upsert per flush).
`registry_version(user)` hashes the user's district codes with their revisions: it changes exactly
when one of the user's lists may have changed, or when another user with other districts signs in
on the tablet. Code that changes these tables without the ORM (bulk SQL) must call `bump()`.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import Base


class RegistryRevision(Base):
    """How many times the registry rows of a district have changed (app/registry/revisions.py)."""

    __tablename__ = "registry_revisions"

    district_code: Mapped[str] = mapped_column(String(16), primary_key=True)  # "" for rows without one
    revision: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _touched(session: Session) -> set[str]:
    from app.models import District, Group, Village

    codes: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, (Group, Village)):
            codes.add(obj.district_code or "")
            if obj in session.dirty:
                old = inspect(obj).attrs.district_code.history.deleted
                codes.update(c or "" for c in old)
        elif isinstance(obj, District):
            codes.add(obj.code or "")
            if obj in session.dirty:
                codes.update(c or "" for c in inspect(obj).attrs.code.history.deleted)
    return codes


def bump(session: Session, codes: set[str]) -> None:
    """Raise the revision of each district in `codes` by one, in the session's transaction."""
    if not codes:
        return
    from app.models import utcnow

    conn = session.connection()
    table = RegistryRevision.__table__
    now = utcnow()
    rows = [{"district_code": c[:16], "revision": 1, "changed_at": now} for c in sorted(codes)]
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.district_code],
        set_={"revision": table.c.revision + 1, "changed_at": stmt.excluded.changed_at}), rows)


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, _context, _instances) -> None:  # noqa: ANN001
    if session.new or session.dirty or session.deleted:
        codes = _touched(session)
        if codes:
            bump(session, codes)


def registry_version(session: Session, codes: list[str] | None) -> str:
    """A short hash of the revisions of the districts `codes` (None: every district)."""
    table = RegistryRevision.__table__
    stmt = select(table.c.district_code, table.c.revision).order_by(table.c.district_code)
    if codes is not None:
        stmt = stmt.where(table.c.district_code.in_(sorted(codes)))
    digest = hashlib.sha256(repr(sorted(codes) if codes is not None else "*").encode())
    for code, revision in session.execute(stmt):
        digest.update(f"\0{code}:{revision}".encode())
    return digest.hexdigest()[:16]
