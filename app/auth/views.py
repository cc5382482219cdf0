"""Sign-in and sign-out pages.

Sign-in clears the session and starts a new one (no session fixation: nothing set before sign-in
survives it, the CSRF token included), holding the user id and session version; the cookie lasts
30 days and is refreshed on use (offline tablets stay signed in).

Sign-out is a POST from /signout. That page carries `data-signout` for the offline code: before the
form is sent, app/static/js/signout.js asks `window.chumchon.unsentCount()` (registered by the
offline outbox) and, when anything is unsent, shows the warning and requires the "discard" tick.
Before the POST the page deletes this user's drafts and outbox from IndexedDB (only theirs: another
officer's unsent work on a shared tablet must survive), and the POST answers with
`Clear-Site-Data: "cache"` (the HTTP cache only; "storage" would wipe every user's IndexedDB).
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for

from app.auth import DEVICE_USER_COOKIE, audit
from app.auth.accounts import check_credentials
from app.auth.audit import Action
from app.templating import be_date

bp = Blueprint("auth", __name__)


# What a browser ignores or rewrites when it parses a URL (WHATWG URL standard): leading and trailing
# C0 controls and spaces are stripped, tabs and newlines anywhere are removed, and a backslash is read
# as "/".
_STRIPPED = "".join(map(chr, range(0x21)))
_REMOVED = str.maketrans("", "", "\t\n\r")


def safe_next(target: str | None, default: str | None = None) -> str:
    r"""Where to go after sign-in: a path on this site, judged as the browser will read it, or the
    `default` (the form list). "/<TAB>/evil.example", "/\evil.example" and "/%2F/evil.example" are all another host
    to some browser or proxy; they are refused, not repaired."""
    default = default or url_for("forms.index")
    if not target:
        return default
    seen = target.strip(_STRIPPED).translate(_REMOVED).replace("\\", "/")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in seen):
        return default
    parts = urlsplit(seen)
    if parts.scheme or parts.netloc or not seen.startswith("/"):
        return default
    decoded = unquote(parts.path).replace("\\", "/")
    if decoded.startswith("//") or seen.startswith("//"):
        return default
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    next_url = request.values.get("next") or ""
    if request.method == "GET":
        return render_template("auth/signin.html", next_url=next_url, error=None,
                               signed_out=request.args.get("signed_out") == "1")
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    result = check_credentials(username, password, via="form")
    if result.reason == "throttled":
        when = be_date(result.locked_until, with_time=True)
        error = (f"มีการใส่รหัสผ่านผิดจากเครือข่ายนี้หลายครั้ง กรุณาลองใหม่หลัง {when} น.",
                 f"Too many wrong passwords from this network: try again after {when}.")
        return render_template("auth/signin.html", next_url=next_url, error=error, username=username,
                               signed_out=False), 429
    if result.reason != "ok":
        if result.reason == "locked" or (result.reason == "bad_password" and result.locked_until):
            when = be_date(result.locked_until, with_time=True)
            error = (f"ใส่รหัสผ่านผิดหลายครั้ง บัญชีถูกล็อกชั่วคราวถึง {when} น.",
                     f"Too many wrong passwords: the account is locked until {when}.")
        else:
            error = ("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "The username or password is not correct.")
        return render_template("auth/signin.html", next_url=next_url, error=error, username=username,
                               signed_out=False), 401
    user = result.user
    session.clear()  # a new session: nothing from before sign-in carries over
    g.pop("csrf_token", None)  # and a new CSRF token with it
    session["uid"] = user.id
    session["sv"] = user.session_version
    session.permanent = True
    g.user = user
    audit.record(Action.SIGNIN, "user", user.id, {}, actor=user)
    from app.auth.home import home_url

    return redirect(safe_next(next_url, home_url(user)), code=303)  # the role's home page (app/auth/home.py)


@bp.route("/signout", methods=["GET", "POST"])
def signout():
    user = g.get("user")
    if request.method == "GET":
        if user is None:
            return redirect(url_for("auth.signin"))
        return render_template("auth/signout.html")
    if user is not None:
        audit.record(Action.SIGNOUT, "user", user.id, {}, actor=user)
    session.clear()
    response = redirect(url_for("auth.signin", signed_out=1), code=303)
    response.headers["Clear-Site-Data"] = '"cache"'
    response.delete_cookie(DEVICE_USER_COOKIE, path="/", samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
