"""chumchon: create_app() wires configuration, database, templates, blueprints and CLI commands."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter
from flask_compress import Compress
from htmx_flask import Htmx

from app import db, errors, templating
from app.config import Config


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in every route: ids beyond a 32-bit integer cannot exist in our tables, and letting
    them reach the database is a 500 (SQLite OverflowError, PostgreSQL "integer out of range").
    Such URLs simply do not match, so they answer the bilingual 404."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002, ANN001, ANN002, ANN003
        kwargs.setdefault("max", db.DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(Config.INSTANCE_DIR))
    app.url_map.converters["int"] = DatabaseIntConverter
    app.config.from_object(Config)
    if overrides:
        app.config.update(overrides)
    app.config["INSTANCE_DIR"].mkdir(parents=True, exist_ok=True) if hasattr(
        app.config["INSTANCE_DIR"], "mkdir") else None
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    if not app.config.get("SECRET_KEY"):
        from app.instance_secret import instance_secret

        app.config["SECRET_KEY"] = instance_secret(app.config["INSTANCE_DIR"])

    db.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    Htmx(app)
    # gzip/brotli for HTML, CSS, JS, JSON (tablets on slow links); ~4x smaller pages and bundles
    Compress(app)
    from app import assets

    assets.init_app(app)  # dist/ JS, CSS, HTML pre-compressed by build.mjs (brotli, gzip)

    from app import auth

    auth.init_app(app)

    from app.forms import api, fill, offline, openrosa, submissions, unsent, views

    app.register_blueprint(views.bp)
    app.register_blueprint(fill.bp)
    app.register_blueprint(offline.bp)
    app.register_blueprint(unsent.bp)
    app.register_blueprint(openrosa.bp)
    app.register_blueprint(submissions.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")

    from app.forms import draft_fill, lifecycle_views

    app.register_blueprint(lifecycle_views.bp)  # drafts, what changed, re-score preview, state, roll back
    app.register_blueprint(draft_fill.bp)  # a draft's test link: fill page, media, OpenRosa for Collect

    from app.scoring import views as scoring_views

    app.register_blueprint(scoring_views.bp)  # meeting screen + /api/v1/submissions/<id>/score

    from app.scoring import committee

    app.register_blueprint(committee.bp)  # committee links /c/<token>, plans, revocation

    from app.registry import views as registry_views

    app.register_blueprint(registry_views.bp)  # /registry/groups: approval of group registrations

    from app.auth import assignments

    app.register_blueprint(assignments.bp)  # /assignments: officers assigned to their district's groups

    from app.otop import views as otop_views

    app.register_blueprint(otop_views.bp)  # /otop: household profile, candidate groups, groups' OTOP path
    from app.reports import views as report_views

    app.register_blueprint(report_views.bp)  # /province report, /district worklist, /targets
    from app.reports import export_views

    app.register_blueprint(export_views.bp)  # /exports/<token>: exports prepared in the background
    from app import health

    app.register_blueprint(health.bp)  # /healthz for the proxy in front of several app servers
    from app import language

    language.init_app(app)  # POST /language: Thai only or Thai + English on the app's own screens

    from app import cli

    cli.init_app(app)
    return app
