"""The backup folder's manifest and checksums: what a backup holds (row counts per table, every blob's
SHA-256, the dump file's checksum) written at creation and checked before and after a restore.
Pure: no Flask, no database.

A backup is one folder named for the time it was taken (UTC), e.g. `chumchon-backup-20260315T020000Z/`:
    manifest.json    this module's Manifest
    database.sqlite3 (SQLite: a standalone copy) or database.dump (PostgreSQL: pg_dump custom format)
    blobs.sha256     one line per attachment blob: `<key> <size> <sha256 of the bytes>`, sorted by key
It is written as `<name>.partial` and renamed when complete: a folder with the plain name is whole.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from app.backup.problems import BackupProblem, BackupRefused, refuse

FORMAT = "chumchon-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BLOB_LIST = "blobs.sha256"
NAME_PREFIX = "chumchon-backup-"
PARTIAL_SUFFIX = ".partial"
KINDS = ("sqlite", "postgresql")
# Where blobs live. "database": in the `blobs` table, so inside the dump. A later file/S3 store would
# add "files": the bytes copied into the backup's blobs/ folder, listed in the same blobs.sha256.
BLOB_STORAGES = ("database",)
_NAME = re.compile(r"^chumchon-backup-(\d{8}T\d{6}Z)(-\d+)?$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
MAX_LISTED = 10  # problems of one kind named one by one; the rest counted


@dataclass(frozen=True)
class BlobEntry:
    key: str  # the blob's address (its SHA-256 when it was stored)
    size: int
    sha256: str  # of the bytes as they were in the snapshot (== key unless damaged before the backup)


@dataclass
class Manifest:
    created_at: str  # ISO 8601 UTC, the moment of the snapshot
    app_version: str
    migration_head: str
    database: dict  # kind, file, server_version, tool (pg_dump version or SQLite library)
    tables: dict[str, int]  # rows per table in the snapshot (every table, from the database itself)
    blobs: dict  # table, storage, count, bytes, list_file, damaged (keys whose bytes did not match)
    files: dict[str, dict] = field(default_factory=dict)  # name -> {size, sha256}
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def kind(self) -> str:
        return self.database["kind"]

    @property
    def database_file(self) -> str:
        return self.database["file"]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def backup_name(when: datetime) -> str:
    return NAME_PREFIX + when.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def is_backup_name(name: str) -> bool:
    return bool(_NAME.match(name))


def backups_to_remove(names: Iterable[str], keep: int) -> list[str]:
    """The complete backups beyond the newest `keep` (names sort by time), oldest first."""
    ordered = sorted((n for n in names if is_backup_name(n)), key=_sort_key)
    return ordered[:-keep] if keep > 0 and len(ordered) > keep else []


def _sort_key(name: str) -> tuple[str, int]:
    m = _NAME.match(name)
    return m.group(1), int((m.group(2) or "-0")[1:])


def file_digest(path: Path) -> dict:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return {"size": size, "sha256": h.hexdigest()}


# --- blob list ----------------------------------------------------------------------------------

def write_blob_list(path: Path, entries: Iterable[BlobEntry]) -> tuple[int, int, list[str]]:
    """Write the list sorted by key; returns (count, bytes, keys whose bytes do not match the key)."""
    count = total = 0
    damaged: list[str] = []
    with path.open("w", encoding="ascii", newline="\n") as f:
        for e in sorted(entries, key=lambda e: e.key):
            f.write(f"{e.key} {e.size} {e.sha256}\n")
            count += 1
            total += e.size
            if e.sha256 != e.key:
                damaged.append(e.key)
    return count, total, damaged


def read_blob_list(path: Path) -> dict[str, BlobEntry]:
    entries: dict[str, BlobEntry] = {}
    with path.open("r", encoding="ascii", errors="replace") as f:
        for number, line in enumerate(f, 1):
            parts = line.split()
            if len(parts) != 3 or not parts[1].isdigit() or not _SHA.match(parts[2]) or len(parts[0]) > 255:
                raise refuse("blob_list_unreadable",
                             f"รายการไฟล์แนบ {path.name} บรรทัด {number} อ่านไม่ได้",
                             f"the blob list {path.name} is unreadable at line {number}")
            entries[parts[0]] = BlobEntry(parts[0], int(parts[1]), parts[2])
    return entries


def compare_blobs(expected: dict[str, BlobEntry], actual: Iterable[BlobEntry], where_th: str,
                  where_en: str) -> list[BackupProblem]:
    """Every blob listed is present with the same size and checksum, and none is extra."""
    missing = set(expected)
    changed: list[str] = []
    extra: list[str] = []
    for a in actual:
        e = expected.get(a.key)
        if e is None:
            extra.append(a.key)
            continue
        missing.discard(a.key)
        if (a.size, a.sha256) != (e.size, e.sha256):
            changed.append(a.key)
    problems = []
    if missing:
        problems.append(BackupProblem(
            "blob_missing", f"ไฟล์แนบหายไปจาก{where_th} {len(missing)} ไฟล์: {_some(missing)}",
            f"{len(missing)} attachment blob(s) missing from {where_en}: {_some(missing)}"))
    if changed:
        problems.append(BackupProblem(
            "blob_checksum_mismatch",
            f"ไฟล์แนบใน{where_th} {len(changed)} ไฟล์ ไม่ตรงกับ checksum ที่บันทึกไว้: {_some(changed)}",
            f"{len(changed)} attachment blob(s) in {where_en} do not match their recorded checksum: {_some(changed)}"))
    if extra:
        problems.append(BackupProblem(
            "blob_unexpected", f"มีไฟล์แนบใน{where_th}ที่ไม่อยู่ในรายการ {len(extra)} ไฟล์: {_some(extra)}",
            f"{len(extra)} attachment blob(s) in {where_en} are not in the manifest's list: {_some(extra)}"))
    return problems


def compare_counts(expected: dict[str, int], actual: dict[str, int], where_th: str,
                   where_en: str) -> list[BackupProblem]:
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want == got:
            continue
        if got is None:
            problems.append(BackupProblem("table_missing", f"ไม่มีตาราง {table} ใน{where_th}",
                                          f"table {table} is missing from {where_en}"))
        elif want is None:
            problems.append(BackupProblem("table_unexpected", f"ตาราง {table} ใน{where_th} ไม่อยู่ใน manifest",
                                          f"table {table} in {where_en} is not in the manifest"))
        else:
            problems.append(BackupProblem(
                "count_mismatch", f"ตาราง {table}: {got:,} แถวใน{where_th} แต่ manifest ระบุ {want:,}",
                f"table {table}: {got:,} rows in {where_en}, the manifest says {want:,}"))
    return problems


def _some(keys: Iterable[str]) -> str:
    keys = sorted(keys)
    shown = ", ".join(k[:16] for k in keys[:MAX_LISTED])
    return shown + (f" (+{len(keys) - MAX_LISTED})" if len(keys) > MAX_LISTED else "")


# --- reading a backup folder --------------------------------------------------------------------

def backup_folder(path: Path) -> Path:
    """The folder of a backup given as its folder or its manifest.json."""
    if path.is_file() and path.name == MANIFEST:
        return path.parent
    if not path.exists():
        raise refuse("not_found", f"ไม่พบข้อมูลสำรอง {path}", f"backup not found: {path}")
    if not path.is_dir():
        raise refuse("not_a_backup", f"{path} ไม่ใช่โฟลเดอร์ข้อมูลสำรอง (ต้องเป็นโฟลเดอร์ที่มี {MANIFEST})",
                     f"{path} is not a backup folder (a folder holding {MANIFEST})")
    return path


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.is_file():
        raise refuse("missing_manifest", f"ไม่มี {MANIFEST} ใน {folder}: ไม่ใช่ข้อมูลสำรองที่สมบูรณ์",
                     f"{MANIFEST} is missing in {folder}: not a complete backup")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise refuse("manifest_unreadable", f"{MANIFEST} เสียหาย อ่านไม่ได้ ({e})",
                     f"{MANIFEST} is damaged and cannot be read ({e})") from None
    return _manifest_from(raw)


def _manifest_from(raw: object) -> Manifest:
    def bad(what: str) -> BackupRefused:
        return refuse("manifest_invalid", f"{MANIFEST} ไม่ถูกต้อง: {what}", f"{MANIFEST} is not valid: {what}")

    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise bad(f"format is not {FORMAT}")
    if raw.get("format_version") != FORMAT_VERSION:
        raise refuse("manifest_version",
                     f"ข้อมูลสำรองรูปแบบรุ่น {raw.get('format_version')!r} ระบบนี้อ่านได้เฉพาะรุ่น {FORMAT_VERSION}",
                     f"backup format version {raw.get('format_version')!r}: this chumchon reads version {FORMAT_VERSION}")
    want = {"created_at": str, "app_version": str, "migration_head": str, "database": dict, "tables": dict,
            "blobs": dict, "files": dict}
    for key, typ in want.items():
        if not isinstance(raw.get(key), typ):
            raise bad(f"{key} missing or of the wrong type")
    db, blobs = raw["database"], raw["blobs"]
    if db.get("kind") not in KINDS or not isinstance(db.get("file"), str):
        raise bad("database.kind/file")
    if blobs.get("storage") not in BLOB_STORAGES:
        raise refuse("blob_storage_unknown",
                     f"ที่เก็บไฟล์แนบแบบ {blobs.get('storage')!r} ระบบรุ่นนี้ยังกู้คืนไม่ได้",
                     f"blob storage {blobs.get('storage')!r} cannot be restored by this chumchon")
    for key in ("count", "bytes"):
        if not isinstance(blobs.get(key), int):
            raise bad(f"blobs.{key}")
    if not isinstance(blobs.get("list_file"), str) or not isinstance(blobs.get("damaged", []), list):
        raise bad("blobs.list_file/damaged")
    if not all(isinstance(k, str) and isinstance(v, int) and v >= 0 for k, v in raw["tables"].items()):
        raise bad("tables must map names to row counts")
    for name, digest in raw["files"].items():
        if (not isinstance(digest, dict) or not isinstance(digest.get("size"), int)
                or not _SHA.match(str(digest.get("sha256"))) or "/" in name or name.startswith(".")):
            raise bad(f"files.{name}")
    for needed in (db["file"], blobs["list_file"]):
        if needed not in raw["files"]:
            raise bad(f"no checksum for {needed}")
    return Manifest(**{k: raw[k] for k in (*want, "format", "format_version")})


def check_files(folder: Path, manifest: Manifest) -> list[BackupProblem]:
    """Each file the manifest names is there with the recorded size and SHA-256."""
    problems = []
    for name, want in sorted(manifest.files.items()):
        path = folder / name
        if not path.is_file():
            problems.append(BackupProblem("file_missing", f"ไม่มีไฟล์ {name} ในข้อมูลสำรอง",
                                          f"file {name} is missing from the backup"))
            continue
        got = file_digest(path)
        if got["size"] != want["size"]:
            problems.append(BackupProblem(
                "file_truncated" if got["size"] < want["size"] else "file_size_mismatch",
                f"ไฟล์ {name} มีขนาด {got['size']:,} ไบต์ แต่ควรเป็น {want['size']:,} ไบต์ (ถูกตัดหรือเสียหาย)",
                f"file {name} is {got['size']:,} bytes, it should be {want['size']:,} (truncated or damaged)"))
        elif got["sha256"] != want["sha256"]:
            problems.append(BackupProblem(
                "checksum_mismatch", f"ไฟล์ {name} เสียหาย: checksum SHA-256 ไม่ตรงกับที่บันทึกไว้",
                f"file {name} is damaged: its SHA-256 does not match the manifest"))
    return problems


def iter_backups(directory: Path) -> Iterator[Path]:
    if directory.is_dir():
        for p in directory.iterdir():
            if p.is_dir() and is_backup_name(p.name):
                yield p


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
