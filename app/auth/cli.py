"""`flask --app wsgi users create|deactivate|reactivate|list|seed-districts`."""
from __future__ import annotations

import getpass

import click
from flask.cli import AppGroup
from sqlalchemy import select

users_cli = AppGroup("users", help="Accounts: create, deactivate, list; load the districts.")


def _cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


@users_cli.command("seed-districts")
def seed_districts_cmd() -> None:
    """Load Loei province and its 14 districts (app/auth/districts_loei.csv); idempotent."""
    from app.auth.accounts import seed_districts

    p, d = seed_districts()
    click.echo(f"provinces added: {p}, districts added: {d}")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "province", "district", "officer"]), required=True)
@click.option("--district", default=None, help="District code (4201) or number in the province (1).")
@click.option("--province", default=None, help="Province code (42), for province accounts.")
@click.option("--name", "display_name", default=None, help="Display name (default: the username).")
@click.option("--password", default=None, help="Prompted for when omitted (preferred: not in shell history).")
def create_cmd(username, role, district, province, display_name, password) -> None:  # noqa: ANN001
    """Create an account."""
    from app.auth.accounts import AccountError, create_user

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(username, display_name or username, role, password, district=district,
                           province=province, actor=_cli_actor())
    except AccountError as e:
        raise click.ClickException(f"{e.message_th} / {e.message_en}") from None
    where = user.district.code if user.district else (user.province.code if user.province else "-")
    click.echo(f"created {user.username} ({user.role}, {where})")


def _set_active(username: str, active: bool) -> None:
    from app.auth.accounts import find_user, set_active

    user = find_user(username)
    if user is None:
        raise click.ClickException(f"ไม่พบผู้ใช้ / no user '{username}'")
    set_active(user, active, actor=_cli_actor())
    click.echo(f"{username}: {'active' if active else 'deactivated (everything they submitted is kept)'}")


@users_cli.command("deactivate")
@click.argument("username")
def deactivate_cmd(username: str) -> None:
    """Deactivate an account (its sessions end; its submissions stay)."""
    _set_active(username, False)


@users_cli.command("reactivate")
@click.argument("username")
def reactivate_cmd(username: str) -> None:
    _set_active(username, True)


@users_cli.command("list")
def list_cmd() -> None:
    from app import db
    from app.models import User

    for u in db.session.scalars(select(User).order_by(User.username)):
        where = u.district.code if u.district else (u.province.code if u.province else "-")
        click.echo(f"{u.username:20} {u.role:9} {where:6} {'active' if u.active else 'inactive'}")


def init_app(app) -> None:  # noqa: ANN001
    app.cli.add_command(users_cli)
