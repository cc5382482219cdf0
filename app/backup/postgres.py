"""PostgreSQL: pg_dump (custom format) inside a snapshot this process exports, so the row counts and
blob checksums of the manifest are read in the very transaction the dump is taken in; pg_restore into
an empty database in one transaction. The tools must be the server's major version or newer: the
server's own (/usr/lib/postgresql/<major>/bin) is preferred; PG_DUMP / PG_RESTORE name others."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app.backup import content
from app.backup.manifest import BlobEntry
from app.backup.problems import BackupRefused, refuse
from app.db import make_engine

INSTALL_HINT_TH = "ติดตั้ง postgresql-client-{major} (apt-get install postgresql-client-{major}) หรือระบุ {env}=/path/to/{tool}"
INSTALL_HINT_EN = "install postgresql-client-{major} (apt-get install postgresql-client-{major}) or set {env}=/path/to/{tool}"


# zlib level 1: attachment bytes (photos) do not compress, but pg_dump writes bytea as hex text, which
# level 1 halves as well as the default level 6 does, three times faster (benchmarks/backup.py).
COMPRESS_LEVEL = 1


@dataclass(frozen=True)
class Tool:
    name: str  # pg_dump, pg_restore
    path: str
    version: str  # as the tool prints it: "pg_dump (PostgreSQL) 15.8 (Debian ...)"
    major: int


def libpq_target(url: str) -> tuple[str, dict]:
    """A libpq connection URI for pg_dump/pg_restore and an environment holding the password (never
    on the command line, where `ps` would show it)."""
    u = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    uri = u.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def server_version(url: str) -> tuple[int, str]:
    """(major, full version) of the server at `url`; a refusal naming the server when unreachable."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            num = int(conn.scalar(text("SHOW server_version_num")))
            full = str(conn.scalar(text("SHOW server_version")))
    except SQLAlchemyError as e:
        where = make_url(url).render_as_string(hide_password=True)
        raise refuse("database_unreachable", f"เชื่อมต่อฐานข้อมูล {where} ไม่ได้: {_first_line(e)}",
                     f"cannot connect to the database {where}: {_first_line(e)}") from None
    finally:
        engine.dispose()
    return num // 10000, full


