"""Failed sign-ins per network address: after MAX_FAILURES failures from one address within WINDOW,
that address may not try a password again until the oldest of them is WINDOW old. The per-account
lock-out (accounts.py) stops guessing one account's password; this stops trying a few passwords on
many accounts. Counted from the audit log's `signin_failed` events (they carry the address), so every
worker process sees the same count and nothing new is stored.

Decision: generous limits. A district office's officers may share one public address (mobile carrier
NAT), and a shared tablet sees mistyped passwords: 30 failures in 15 minutes is far above what people
do and far below what a password-spraying script needs. Verified ODK Collect credentials remembered
by the Basic-auth cache are not slowed (accounts.check_credentials checks them first).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app import db
from app.auth.audit import Action
from app.models import AuditEvent

WINDOW = timedelta(minutes=15)
MAX_FAILURES = 30


def throttled_until(ip: str | None, now: datetime) -> datetime | None:
    """When `ip` may try again, or None when it may try now."""
    if not ip:
        return None
    recent = db.session.scalars(
        select(AuditEvent.at).where(AuditEvent.action == Action.SIGNIN_FAILED, AuditEvent.ip == ip,
                                    AuditEvent.at >= now - WINDOW)
        .order_by(AuditEvent.at.desc()).limit(MAX_FAILURES)).all()
    if len(recent) < MAX_FAILURES:
        return None
    oldest = recent[-1]
    if oldest.tzinfo is None:  # SQLite keeps no offset; stored in UTC
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return oldest + WINDOW
