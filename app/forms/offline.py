"""What the service worker needs from the server: the worker script itself and the list of forms to
keep on the tablet.

- `/sw.js` serves the bundle built from service_worker/ (esbuild -> app/static/dist/sw.js) at the
  site root, so its scope is the whole app. `Cache-Control: no-cache`: the browser checks for a new
  build on every navigation (the bundle embeds the precache manifest, so a new build = a new worker).
- `/offline/manifest.json` lists, for the signed-in user, every published form they may fill: the
  latest version's versioned fill URL (cached per version by the worker) and its media (the files
  attached at publish: CSV choice lists, XML instances; immutable). A form that reads the registry
  lists (groups.csv, villages.csv) carries the user's lists inside its fill page (fill.py), so the
  manifest says which forms do (`registry: true`) and a `registry_version` (a hash of the stored
  revisions of this user's districts, app/registry/revisions.py): when it changes (a group approved, another officer signed in on the tablet), the worker
  fetches those forms' pages again. It also carries a fresh CSRF token for the session, so code that
  sends queued work after a long time offline can use a token of the *current* session rather than
  the one baked into a page that was cached days ago. No server state: badges ("ready offline") are
  computed in the page from Cache Storage.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, g, jsonify, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, defer, selectinload

from app import db
from app.models import Form, FormVersion
from app.registry.media import registry_lists_of

bp = Blueprint("offline", __name__)


def _worker_file() -> Path:
    configured = current_app.config.get("SERVICE_WORKER_FILE")
    return Path(configured) if configured else Path(current_app.static_folder) / "dist" / "sw.js"


@bp.get("/sw.js")
def service_worker():
    path = _worker_file()
    if not path.is_file():
        abort(404)  # front-end not built (`node build.mjs`)
    response = Response(path.read_bytes(), content_type="application/javascript; charset=utf-8", headers={
        "Cache-Control": "no-cache",
        "Service-Worker-Allowed": "/",
    })
    return response


def offline_media_urls(fv) -> list[str]:  # noqa: ANN001
    """The media URLs the fill page of `fv` loads: the files attached at publish."""
    return [url_for("fill.form_media", form_id=fv.form.form_id, version=fv.version, filename=m.filename)
            for m in sorted(fv.media, key=lambda m: m.filename)]


def registry_version(user) -> str:  # noqa: ANN001
    """A short hash that changes when the registry lists `user` gets may have changed: their
    districts' stored revisions (app/registry/revisions.py), one small query, whatever the registry's size."""
    from app.auth.scope import district_codes
    from app.registry.revisions import registry_version as revisions_hash

    return revisions_hash(db.session(), district_codes(user))


@bp.get("/offline/manifest.json")
def manifest():
    # The latest version of each form (the highest id, Form.latest's order), without its large columns.
    latest_ids = select(func.max(FormVersion.id)).group_by(FormVersion.form_pk)
    versions = db.session.scalars(
        select(FormVersion).join(Form).where(FormVersion.id.in_(latest_ids))
        .options(defer(FormVersion.xlsx), defer(FormVersion.xform), defer(FormVersion.survey),
                 defer(FormVersion.definition), selectinload(FormVersion.media), contains_eager(FormVersion.form))
        .order_by(Form.title)).all()
    items = []
    for fv in versions:
        form = fv.form
        if form.state != "open":  # closing/closed: no new fills (drafts keep their cache)
            continue
        items.append({
            "form_id": form.form_id,
            "title": form.title,
            "version": fv.version,
            "fill_url": url_for("fill.fill_form_version", form_id=form.form_id, version=fv.version),
            "latest_url": url_for("fill.fill_form", form_id=form.form_id),
            "media": offline_media_urls(fv),
            "registry": bool(registry_lists_of(fv)),  # its fill page carries them (fill.py)
        })
    user = g.get("user")
    response = jsonify({
        "user": user.username if user is not None else None,
        "csrf_token": generate_csrf(),
        "registry_version": registry_version(user) if any(i["registry"] for i in items) else None,
        "forms": items,
    })
    # Cacheable by the worker (it keeps the last good copy to work offline), never by shared caches.
    response.headers["Cache-Control"] = "private, no-cache"
    return response
