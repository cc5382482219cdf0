"""What `backup verify` and `backup restore` refuse, and that a refusal is a Thai + English message
naming what is wrong (never a traceback) and leaves the target database as it was; retention; the
restore drill into a database someone already migrated; pg_dump missing or too old."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from app.auth.accounts import seed_districts
from app.backup import manifest as manifest_module
from app.backup import postgres, service
from app.backup.problems import BackupRefused
from app.forms.receiving import receive_submission
from tests.backup.conftest import THAI, Database, app_on, only_backup_in, run_cli
from tests.forms.openrosa_helpers import publish, submission_xml


@dataclass
class Sample:
    database: Database
    backup: Path
    photos: dict[str, bytes]
    tmp: Path

    def app(self, url: str | None = None):  # noqa: ANN201
        return app_on(url or self.database.url, self.tmp / "instance")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A database with three submissions (a photo each) and one backup of it, shared by the module."""
    tmp = tmp_path_factory.mktemp("sample")
    database = Database(tmp, "sample").migrate()
    app = app_on(database.url, tmp / "instance")
    photos = {}
    with app.app_context():
        seed_districts()
        fv = publish()
        for n in range(3):
            iid = f"uuid:{uuid.uuid4()}"
            photos[iid] = b"\xff\xd8\xff\xe0" + os.urandom(2000 + n)
            outcome = receive_submission(submission_xml(fv, iid, photo="photo.jpg"),
                                         {"photo.jpg": (photos[iid], "image/jpeg")}, "test")
            assert outcome.status == 201
    created = run_cli(app, "backup", "create", tmp / "backups")
    assert created.exit_code == 0, created.output
    yield Sample(database, only_backup_in(tmp / "backups"), photos, tmp)
    database.drop()


def copy_of(sample: Sample, tmp_path: Path) -> Path:
    return Path(shutil.copytree(sample.backup, tmp_path / sample.backup.name))


def database_file(backup: Path) -> Path:
    return backup / json.loads((backup / "manifest.json").read_text())["database"]["file"]


def assert_refused(result, *phrases: str) -> None:  # noqa: ANN001
    assert result.exit_code == 1, result.output
    assert THAI.search(result.output), f"no Thai in the message: {result.output}"
    for phrase in phrases:
        assert phrase in result.output, f"{phrase!r} not in: {result.output}"


def tables_with_rows(database: Database) -> dict[str, int]:
    if database.kind == "sqlite" and not database.path.exists():
        return {}
    engine = database.engine()
    try:
        with engine.connect() as conn:
            names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
            counts = {n: conn.scalar(select(func.count()).select_from(text(f'"{n}"'))) for n in names}
            return {n: c for n, c in counts.items() if c}
    finally:
        engine.dispose()


def photos_in(database: Database) -> dict[str, bytes]:
    engine = database.engine()
    try:
        with engine.connect() as conn:
            return {iid: bytes(content) for iid, content in conn.execute(text(
                "SELECT s.instance_id, b.content FROM submissions s JOIN attachments a ON a.submission_id = s.id "
                "JOIN blobs b ON b.sha256 = a.sha256"))}
    finally:
        engine.dispose()


# --- sound backups ------------------------------------------------------------------------------

def test_verify_checks_a_sound_backup_and_says_what_it_holds(sample):
    result = run_cli(sample.app(), "backup", "verify", sample.backup)
    assert result.exit_code == 0, result.output
    assert "backup verified" in result.output and "ข้อมูลสำรองสมบูรณ์" in result.output
    assert "attachment blobs: 3" in result.output
    m = json.loads((sample.backup / "manifest.json").read_text())
    assert m["tables"]["submissions"] == 3 and m["tables"]["attachments"] == 3 and m["blobs"]["count"] == 3
    assert m["database"]["kind"] == sample.database.kind and m["migration_head"] == service.code_head()
    assert set(m["files"]) == {database_file(sample.backup).name, "blobs.sha256"}
    # the whole database (accounts, national IDs): readable by its owner only
    assert stat.S_IMODE(sample.backup.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in sample.backup.iterdir()} == {0o600}
    # every table the models define is counted (the list comes from the database, not from a hand-kept one)
    from app.db import Base

    assert set(Base.metadata.tables) <= set(m["tables"])


def test_restore_into_a_database_someone_already_migrated_works(sample, new_database):
    target = new_database("migrated").migrate()
    result = run_cli(sample.app(target.url), "backup", "restore", sample.backup)
    assert result.exit_code == 0, result.output
    assert "schema matches this version" in result.output
    assert photos_in(target) == sample.photos


# --- damaged backups ----------------------------------------------------------------------------

def _flip_byte(backup: Path) -> None:
    f = database_file(backup)
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF
    f.write_bytes(bytes(data))


