"""`flask --app wsgi backup create [DIR] [--keep N] | verify BACKUP | restore BACKUP`: thin over service.py.
Every refusal is printed in Thai and English and exits 1; never a traceback."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.backup import service
from app.backup.problems import BackupProblem, BackupRefused

backup_cli = AppGroup("backup", help="Back up and restore the whole database, attachments included.")


def _run(action, *args):  # noqa: ANN001, ANN002
    """Call `action`; a refusal or an unexpected failure becomes a Thai/English message and exit 1."""
    try:
        return action(*args)
    except BackupRefused as e:
        _fail(e.problems)
    except (OSError, sqlite3.Error, SQLAlchemyError) as e:
        detail = (str(getattr(e, "orig", None) or e).strip().splitlines() or [type(e).__name__])[0][:300]
        _fail([BackupProblem("unexpected", f"เกิดข้อผิดพลาด: {detail}", f"error: {detail}")])


def _fail(problems: list[BackupProblem]) -> None:
    for p in problems:
        click.echo(f"✗ {p.message_th}", err=True)
        click.echo(f"  {p.message_en}", err=True)
    raise SystemExit(1)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


def _describe(m, rows: int | None = None) -> None:  # noqa: ANN001 - Manifest
    rows = sum(m.tables.values()) if rows is None else rows
    click.echo(f"  ทำเมื่อ / taken at: {service.describe_time(m.created_at)} (chumchon {m.app_version}, "
               f"migration {m.migration_head})")
    click.echo(f"  ฐานข้อมูล / database: {m.kind}, {len(m.tables)} ตาราง / tables, {rows:,} แถว / rows")
    click.echo(f"  ไฟล์แนบ / attachment blobs: {m.blobs['count']:,} ({_size(m.blobs['bytes'])}), "
               "SHA-256 ทุกไฟล์ / every one checksummed")
    if m.blobs.get("damaged"):
        click.echo(f"  ! ไฟล์แนบ {len(m.blobs['damaged'])} ไฟล์เสียหายอยู่แล้วในฐานข้อมูลต้นทาง / "
                   f"{len(m.blobs['damaged'])} blob(s) were already damaged in the source database: "
                   + ", ".join(k[:16] for k in m.blobs["damaged"][:10]))


@backup_cli.command("create")
@click.argument("directory", required=False, envvar="CHUMCHON_BACKUP_DIR",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--keep", type=click.IntRange(min=1), default=None, metavar="N",
              help="Keep the newest N backups in DIRECTORY; delete older ones.")
def backup_create(directory: Path | None, keep: int | None) -> None:
    """Write a consistent snapshot of the database (attachments included) into a new folder in
    DIRECTORY (default: $CHUMCHON_BACKUP_DIR, else instance/backups), safe while the server runs."""
    directory = directory or Path(current_app.config["INSTANCE_DIR"]) / "backups"
    created = _run(service.create_backup, current_app.config["DATABASE_URL"], directory, keep)
    click.echo(f"✓ สำรองข้อมูลแล้ว / backup written: {created.path}")
    _describe(created.manifest)
    for p in created.removed:
        click.echo(f"  ลบข้อมูลสำรองเก่า / removed old backup: {p.name}")
    if created.manifest.blobs.get("damaged"):
        raise SystemExit(2)


@backup_cli.command("verify")
@click.argument("backup", type=click.Path(path_type=Path))
def backup_verify(backup: Path) -> None:
    """Check a backup without restoring it: manifest, file checksums, rows per table, every blob."""
    checked = _run(service.verify_backup, backup)
    click.echo(f"✓ ข้อมูลสำรองสมบูรณ์ / backup verified: {checked.path}")
    _describe(checked.manifest)


@backup_cli.command("restore")
@click.argument("backup", type=click.Path(path_type=Path))
def backup_restore(backup: Path) -> None:
    """Restore BACKUP into the empty database DATABASE_URL names (stop the server first), then check
    rows per table and every blob against the manifest and migrate to this version's schema."""
    restored = _run(service.restore_backup, backup, current_app.config["DATABASE_URL"])
    m = restored.manifest
    click.echo(f"✓ กู้คืนแล้วและตรวจสอบครบ / restored and verified: {backup}")
    _describe(m, sum(restored.counts.values()))
    for table, n in sorted(restored.counts.items()):
        click.echo(f"    {table:32} {n:>10,}")
    if restored.migrated_to:
        click.echo(f"  ปรับโครงสร้างเป็นรุ่นปัจจุบัน / migrated: {m.migration_head} → {restored.migrated_to}")
    else:
        click.echo(f"  โครงสร้างตรงกับรุ่นนี้ / schema matches this version: migration {m.migration_head}")
