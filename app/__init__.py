"""chumchon: create_app() wires configuration, database, templates, blueprints and CLI commands."""
from __future__ import annotations

from flask import Flask
from htmx_flask import Htmx

from app import db, errors, templating
from app.config import Config


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(Config.INSTANCE_DIR))
    app.config.from_object(Config)
    if overrides:
        app.config.update(overrides)
    app.config["INSTANCE_DIR"].mkdir(parents=True, exist_ok=True) if hasattr(
        app.config["INSTANCE_DIR"], "mkdir") else None

    db.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    Htmx(app)

    from app import auth

    auth.init_app(app)

    from app.forms import api, fill, openrosa, submissions, views

    app.register_blueprint(views.bp)
    app.register_blueprint(fill.bp)
    app.register_blueprint(openrosa.bp)
    app.register_blueprint(submissions.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")

    from app import cli

    cli.init_app(app)
    return app