def _truncate(backup: Path) -> None:
    f = database_file(backup)
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])


def _garble_manifest(backup: Path) -> None:
    m = backup / "manifest.json"
    m.write_bytes(m.read_bytes()[:200])


def _drop_blob_line(backup: Path) -> None:
    f = backup / "blobs.sha256"
    f.write_text("".join(f.read_text().splitlines(keepends=True)[1:]))


DAMAGE = {
    "flipped byte in the database file": (_flip_byte, "does not match the manifest"),
    "database file cut short": (_truncate, "truncated"),
    "database file gone": (lambda b: database_file(b).unlink(), "is missing from the backup"),
    "manifest gone": (lambda b: (b / "manifest.json").unlink(), "manifest.json is missing"),
    "manifest cut short": (_garble_manifest, "manifest.json is damaged"),
    "a line of the blob list gone": (_drop_blob_line, "file blobs.sha256 is"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_backup_is_refused_naming_what_is_wrong(sample, new_database, tmp_path, damage):
    backup = copy_of(sample, tmp_path)
    do, phrase = DAMAGE[damage]
    do(backup)
    target = new_database("target", create=False)
    app = sample.app(target.url)
    assert_refused(run_cli(app, "backup", "verify", backup), phrase)
    assert_refused(run_cli(app, "backup", "restore", backup), phrase)
    assert not target.exists(), "a refused restore created a database"


def test_a_backup_that_lost_a_blob_is_refused_naming_the_blob(sample, new_database, tmp_path, monkeypatch):
    if sample.database.kind == "sqlite":
        # the snapshot lost a blob row after its manifest was written; the file checksum is made to agree
        backup = copy_of(sample, tmp_path)
        f = database_file(backup)
        with sqlite3.connect(f) as conn:
            conn.execute("DELETE FROM blobs WHERE sha256 = (SELECT min(sha256) FROM blobs)")
        conn.close()
        m = json.loads((backup / "manifest.json").read_text())
        m["files"][f.name] = manifest_module.file_digest(f)
        (backup / "manifest.json").write_text(json.dumps(m))
    else:
        # a pg_dump that leaves the blobs' data out (the manifest still lists every blob)
        real = postgres.find_tool("pg_dump", None).path
        wrapper = tmp_path / "pg_dump"
        wrapper.write_text(f'#!/bin/sh\ncase "$1" in --version) exec {real} "$@";; esac\n'
                           f'exec {real} --exclude-table-data=blobs "$@"\n')
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("PG_DUMP", str(wrapper))
        created = run_cli(sample.app(), "backup", "create", tmp_path / "lossy")
        assert created.exit_code == 0, created.output
        backup = only_backup_in(tmp_path / "lossy")
    target = new_database("target")
    app = sample.app(target.url)
    for command in ("verify", "restore"):
        result = run_cli(app, "backup", command, backup)
        assert_refused(result, "attachment blob(s) missing from the backup", "table blobs")
    assert tables_with_rows(target) == {}


def test_a_restore_that_does_not_match_the_manifest_is_undone(sample, new_database, monkeypatch):
    target = new_database("target")
    restore = service.sqlite.restore if target.kind == "sqlite" else service.postgres.restore

    def restore_losing_a_photo(*args):  # noqa: ANN002, ANN202
        restore(*args)
        engine = target.engine()
        with engine.begin() as conn:
            conn.execute(text("UPDATE blobs SET content = :c WHERE sha256 = (SELECT min(sha256) FROM blobs)"),
                         {"c": b"not the photo"})
        engine.dispose()

    module = service.sqlite if target.kind == "sqlite" else service.postgres
    monkeypatch.setattr(module, "restore", restore_losing_a_photo)
    result = run_cli(sample.app(target.url), "backup", "restore", sample.backup)
    assert_refused(result, "do not match their recorded checksum", "emptied again")
    assert tables_with_rows(target) == {}
    engine = target.engine()
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    engine.dispose()


# --- where a restore may go ---------------------------------------------------------------------

def test_restore_into_a_database_holding_data_is_refused_and_changes_nothing(sample):
    before = tables_with_rows(sample.database)
    result = run_cli(sample.app(), "backup", "restore", sample.backup)
    assert_refused(result, "the target database is not empty", "submissions (3)")
    assert tables_with_rows(sample.database) == before


def test_restore_into_the_other_kind_of_database_is_refused(sample, tmp_path):
    other = ("postgresql+psycopg://nobody@127.0.0.1:1/none" if sample.database.kind == "sqlite"
             else f"sqlite:///{tmp_path / 'other.db'}")
    result = run_cli(sample.app(other), "backup", "restore", sample.backup)
    assert_refused(result, "restore into the same kind of database", "restoring SQLite into PostgreSQL is not supported")
    assert not (tmp_path / "other.db").exists()


def test_a_backup_from_a_newer_chumchon_is_refused(sample, new_database, tmp_path):
    backup = copy_of(sample, tmp_path)
    m = json.loads((backup / "manifest.json").read_text())
    m["migration_head"], m["app_version"] = "9999_future", "9.0"
    (backup / "manifest.json").write_text(json.dumps(m))
    target = new_database("target", create=False)
    result = run_cli(sample.app(target.url), "backup", "restore", backup)
    assert_refused(result, "newer chumchon", "9999_future", "install that version")
    assert not target.exists()


# --- create: retention and tools ----------------------------------------------------------------

def test_keep_n_leaves_the_newest_n_backups_and_clears_stale_unfinished_ones(sample, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    stale = folder / "chumchon-backup-20200101T000000Z.partial"
    fresh = folder / "chumchon-backup-20990101T000000Z.partial"  # another create may be writing it now
    for p in (stale, fresh):
        p.mkdir()
    os.utime(stale, (time.time() - 3 * 86400,) * 2)
    (folder / "notes.txt").write_text("not a backup")
    made = []
    for _ in range(3):
        result = run_cli(sample.app(), "backup", "create", folder, "--keep", "2")
        assert result.exit_code == 0, result.output
        made.append(result.output.split("backup written: ")[1].split()[0])
    kept = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.endswith(".partial"))
    assert kept == sorted(Path(m).name for m in made[1:])
    assert "removed old backup: " + Path(made[0]).name in result.output or not Path(made[0]).exists()
    assert not Path(made[0]).exists() and not stale.exists()
    assert fresh.exists() and (folder / "notes.txt").exists()


def test_pg_dump_missing_or_too_old_is_said_in_thai_and_english(sample, tmp_path, monkeypatch):
    old = tmp_path / "old_pg_dump"
    old.write_text('#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n')
    old.chmod(old.stat().st_mode | stat.S_IEXEC)
    for tool, phrase in ((tmp_path / "nowhere" / "pg_dump", "pg_dump not found"),
                         (old, "is version 9, older than needed")):
        monkeypatch.setenv("PG_DUMP", str(tool))
        result = run_cli(sample.app(), "backup", "create", tmp_path / "out")
        if sample.database.kind == "sqlite":
            assert result.exit_code == 0, result.output  # SQLite needs no pg_dump
        else:
            assert_refused(result, phrase, "postgresql-client-")
            assert not any((tmp_path / "out").iterdir()), "a refused backup left a folder behind"


def test_tool_messages_name_the_package_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PG_DUMP", str(tmp_path / "missing"))
    with pytest.raises(BackupRefused) as missing:
        postgres.find_tool("pg_dump", 15)
    assert missing.value.codes == {"pg_dump_missing"}
    problem = missing.value.problems[0]
    assert "postgresql-client-15" in problem.message_en and THAI.search(problem.message_th)
    old = tmp_path / "pg_dump"
    old.write_text('#!/bin/sh\necho "pg_dump (PostgreSQL) 13.2 (Debian 13.2-1)"\n')
    old.chmod(old.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PG_DUMP", str(old))
    tool = postgres.find_tool("pg_dump", 15)
    assert tool.major == 13
    with pytest.raises(BackupRefused) as too_old:
        postgres.require_at_least(tool, 15, "", "")
    assert too_old.value.codes == {"pg_dump_too_old"}
    assert "postgresql-client-15" in too_old.value.problems[0].message_en



def test_a_blob_already_damaged_in_the_database_is_backed_up_as_it_is_and_reported(new_database, tmp_path):
    source = new_database("rotten").migrate()
    engine = source.engine()
    with engine.begin() as conn:  # bytes that no longer match their address (bit rot before the backup)
        conn.execute(text("INSERT INTO blobs (sha256, size, content) VALUES (:k, 5, :c)"),
                     {"k": "0" * 64, "c": b"rot!!"})
    engine.dispose()
    app = app_on(source.url, tmp_path / "instance")
    created = run_cli(app, "backup", "create", tmp_path / "out")
    assert created.exit_code == 2, created.output  # cron mails it
    assert "already damaged in the source database: 0000000000000000" in created.output
    assert THAI.search(created.output.split("already damaged")[0].splitlines()[-1])
    backup = only_backup_in(tmp_path / "out")
    assert json.loads((backup / "manifest.json").read_text())["blobs"]["damaged"] == ["0" * 64]
    assert run_cli(app, "backup", "verify", backup).exit_code == 0
    target = new_database("target")
    restored = run_cli(app_on(target.url, tmp_path / "instance"), "backup", "restore", backup)
    assert restored.exit_code == 0, restored.output
    assert "already damaged" in restored.output
