"""Create, verify and restore backups (the CLI in app/backup/cli.py is a thin layer over these).

create: snapshot (sqlite.py / postgres.py) -> blob list -> manifest -> rename `.partial` to the final
name -> retention. verify: manifest, every file's checksum, then the snapshot's own counts and blob
checksums read back. restore: refuse another database kind, an unknown migration, a backup that fails verify, a
non-empty target; copy; compare counts and blob checksums in the restored database (back to empty
if they differ); migrate forward to this code's head."""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

from sqlalchemy.engine import make_url

from app.backup import content, postgres, sqlite
from app.backup.manifest import (
    BLOB_LIST,
    MANIFEST,
    PARTIAL_SUFFIX,
    BlobEntry,
    Manifest,
    backup_folder,
    backup_name,
    backups_to_remove,
    check_files,
    compare_blobs,
    compare_counts,
    file_digest,
    iter_backups,
    now_utc,
    read_blob_list,
    read_manifest,
    write_blob_list,
)
from app.backup.problems import BackupProblem, BackupRefused, refuse
from app.db import make_engine

STALE_PARTIAL_SECONDS = 24 * 3600


def database_kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise refuse("kind_unsupported", f"สำรองฐานข้อมูลชนิด {backend} ไม่ได้ (ได้เฉพาะ SQLite และ PostgreSQL)",
                     f"cannot back up a {backend} database (SQLite and PostgreSQL only)")
    return backend


def app_version() -> str:
    try:
        return metadata.version("chumchon")
    except metadata.PackageNotFoundError:
        return "unknown"


def code_head() -> str:
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from app.migrate import alembic_config

    try:
        return ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision) is not None
    except (CommandError, KeyError):
        return False


# --- create -------------------------------------------------------------------------------------

@dataclass
class Created:
    path: Path
    manifest: Manifest
    removed: list[Path] = field(default_factory=list)


