"""GET /healthz: can this app server serve? For the load balancer or monitor in front of several app
servers (README "Deployment"): 200 when the database answers and its schema is the one this code
expects, 503 otherwise (a server started with a new release before `flask db upgrade`, or one that lost
its database), so the proxy sends no user there. Public, no session, no personal data, never cached."""
from __future__ import annotations

import functools
import logging

from flask import Blueprint, jsonify

from app import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def expected_schema() -> str:
    """The migration head this code was written for (read from migrations/ once per process)."""
    from app.backup.service import code_head

    return code_head()


def _problem(status: str, th: str, en: str, **extra: str):  # noqa: ANN202
    body = {"status": status, "message_th": th, "message_en": en, **extra}
    return _no_store(jsonify(body)), 503


def _no_store(response):  # noqa: ANN001, ANN202
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz", methods=["GET"])
def healthz():  # noqa: ANN201
    from app.backup.content import migration_head

    try:
        with db.engine().connect() as conn:
            schema = migration_head(conn)
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database means "do not send users here"
        log.warning("health check: the database does not answer: %s", exc)
        return _problem("database_unavailable", "เซิร์ฟเวอร์นี้ติดต่อฐานข้อมูลไม่ได้",
                        "This server cannot reach its database.", database="error")
    expected = expected_schema()
    if schema != expected:
        return _problem("schema_mismatch",
                        f"โครงสร้างฐานข้อมูล ({schema or 'ว่าง'}) ไม่ตรงกับรุ่นของโปรแกรม ({expected}): "
                        "ต้องปรับฐานข้อมูลก่อน (flask --app wsgi db upgrade)",
                        f"The database schema ({schema or 'none'}) is not the one this release expects "
                        f"({expected}): upgrade the database first (flask --app wsgi db upgrade)",
                        database="ok", schema=schema or "", expected_schema=expected)
    return _no_store(jsonify({"status": "ok", "database": "ok", "schema": schema}))