def find_tool(name: str, server_major: int | None) -> Tool:
    """The `name` tool (pg_dump / pg_restore): $PG_DUMP / $PG_RESTORE when set, else the server's
    major version's own, else the newest installed, else the one on PATH."""
    explicit = os.environ.get(name.upper())  # PG_DUMP, PG_RESTORE
    candidates = [explicit] if explicit else [
        *([f"/usr/lib/postgresql/{server_major}/bin/{name}"] if server_major else []),
        *sorted((str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}")), key=_major_in_path, reverse=True),
        shutil.which(name)]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return _tool(name, candidate)
    raise _install(f"{name}_missing", name, server_major,
                   f"ไม่พบโปรแกรม {name} ซึ่งจำเป็นสำหรับสำรอง/กู้คืน PostgreSQL",
                   f"{name} not found (needed to back up / restore PostgreSQL)")


def _major_in_path(path: str) -> int:
    m = re.search(r"/(\d+)/bin/", path)
    return int(m.group(1)) if m else 0


def _install(code: str, name: str, major: int | None, th: str, en: str) -> BackupRefused:
    """A refusal ending with how to get the right tool."""
    hint = {"major": major or "<major>", "env": name.upper(), "tool": name}
    return refuse(code, f"{th}: " + INSTALL_HINT_TH.format(**hint), f"{en}: " + INSTALL_HINT_EN.format(**hint))


def _tool(name: str, path: str) -> Tool:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise refuse("tool_broken", f"เรียกใช้ {path} ไม่ได้: {e}", f"cannot run {path}: {e}") from None
    m = re.search(r"\)\s+(\d+)(?:\.\d+)?", out) or re.search(r"(\d+)\.\d+", out)
    if not m:
        raise refuse("tool_broken", f"อ่านรุ่นของ {path} ไม่ได้: {out.strip()!r}",
                     f"cannot read the version of {path}: {out.strip()!r}")
    return Tool(name, path, out.strip(), int(m.group(1)))


def require_at_least(tool: Tool, major: int, why_th: str, why_en: str) -> None:
    if tool.major < major:
        raise _install(f"{tool.name}_too_old", tool.name, major,
                       f"{tool.path} เป็นรุ่น {tool.major} เก่ากว่าที่ต้องใช้ ({major} ขึ้นไป) {why_th}",
                       f"{tool.path} is version {tool.major}, older than needed ({major} or newer) {why_en}")


def snapshot(url: str, dest: Path) -> tuple[dict, dict[str, int], str | None, list[BlobEntry]]:
    """pg_dump into `dest` from a snapshot exported by a REPEATABLE READ transaction that reads the
    counts, the migration head and every blob's checksum while pg_dump runs: one point in time for all."""
    major, full = server_version(url)
    tool = find_tool("pg_dump", major)
    require_at_least(tool, major, f"สำหรับเซิร์ฟเวอร์ PostgreSQL {full}", f"for the PostgreSQL {full} server")
    uri, env = libpq_target(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                conn.execute(text("SET TRANSACTION READ ONLY"))
                snapshot_id = conn.scalar(text("SELECT pg_export_snapshot()"))
                with tempfile.TemporaryFile() as errors:
                    proc = subprocess.Popen(
                        [tool.path, "--format=custom", f"--compress={COMPRESS_LEVEL}", f"--snapshot={snapshot_id}",
                         "--no-password",
                         f"--file={dest}", f"--dbname={uri}"],
                        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors)
                    try:
                        counts = content.table_counts(conn)
                        head = content.migration_head(conn)
                        blobs = list(content.blob_entries(conn))
                    finally:
                        # the exporting transaction stays open until pg_dump is done with the snapshot
                        proc.wait()
                    errors.seek(0)
                    stderr = errors.read().decode("utf-8", "replace")
    except SQLAlchemyError as e:
        raise refuse("snapshot_failed", f"อ่านฐานข้อมูลไม่สำเร็จ: {_first_line(e)}",
                     f"reading the database failed: {_first_line(e)}") from None
    finally:
        engine.dispose()
    if proc.returncode != 0:
        raise refuse("pg_dump_failed", f"pg_dump ล้มเหลว: {_tail(stderr)}", f"pg_dump failed: {_tail(stderr)}")
    info = {"kind": "postgresql", "file": dest.name, "server_version": full, "server_major": major,
            "tool": tool.version, "tool_major": tool.major}
    return info, counts, head, blobs


def restore(dump: Path, url: str, dump_major: int) -> None:
    """pg_restore into the target in one transaction (all or nothing), objects owned by whoever
    restores (the new machine's role may differ); --clean --if-exists lets it replace an empty schema
    someone already made with `db upgrade`."""
    major, full = server_version(url)
    tool = find_tool("pg_restore", major)
    require_at_least(tool, dump_major, "สำหรับอ่านข้อมูลสำรองนี้ (ทำด้วย pg_dump รุ่นนั้น)",
                     "to read this backup (made by that pg_dump)")
    uri, env = libpq_target(url)
    done = subprocess.run(
        [tool.path, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--clean",
         "--if-exists", "--no-password", f"--dbname={uri}", str(dump)],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        raise refuse("pg_restore_failed", f"pg_restore ล้มเหลว (ฐานข้อมูลไม่ถูกเปลี่ยน): {_tail(done.stderr)}",
                     f"pg_restore failed (the database was not changed): {_tail(done.stderr)}")


_COPY = re.compile(rb"^COPY (\S+) \((.*)\) FROM stdin;$")


def read_archive(dump: Path, dump_major: int, blob_table: str) -> tuple[dict[str, int], list[BlobEntry], str | None]:
    """Rows per table, every blob's checksum and the migration head read from the archive itself,
    without a database: pg_restore writes the data as COPY text, counted and hashed as it streams by."""
    tool = find_tool("pg_restore", None)
    require_at_least(tool, dump_major, "สำหรับอ่านข้อมูลสำรองนี้", "to read this backup")
    counts: dict[str, int] = {}
    blobs: list[BlobEntry] = []
    heads: list[str] = []
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen([tool.path, "--data-only", "--file=-", str(dump)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors)
        try:
            _parse_copy_stream(proc.stdout, counts, blobs, blob_table, heads)
        except BackupRefused:
            proc.kill()
            raise
        finally:
            proc.stdout.close()
            proc.wait()
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise refuse("archive_unreadable", f"อ่านไฟล์ pg_dump ไม่ได้ (เสียหายหรือถูกตัด): {_tail(stderr)}",
                     f"the pg_dump archive cannot be read (damaged or truncated): {_tail(stderr)}")
    return counts, blobs, (heads[0] if heads else None)


def _parse_copy_stream(stream, counts: dict[str, int], blobs: list[BlobEntry], blob_table: str,  # noqa: ANN001
                       heads: list[str]) -> None:
    import hashlib

    current: str | None = None
    hash_columns: tuple[int, int] | None = None  # (key column, content column) in the blob table
    for raw in stream:
        line = raw.rstrip(b"\n")
        if current is None:
            m = _COPY.match(line)
            if m:
                current = m.group(1).decode().split(".")[-1].strip('"')
                counts[current] = 0
                columns = [c.strip().strip('"') for c in m.group(2).decode().split(",")]
                hash_columns = ((columns.index("sha256"), columns.index("content"))
                                if current == blob_table else None)
            continue
        if line == b"\\.":
            current = None
            continue
        counts[current] += 1
        if current == "alembic_version":
            heads.append(line.split(b"\t")[0].decode())
        if hash_columns:
            fields = line.split(b"\t")
            value = fields[hash_columns[1]]
            if not value.startswith(b"\\\\x"):
                raise refuse("archive_blob_format", "รูปแบบข้อมูลไฟล์แนบใน pg_dump อ่านไม่ได้ (ต้องเป็น bytea hex)",
                             "attachment bytes in the pg_dump archive are not in bytea hex form")
            data = bytes.fromhex(value[3:].decode("ascii"))
            blobs.append(BlobEntry(fields[hash_columns[0]].decode(), len(data), hashlib.sha256(data).hexdigest()))


def target_tables(url: str) -> dict[str, int]:
    """The non-empty tables of the restore target; a refusal when it cannot be reached."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return content.non_empty_tables(conn)
    except SQLAlchemyError as e:
        where = make_url(url).render_as_string(hide_password=True)
        raise refuse("database_unreachable",
                     f"เชื่อมต่อฐานข้อมูลปลายทาง {where} ไม่ได้ (สร้างฐานข้อมูลว่างก่อน: createdb): {_first_line(e)}",
                     f"cannot connect to the target database {where} (create an empty one first: createdb): "
                     f"{_first_line(e)}") from None
    finally:
        engine.dispose()


def _first_line(e: Exception) -> str:
    return (str(getattr(e, "orig", None) or e).strip().splitlines() or [""])[0][:300]


def _tail(stderr: str) -> str:
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    return " | ".join(lines[-3:])[:600] or "(no message)"
