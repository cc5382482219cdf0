"""CLI commands: `flask --app wsgi db upgrade`, `forms import FILE|FOLDER ...`, `demo load`,
`exports run-pending`."""
from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

db_cli = AppGroup("db", help="Database schema.")
forms_cli = AppGroup("forms", help="Publish XLSForm workbooks.")
demo_cli = AppGroup("demo", help="Demo data.")
exports_cli = AppGroup("exports", help="Exports prepared in the background.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration to the configured database."""
    from app.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")


@forms_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--by", "published_by", default=None, help="Who publishes (default: the OS user).")
@click.option("--draft", is_flag=True, help="Save each as its form's draft (to test, compare, publish on the web).")
def forms_import(paths: tuple[Path, ...], published_by: str | None, draft: bool) -> None:
    """Publish workbooks (files, or every .xlsx in a folder) with the media files each names that lie
    next to it (CSV, XML, images). Exits 1 if any is refused."""
    from app.auth import audit
    from app.forms.publishing import publish_workbook
    from app.xlsform.problems import WorkbookRejected

    who = published_by or f"cli:{getpass.getuser()}"
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(p.glob("*.xlsx")) if p.is_dir() else [p])
    failed = 0
    if draft:
        return _import_drafts(files, who)
    for f in files:
        try:
            # the media the form names (villages.csv, ...) are taken from the workbook's folder
            result = publish_workbook(f.name, f.read_bytes(), published_by=who, media_dir=f.parent)
        except WorkbookRejected as e:
            failed += 1
            click.echo(f"✗ {f.name}: ไม่เผยแพร่ / not published ({len(e.problems)} problems)", err=True)
            for p in e.problems:
                where = p.where_en()
                click.echo(f"   - [{where}] {p.message_th} / {p.message_en}", err=True)
                if p.hint_en:
                    click.echo(f"     ↳ {p.hint_th} / {p.hint_en}", err=True)
            continue
        v = result.form_version
        if result.created:
            audit.record(audit.Action.PUBLISH, "form_version", f"{v.form.form_id}@{v.version}",
                         {"form_id": v.form.form_id, "version": v.version, "filename": f.name, "via": "cli"},
                         actor=who)
        state = "published" if result.created else "unchanged, no new version"
        click.echo(f"✓ {f.name}: {v.form.form_id} version {v.version} ({state})")
        for p in result.problems:
            click.echo(f"   ! [{p.where_en()}] {p.message_th} / {p.message_en}")
    if failed:
        raise SystemExit(1)


def _import_drafts(files: list[Path], who: str) -> None:
    """`forms import --draft`: each workbook becomes (or replaces) its form's draft (app/forms/drafts.py),
    with the data files lying next to it; a missing one is named, not refused."""
    from app.forms.drafts import blockers, save_draft
    from app.xlsform.problems import WorkbookRejected

    failed = 0
    for f in files:
        from app.xlsform.convert import convert_workbook

        try:
            conv = convert_workbook(f.name, f.read_bytes())
            names = conv.definition.external_files if conv.definition is not None else []
            media = {n: (f.parent / n).read_bytes() for n in names if (f.parent / n).is_file() and "/" not in n}
            result = save_draft(f.name, f.read_bytes(), who, media=media)
        except WorkbookRejected as e:
            failed += 1
            click.echo(f"✗ {f.name}: ({len(e.problems)} problems)", err=True)
            for p in e.problems:
                click.echo(f"   - [{p.where_en()}] {p.message_th} / {p.message_en}", err=True)
            continue
        d = result.draft
        click.echo(f"✓ {f.name}: draft of {d.form_id} version {d.version or '(at publish)'} "
                   f"({'new' if result.created else 'replaced'}; {result.rechecked} test records re-checked)")
        for p in blockers(d):
            click.echo(f"   ! not publishable yet: {p.message_th} / {p.message_en}")
    if failed:
        raise SystemExit(1)


@demo_cli.command("load")
def demo_load() -> None:
    """Load Loei's districts, one demo account per role and demo submissions (idempotent)."""
    from app.demo import load_demo, load_demo_users

    click.echo("demo accounts (for trying the app only; change or deactivate them on a real server):")
    for username, role, password, created in load_demo_users():
        click.echo(f"  {username:10} {role:9} password: {password}{'' if created else '  (already there)'}")
    results = load_demo()
    click.echo(f"demo data: {len(results)} submissions ({sum(1 for _, s in results if s == 201)} stored or already there)")


@exports_cli.command("run-pending")
def exports_run_pending() -> None:
    """Run every export that waits or whose process died, here (app/reports/jobs.py)."""
    from app.reports.jobs import run_pending

    click.echo(f"{run_pending(current_app._get_current_object())} export(s) prepared")


def init_app(app) -> None:  # noqa: ANN001
    app.cli.add_command(exports_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(forms_cli)
    app.cli.add_command(demo_cli)
    from app.backup.cli import backup_cli  # backup create|verify|restore

    app.cli.add_command(backup_cli)
