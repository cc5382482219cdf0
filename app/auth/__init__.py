"""Accounts, roles and district scope.

- `policy.py`  THE table endpoint -> rule (deny by default), enforced here before every request;
- `scope.py`   which submissions a user may see (views answer 404 outside it);
- `accounts.py` credentials, lock-out, user changes; `passwords.py` argon2; `audit.py` the log;
- `masking.py` national IDs; `views.py` sign-in/out; `admin.py` /admin pages; `cli.py` commands.

Sessions are Flask's signed cookie (no server state: any app process can serve any request) with
the user id and the user's session_version (bumped to revoke). The cookie lives 30 days and is
refreshed on every request, so a tablet that goes offline stays signed in; signing in needs the
network. ODK Collect authenticates with HTTP Basic on the endpoints whose rule allows it.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect, validate_csrf
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import ValidationError

from app import db
from app.auth.policy import allowed, rule_for
from app.models import User

csrf = CSRFProtect()
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# Answered without looking the user up (no database read before the view): assets, and the health
# check, which must answer 503 itself when the database is gone.
NO_USER_ENDPOINTS = frozenset({"static", "health.healthz"})
BASIC_REALM = 'Basic realm="chumchon", charset="UTF-8"'
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# Responses that carry personal data: never kept in a shared HTTP cache or the browser's disk cache.
NO_STORE_PREFIXES = ("submissions.", "api.", "admin.", "scoring.")


# Built once: building the options on every request costs more than running the query.
_USER_WITH_DISTRICT = select(User).options(joinedload(User.district)).where(User.id == bindparam("uid"))


def current_user() -> User | None:
    return g.get("user")


def _session_user() -> User | None:
    uid, version = session.get("uid"), session.get("sv")
    if uid is None:
        return None
    # With its district (one query): receiving files every submission under the sender's district.
    user = db.session.scalar(_USER_WITH_DISTRICT, {"uid": uid})
    if user is None or not user.active or user.session_version != version:
        session.clear()  # revoked: deactivated, re-assigned, password reset
        return None
    return user


def _is_browser() -> bool:
    """Browsers send Fetch Metadata; ODK Collect and scripts do not."""
    return "Sec-Fetch-Mode" in request.headers or "Sec-Fetch-Site" in request.headers


def _unauthorised(rule) -> Response:  # noqa: ANN001
    from app.errors import error_response, wants_json

    if rule is not None and rule.basic and not _is_browser():
        response = error_response(401)
        response = response if isinstance(response, Response) else _to_response(response)
        response.headers["WWW-Authenticate"] = BASIC_REALM
        return response
    signin = url_for("auth.signin", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    if request.headers.get("HX-Request") == "true":
        response = _to_response(error_response(401))
        response.headers["HX-Redirect"] = signin
        return response
    if request.method == "GET" and not wants_json() and not request.headers.get("X-OpenRosa-Version"):
        return redirect(signin, code=302)
    return _to_response(error_response(401))


def _to_response(rv) -> Response:  # noqa: ANN001
    from flask import make_response

    return make_response(rv)


def _csrf_exempt() -> bool:
    # HTTP Basic is no ambient credential for our pages (browsers are never challenged for it), and
    # a request a browser sends cross-site is checked anyway.
    return g.get("auth_via") == "basic" and request.headers.get("Sec-Fetch-Site") not in ("cross-site", "same-site")


def enforce():
    """before_request: who is asking, is the endpoint allowed for them, CSRF for changes."""
    from app.auth.accounts import check_credentials
    from app.errors import error_response

    g.user, g.auth_via = None, None
    # Flask-WTF caches the token on `g`; when requests share an app context (the test client inside
    # an app context) a stale one would outlive a session change, so start each request clean.
    g.pop("csrf_token", None)
    g.pop("csrf_valid", None)
    endpoint = request.endpoint
    if endpoint is None or endpoint in NO_USER_ENDPOINTS:
        return None  # unknown URL (404/405 answered by Flask), a static asset, the health check
    rule = rule_for(endpoint)
    auth = request.authorization
    if rule is not None and rule.basic and auth is not None and auth.type == "basic":
        result = check_credentials(auth.username or "", auth.password or "", via="basic")
        if result.reason == "throttled":
            return error_response(429, "มีการใส่รหัสผ่านผิดจากเครือข่ายนี้หลายครั้ง กรุณารอ 15 นาทีแล้วลองใหม่",
                                  "Too many wrong passwords from this network: wait 15 minutes and try again.")
        if result.reason != "ok":
            return _unauthorised(rule)
        g.user, g.auth_via = result.user, "basic"
    else:
        g.user = _session_user()
        g.auth_via = "session" if g.user is not None else None
    if rule is None:
        return error_response(403)  # deny by default: the endpoint has no rule in policy.RULES
    if not allowed(rule, g.user.role if g.user is not None else None):
        return _unauthorised(rule) if g.user is None else error_response(403)
    if request.method not in SAFE_METHODS and not _csrf_exempt():
        _check_csrf()
    return None


def _check_csrf() -> None:
    try:
        csrf.protect()
    except RequestEntityTooLarge:
        # The body is over MAX_CONTENT_LENGTH, so the form token cannot be read: only the header
        # token counts. With it, the view answers its own 413 (the upload page's fragment).
        token = next((request.headers[h] for h in current_app.config["WTF_CSRF_HEADERS"] if request.headers.get(h)),
                     None)
        try:
            validate_csrf(token)
        except ValidationError as e:
            raise CSRFError(e.args[0]) from None


def security_headers(response: Response) -> Response:
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=31536000")
    if (request.endpoint or "").startswith(NO_STORE_PREFIXES) and "no-store" not in h.get("Cache-Control", ""):
        h["Cache-Control"] = "no-store"
    return response


# Who is signed in on this device, readable by the page's scripts (not a secret: a user id). A page the
# service worker serves from its cache carries the <body data-user-id> of whoever was signed in when it
# was cached; on a shared tablet the drafts and outbox must go to the one signed in now
# (static/js/offline/store.js currentUser). Set on every page of a browser session, removed at sign-out.
DEVICE_USER_COOKIE = "chumchon_user"


def device_user_cookie(response: Response) -> Response:
    user = g.get("user")
    if user is not None and session.get("uid") == user.id and request.cookies.get(DEVICE_USER_COOKIE) != str(user.id):
        response.set_cookie(DEVICE_USER_COOKIE, str(user.id), httponly=False, samesite="Lax", path="/",
                            secure=current_app.config["SESSION_COOKIE_SECURE"],
                            max_age=int(current_app.permanent_session_lifetime.total_seconds()))
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(days=30))
    app.config.setdefault("SESSION_REFRESH_EACH_REQUEST", True)
    # We call csrf.protect() ourselves after authentication (Basic-authenticated requests are exempt).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    # A fill page may stay open for hours offline: the token lives as long as the session.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"])
    csrf.init_app(app)
    app.before_request(enforce)
    app.after_request(security_headers)
    app.after_request(device_user_cookie)

    @app.errorhandler(CSRFError)
    def _csrf_error(_e):  # noqa: ANN001
        from app.errors import error_response

        return error_response(
            400, "หน้านี้หมดอายุหรือไม่มีรหัสความปลอดภัย (CSRF) กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง",
            "This page has expired or the security token (CSRF) is missing. Reload the page and try again.")

    @app.context_processor
    def _user():
        return {"current_user": g.get("user")}

    from app.auth import admin, cli, views

    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp, url_prefix="/admin")
    cli.init_app(app)


def signin_url(**kw) -> str:
    return url_for("auth.signin") + ("?" + urlencode(kw) if kw else "")
