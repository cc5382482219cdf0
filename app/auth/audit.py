"""The audit log: who published, exported, corrected, signed in (or failed to), created,
deactivated, re-assigned users; approve and revoke are named here for the issues that add them.

Append-only: rows are only ever inserted. The ORM refuses to flush an update or a delete of an
AuditEvent and refuses bulk UPDATE/DELETE statements on the table; the migration adds a database
trigger refusing UPDATE as well.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from app import db
from app.models import AuditEvent


class Action:
    PUBLISH = "publish"
    EXPORT = "export"
    CORRECT = "correct"  # a submission edited through meta/deprecatedID
    APPROVE = "approve"  # placeholder: group registration approval (registry issue)
    REVOKE = "revoke"  # a committee link revoked by the district office (app/scoring/committee.py)
    COMMITTEE_LINK = "committee_link"  # a committee link made for a group (app/scoring/committee.py)
    COMMITTEE_PLAN = "committee_plan"  # a committee recorded its plan through its link (actor committee-link:<id>)
    SIGNIN = "signin"
    SIGNIN_FAILED = "signin_failed"
    LOCKOUT = "lockout"
    SIGNOUT = "signout"
    USER_CREATE = "user_create"
    USER_DEACTIVATE = "user_deactivate"
    USER_REACTIVATE = "user_reactivate"
    USER_REASSIGN = "user_reassign"
    USER_PASSWORD_RESET = "user_password_reset"
    REJECT = "reject"  # group registration refused by the district office (app/registry/views.py)
    ASSIGN = "assign"  # officers assigned to / removed from registry groups (app/auth/assignments.py)
    IMPORT_UNSENT = "import_unsent"  # staff imported a tablet's exported unsent data (app/forms/unsent.py)
    # form lifecycle (app/forms/drafts.py, draft_submissions.py, lifecycle.py)
    DRAFT_UPLOAD = "draft_upload"  # a draft made, or its workbook/media replaced
    DRAFT_TEST = "draft_test"  # a test submission received for a draft
    DRAFT_DISCARD = "draft_discard"  # a draft deleted without publishing
    FORM_STATE = "form_state"  # open / closing / closed
    ROLLBACK = "rollback"  # an older version's workbook published again as a new version
    TARGET_SET = "target_set"  # targets of a fiscal year set or changed (app/reports/targets.py)
    TARGET_INDICATOR = "target_indicator"  # a province added a target indicator (app/reports/targets.py)
    FUND_LEVELS_IMPORT = "fund_levels_import"  # the other funds' levels imported (app/reports/funds.py)
    ALL = (PUBLISH, EXPORT, CORRECT, APPROVE, REVOKE, SIGNIN, SIGNIN_FAILED, LOCKOUT, SIGNOUT,
           USER_CREATE, USER_DEACTIVATE, USER_REACTIVATE, USER_REASSIGN, USER_PASSWORD_RESET, IMPORT_UNSENT, REJECT, ASSIGN,
           COMMITTEE_LINK, COMMITTEE_PLAN, DRAFT_UPLOAD, DRAFT_TEST, DRAFT_DISCARD, FORM_STATE, ROLLBACK,
           TARGET_SET, TARGET_INDICATOR, FUND_LEVELS_IMPORT)
    # the OTOP pages (app/otop/views.py): the district's per-household list, a registration pre-filled from
    # a candidate group, a group's path set by the district, กข.คจ. target households
    VIEW_HOUSEHOLDS, PREFILL_REGISTRATION, GROUP_PATH, KKCJ_TARGETS = (
        "view_households", "prefill_registration", "group_path", "kkcj_targets")
    ALL += (VIEW_HOUSEHOLDS, PREFILL_REGISTRATION, GROUP_PATH, KKCJ_TARGETS)


class AuditLogIsAppendOnly(RuntimeError):
    pass


def record(action: str, target_type: str | None = None, target_id: Any = None, detail: dict | None = None,
           *, actor: Any = None, commit: bool = True) -> AuditEvent:
    """Append one event. `actor` is a User, a string, or None for the request's signed-in user."""
    from flask import g, has_request_context, request

    ip = None
    if has_request_context():
        ip = (request.remote_addr or "")[:64] or None
        if actor is None:
            actor = g.get("user")
    actor_name = getattr(actor, "username", None) or (actor if isinstance(actor, str) else None)
    event_row = AuditEvent(
        actor=(actor_name or None) and actor_name[:255], actor_id=getattr(actor, "id", None),
        action=action, target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:255],
        detail=detail or {}, ip=ip)
    s = db.session()
    s.add(event_row)
    if commit:
        s.commit()
    return event_row


@event.listens_for(AuditEvent, "before_update")
def _no_update(_mapper, _conn, _target):  # noqa: ANN001
    raise AuditLogIsAppendOnly("the audit log is append-only: rows cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _no_delete(_mapper, _conn, _target):  # noqa: ANN001
    raise AuditLogIsAppendOnly("the audit log is append-only: rows cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_changes(state):  # noqa: ANN001
    if state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None and getattr(table, "name", None) == AuditEvent.__tablename__:
            raise AuditLogIsAppendOnly("the audit log is append-only: bulk UPDATE/DELETE refused")


def install_db_guards(connection) -> None:  # noqa: ANN001
    """Database-level refusal of UPDATE on audit_events (run by migrations/env.py after every upgrade,
    so it survives `make migration-reset`). DELETE stays possible for the database owner only (test
    fixtures empty tables); the app never issues one and the ORM refuses it. Production should also
    grant the app's database role INSERT/SELECT only on this table."""
    from sqlalchemy import inspect, text

    if "audit_events" not in inspect(connection).get_table_names():
        return
    dialect = connection.dialect.name
    if dialect == "sqlite":
        connection.execute(text(
            "CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"))
    elif dialect == "postgresql":
        connection.execute(text(
            "CREATE OR REPLACE FUNCTION audit_events_no_update() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql"))
        connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update ON audit_events"))
        connection.execute(text(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_no_update()"))
