"""The manifest and naming rules alone (no database): names sort by time, retention keeps the newest,
a manifest that is not ours or is incomplete is refused with a message, counts and blob lists compare."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from app.backup.manifest import (
    BlobEntry,
    backup_name,
    backups_to_remove,
    compare_blobs,
    compare_counts,
    read_manifest,
)
from app.backup.problems import BackupRefused

SHA_A, SHA_B, SHA_C = "a" * 64, "b" * 64, "c" * 64


def test_names_carry_the_utc_time_and_retention_removes_the_oldest_first():
    bangkok = datetime(2026, 3, 15, 9, 0, 0, tzinfo=timezone.utc).astimezone()
    assert backup_name(bangkok) == "chumchon-backup-20260315T090000Z"
    names = ["chumchon-backup-20260316T020000Z", "chumchon-backup-20260315T020000Z-2", "notes",
             "chumchon-backup-20260315T020000Z", "chumchon-backup-20260317T020000Z.partial",
             "chumchon-backup-20260314T020000Z"]
    assert backups_to_remove(names, 2) == ["chumchon-backup-20260314T020000Z", "chumchon-backup-20260315T020000Z"]
    assert backups_to_remove(names, 10) == []


def _manifest(**changes) -> dict:
    m = {"format": "chumchon-backup", "format_version": 1, "created_at": "2026-03-15T02:00:00Z",
         "app_version": "0.1.0", "migration_head": "0001",
         "database": {"kind": "sqlite", "file": "database.sqlite3"}, "tables": {"submissions": 2},
         "blobs": {"table": "blobs", "storage": "database", "count": 0, "bytes": 0,
                   "list_file": "blobs.sha256", "damaged": []},
         "files": {"database.sqlite3": {"size": 1, "sha256": SHA_A}, "blobs.sha256": {"size": 0, "sha256": SHA_B}}}
    m.update(changes)
    return m


@pytest.mark.parametrize("changes, code, phrase", [
    ({"format": "something-else"}, "manifest_invalid", "format is not chumchon-backup"),
    ({"format_version": 7}, "manifest_version", "backup format version 7"),
    ({"tables": {"submissions": -1}}, "manifest_invalid", "tables must map names to row counts"),
    ({"files": {"blobs.sha256": {"size": 0, "sha256": SHA_B}}}, "manifest_invalid", "no checksum for database.sqlite3"),
    ({"files": {"../etc/passwd": {"size": 0, "sha256": SHA_B}}}, "manifest_invalid", "files.../etc/passwd"),
    ({"blobs": {"storage": "s3"}}, "blob_storage_unknown", "blob storage 's3' cannot be restored"),
])
def test_a_manifest_that_is_not_ours_or_incomplete_is_refused(tmp_path, changes, code, phrase):
    (tmp_path / "manifest.json").write_text(json.dumps(_manifest(**changes)))
    with pytest.raises(BackupRefused) as refused:
        read_manifest(tmp_path)
    assert refused.value.codes == {code}
    assert phrase in refused.value.problems[0].message_en
    assert refused.value.problems[0].message_th


def test_a_sound_manifest_reads(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(_manifest()))
    m = read_manifest(tmp_path)
    assert (m.kind, m.database_file, m.migration_head, m.tables) == ("sqlite", "database.sqlite3", "0001", {"submissions": 2})


def test_counts_and_blobs_compare_naming_each_difference():
    problems = compare_counts({"submissions": 3, "blobs": 2}, {"submissions": 2, "households": 0}, "x", "the copy")
    assert [p.code for p in problems] == ["table_missing", "table_unexpected", "count_mismatch"]
    assert "table submissions: 2 rows in the copy, the manifest says 3" in problems[2].message_en
    expected = {SHA_A: BlobEntry(SHA_A, 5, SHA_A), SHA_B: BlobEntry(SHA_B, 7, SHA_B)}
    actual = [BlobEntry(SHA_A, 5, SHA_C), BlobEntry(SHA_C, 1, SHA_C)]
    codes = [p.code for p in compare_blobs(expected, actual, "x", "the copy")]
    assert codes == ["blob_missing", "blob_checksum_mismatch", "blob_unexpected"]
    assert compare_blobs(expected, expected.values(), "x", "the copy") == []