def create_backup(url: str, directory: Path, keep: int | None = None) -> Created:
    kind = database_kind(url)
    directory.mkdir(parents=True, exist_ok=True)
    when = now_utc()
    name = _free_name(directory, backup_name(when))
    partial = directory / (name + PARTIAL_SUFFIX)
    partial.mkdir(mode=0o700)  # the whole database: accounts, national IDs — owner only
    try:
        if kind == "sqlite":
            db_file = partial / "database.sqlite3"
            info = sqlite.snapshot(url, db_file)
            with sqlite.reading(db_file) as conn:
                counts = content.table_counts(conn)
                head = content.migration_head(conn)
                blobs: list[BlobEntry] = list(content.blob_entries(conn))
        else:
            db_file = partial / "database.dump"
            info, counts, head, blobs = postgres.snapshot(url, db_file)
        if head is None:
            raise refuse("not_migrated", "ฐานข้อมูลยังไม่มีโครงสร้าง (ไม่มี alembic_version): รัน flask --app wsgi db upgrade ก่อน",
                         "the database has no schema (no alembic_version): run flask --app wsgi db upgrade first")
        count, total, damaged = write_blob_list(partial / BLOB_LIST, blobs)
        manifest = Manifest(
            created_at=when.isoformat(timespec="seconds").replace("+00:00", "Z"), app_version=app_version(),
            migration_head=head, database=info, tables=counts,
            blobs={"table": content.BLOB_TABLE.name, "storage": "database", "count": count, "bytes": total,
                   "list_file": BLOB_LIST, "damaged": damaged},
            files={db_file.name: file_digest(db_file), BLOB_LIST: file_digest(partial / BLOB_LIST)})
        (partial / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        _fsync_folder(partial)
        final = directory / name
        os.rename(partial, final)
        _fsync(directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    removed = prune(directory, keep) if keep else []
    return Created(final, manifest, removed)


def _free_name(directory: Path, name: str) -> str:
    candidate, n = name, 1
    while (directory / candidate).exists() or (directory / (candidate + PARTIAL_SUFFIX)).exists():
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete complete backups beyond the newest `keep`, and unfinished ones older than a day."""
    removed = []
    for name in backups_to_remove([p.name for p in iter_backups(directory)], keep):
        shutil.rmtree(directory / name)
        removed.append(directory / name)
    for p in directory.glob("chumchon-backup-*" + PARTIAL_SUFFIX):
        if p.is_dir() and time.time() - p.stat().st_mtime > STALE_PARTIAL_SECONDS:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    for p in folder.iterdir():
        p.chmod(0o600)
        _fsync(p)
    _fsync(folder)


# --- verify -------------------------------------------------------------------------------------

@dataclass
class Checked:
    path: Path
    manifest: Manifest
    blobs: dict[str, BlobEntry]


def check_backup(path: Path) -> Checked:
    """The cheap checks: the manifest reads, every file has its recorded size and checksum, the blob
    list agrees with the manifest. Raises BackupRefused naming what is wrong."""
    folder = backup_folder(path)
    manifest = read_manifest(folder)
    problems = check_files(folder, manifest)
    if problems:
        raise BackupRefused(problems)
    blobs = read_blob_list(folder / manifest.blobs["list_file"])
    if len(blobs) != manifest.blobs["count"]:
        raise refuse("blob_list_count", f"รายการไฟล์แนบมี {len(blobs):,} รายการ แต่ manifest ระบุ {manifest.blobs['count']:,}",
                     f"the blob list holds {len(blobs):,} entries, the manifest says {manifest.blobs['count']:,}")
    return Checked(folder, manifest, blobs)


def verify_backup(path: Path) -> Checked:
    """Everything short of restoring: the cheap checks, then the snapshot itself read back — SQLite's
    integrity check, rows per table and every blob's SHA-256 against the manifest."""
    return _verify_content(check_backup(path))


def _verify_content(checked: Checked) -> Checked:
    m = checked.manifest
    db_file = checked.path / m.database_file
    where_th, where_en = "ข้อมูลสำรอง", "the backup"
    if m.kind == "sqlite":
        damage = sqlite.check_integrity(db_file)
        if damage:
            raise refuse("database_damaged", f"ไฟล์ฐานข้อมูลในข้อมูลสำรองเสียหาย: {damage}",
                         f"the database file in the backup is damaged: {damage}")
        with sqlite.reading(db_file) as conn:
            counts = content.table_counts(conn)
            problems = compare_blobs(checked.blobs, content.blob_entries(conn), where_th, where_en)
            head = content.migration_head(conn)
    else:
        counts, blobs, head = postgres.read_archive(db_file, int(m.database.get("tool_major", 0)), m.blobs["table"])
        problems = compare_blobs(checked.blobs, blobs, where_th, where_en)
    problems = compare_counts(m.tables, counts, where_th, where_en) + problems
    if head != m.migration_head:
        problems.append(BackupProblem("head_mismatch", f"migration ในข้อมูลสำรองคือ {head} แต่ manifest ระบุ {m.migration_head}",
                                      f"the backup's migration is {head}, the manifest says {m.migration_head}"))
    if problems:
        raise BackupRefused(problems)
    return checked


# --- restore ------------------------------------------------------------------------------------

@dataclass
class Restored:
    manifest: Manifest
    counts: dict[str, int]
    migrated_to: str | None  # this code's head when the backup's was older, else None


def restore_backup(path: Path, url: str) -> Restored:
    checked = check_backup(path)
    m = checked.manifest
    kind = database_kind(url)
    if m.kind != kind:
        raise refuse(
            "kind_mismatch",
            f"ข้อมูลสำรองนี้เป็น {m.kind} แต่ DATABASE_URL เป็น {kind}: กู้คืนได้เฉพาะฐานข้อมูลชนิดเดียวกัน "
            "(การย้ายจาก SQLite ไป PostgreSQL ยังไม่รองรับ)",
            f"this is a {m.kind} backup but DATABASE_URL is {kind}: restore into the same kind of database "
            "(restoring SQLite into PostgreSQL is not supported)")
    if not _known_revision(m.migration_head):
        raise refuse("migration_unknown",
                     f"ข้อมูลสำรองทำจาก chumchon รุ่นใหม่กว่า (migration {m.migration_head} ไม่รู้จักที่นี่, "
                     f"รุ่นของข้อมูลสำรอง {m.app_version}): ติดตั้งรุ่นนั้นก่อนกู้คืน",
                     f"the backup comes from a newer chumchon (migration {m.migration_head} is unknown here, "
                     f"backup made by version {m.app_version}): install that version before restoring")
    _verify_content(checked)  # a damaged backup is named and refused before the target is touched
    busy = _non_empty_target(url, kind)
    if busy:
        listed = ", ".join(f"{t} ({n:,})" for t, n in sorted(busy.items()))
        raise refuse("target_not_empty",
                     f"ฐานข้อมูลปลายทางไม่ว่าง จึงไม่กู้คืนทับ ({listed}): กู้คืนได้เฉพาะฐานข้อมูลว่าง "
                     "(สร้างฐานข้อมูลใหม่ หรือชี้ DATABASE_URL ไปที่ไฟล์ใหม่)",
                     f"the target database is not empty, nothing restored over it ({listed}): restore only "
                     "into an empty database (create a new one, or point DATABASE_URL at a new file)")
    db_file = checked.path / m.database_file
    if kind == "sqlite":
        sqlite.restore(db_file, url)
    else:
        postgres.restore(db_file, url, int(m.database.get("tool_major", 0)))
    counts, problems = _compare_restored(url, checked)
    if problems:
        _wipe(url, kind)
        raise BackupRefused([*problems, BackupProblem(
            "restore_undone", "ฐานข้อมูลที่กู้คืนไม่ตรงกับข้อมูลสำรอง จึงล้างกลับเป็นฐานข้อมูลว่าง",
            "the restored database did not match the backup, so it was emptied again")])
    migrated_to = None
    if m.migration_head != code_head():
        from app.migrate import upgrade

        upgrade(url)
        migrated_to = code_head()
    return Restored(m, counts, migrated_to)


def _non_empty_target(url: str, kind: str) -> dict[str, int]:
    if kind == "postgresql":
        return postgres.target_tables(url)
    path = sqlite.database_path(url)
    if not path.exists() or path.stat().st_size == 0:
        return {}
    damage = sqlite.check_integrity(path)
    if damage:
        raise refuse("target_unreadable", f"ไฟล์ปลายทาง {path} ไม่ใช่ฐานข้อมูลว่าง ({damage})",
                     f"the target file {path} is not an empty database ({damage})")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return content.non_empty_tables(conn)
    finally:
        engine.dispose()


def _compare_restored(url: str, checked: Checked) -> tuple[dict[str, int], list[BackupProblem]]:
    m = checked.manifest
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            counts = content.table_counts(conn)
            where_th, where_en = "ฐานข้อมูลที่กู้คืน", "the restored database"
            problems = compare_counts(m.tables, counts, where_th, where_en)
            problems += compare_blobs(checked.blobs, content.blob_entries(conn), where_th, where_en)
            head = content.migration_head(conn)
            if head != m.migration_head:
                problems.append(BackupProblem(
                    "head_mismatch", f"migration ที่กู้คืนคือ {head} แต่ manifest ระบุ {m.migration_head}",
                    f"the restored migration is {head}, the manifest says {m.migration_head}"))
    finally:
        engine.dispose()
    return counts, problems


def _wipe(url: str, kind: str) -> None:
    if kind == "sqlite":
        sqlite.wipe(url)
        return
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            content.drop_all_tables(conn)
    finally:
        engine.dispose()


def describe_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M:%S UTC")
    except ValueError:
        return iso
