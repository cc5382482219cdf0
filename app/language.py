"""The language of the app's own screens: Thai only ("th") or Thai with English beside it ("th-en").

Kept per user (User.language) and, for signed-out pages and before sign-in, in the `chumchon_lang`
cookie; the signed-in user's choice wins. Every page carries it as `<html data-ui-lang>`: with "th"
app.css hides every `.en` span (the English half of each bilingual text), and the Jinja global
`bi(" · English")` drops English text that cannot be a span (option texts, attributes). A form's own
languages (the workbook's labels) are the fill page's choice, not this one.

POST /language (anyone; CSRF-protected like every form) sets it and goes back to the page it came from.
"""
from __future__ import annotations

from flask import Blueprint, g, redirect, request, url_for

from app import db

bp = Blueprint("language", __name__)

LANGUAGES = ("th", "th-en")
DEFAULT = "th-en"
COOKIE = "chumchon_lang"
COOKIE_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie


def ui_language() -> str:
    user = g.get("user")
    chosen = getattr(user, "language", None) if user is not None else None
    if chosen not in LANGUAGES:
        chosen = request.cookies.get(COOKIE) if request else None
    return chosen if chosen in LANGUAGES else DEFAULT


def bi(english: str) -> str:
    """`english` when the English half is shown, else "" (for text that cannot carry a .en span)."""
    return english if ui_language() == "th-en" else ""


def _back(target: str | None) -> str:
    from app.auth.views import safe_next

    return safe_next(target) if target else url_for("forms.index")


@bp.post("/language")
def choose():
    chosen = (request.form.get("language") or "").strip()
    response = redirect(_back(request.form.get("next") or request.referrer and _path_of(request.referrer)), 303)
    if chosen not in LANGUAGES:
        return response
    user = g.get("user")
    if user is not None:
        user.language = chosen
        db.session.commit()
    response.set_cookie(COOKIE, chosen, max_age=COOKIE_AGE, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response


def _path_of(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def init_app(app) -> None:  # noqa: ANN001
    app.jinja_env.globals["bi"] = bi
    app.jinja_env.globals["ui_language"] = ui_language
    app.register_blueprint(bp)
