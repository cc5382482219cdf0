"""The restore drill under load: a live server receives OpenRosa posts (with photos) from several
clients while `backup create` runs; the database is then deleted, `backup restore` brings it back, and
every submission answered 201 before the backup began is there with its photo byte for byte, nothing
sent after the backup ended is, and nothing is half-written (each restored submission has its photo).

Fails when the snapshot is not one point in time (e.g. the SQLite file copied without its WAL, or
PostgreSQL counted outside pg_dump's snapshot: acknowledged records missing, or the manifest's counts
disagree and restore refuses) or when a blob is lost (a photo missing or different)."""
from __future__ import annotations

import base64
import http.client
import os
import threading
import time
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape

from sqlalchemy import text
from werkzeug.serving import make_server

from app.auth.accounts import create_user, seed_districts
from app.backup import content
from app.forms.receiving import receive_submission
from tests.backup.conftest import app_on, only_backup_in, run_cli
from tests.conftest import TEST_PASSWORD
from tests.forms.openrosa_helpers import openrosa_multipart, publish, root_name

CLIENTS = 3
BEFORE = 12  # acknowledged before the backup starts
DURING = 3  # committed while the backup runs, after its snapshot point
AFTER = 6  # sent (and acknowledged) after it ended
DEADLINE = 90  # seconds, for waiting on the slow shared machine; normally a few


@dataclass
class Sent:
    instance_id: str
    photo: bytes
    started: float
    answered: float | None = None
    status: int | None = None


class Load:
    """CLIENTS threads posting submissions with a unique photo each to the live server until stopped."""

    def __init__(self, port: int, username: str, form: tuple[str, str, str]):
        self.port = port
        self.auth = "Basic " + base64.b64encode(f"{username}:{TEST_PASSWORD}".encode()).decode()
        self.root, self.form_id, self.version = form
        self.sent: list[Sent] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(CLIENTS)]

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=DEADLINE)

    def _client(self, n: int) -> None:
        while not self.stopping.is_set():
            iid = f"uuid:{uuid.uuid4()}"
            photo = b"\xff\xd8\xff\xe0" + os.urandom(30_000 + 997 * n)
            item = Sent(iid, photo, time.monotonic())
            with self.lock:
                self.sent.append(item)
            try:
                item.status = self._post(iid, photo)
            except Exception as e:  # noqa: BLE001 - reported by the test
                self.failures.append(repr(e))
                return
            item.answered = time.monotonic()
            if item.status != 201:
                self.failures.append(f"{iid}: HTTP {item.status}")
                return

    def _post(self, iid: str, photo: bytes) -> int:
        xml = (f'<?xml version="1.0" encoding="UTF-8"?><{self.root} id="{escape(self.form_id)}" '
               f'version="{escape(self.version)}"><name>Somchai</name><age>40</age><photo>photo.jpg</photo>'
               f"<meta><instanceID>{iid}</instanceID></meta></{self.root}>").encode()
        body, content_type = openrosa_multipart(xml, [("photo.jpg", photo, "image/jpeg")])
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=DEADLINE)
        try:
            conn.request("POST", "/submission", body, {
                "Content-Type": content_type, "Authorization": self.auth,
                "X-OpenRosa-Version": "1.0"})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def acknowledged(self, *, before: float | None = None, started_after: float | None = None) -> list[Sent]:
        with self.lock:
            items = list(self.sent)
        return [s for s in items if s.status == 201
                and (before is None or s.answered < before)
                and (started_after is None or s.started > started_after)]

    def wait_for(self, condition, what: str) -> None:  # noqa: ANN001
        deadline = time.monotonic() + DEADLINE
        while not condition():
            assert not self.failures, self.failures
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.02)


def restored_submissions(database) -> dict[str, list[tuple[str, bytes]]]:  # noqa: ANN001
    """instance_id -> [(attachment filename, blob bytes)] read straight from the restored database."""
    engine = database.engine()
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT s.instance_id, a.filename, b.content FROM submissions s "
                "LEFT JOIN attachments a ON a.submission_id = s.id LEFT JOIN blobs b ON b.sha256 = a.sha256"))
            found: dict[str, list[tuple[str, bytes]]] = {}
            for iid, filename, content in rows:
                found.setdefault(iid, [])
                if filename is not None:
                    found[iid].append((filename, None if content is None else bytes(content)))
            return found
    finally:
        engine.dispose()


def test_backup_taken_under_load_restores_every_acknowledged_submission_with_its_photo(new_database, tmp_path,
                                                                                       monkeypatch):
    database = new_database("live").migrate()
    app = app_on(database.url, tmp_path / "instance")
    with app.app_context():
        seed_districts()
        officer = create_user("field1", "Field Officer", "officer", TEST_PASSWORD, district="4201", actor="test")
        fv = publish()
        form = (root_name(fv), fv.form.form_id, fv.version)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    backups = tmp_path / "backups"
    try:
        with Load(server.server_port, officer.username, form) as load:
            # Mid-backup, after the snapshot point and before the manifest's counts are read, more
            # submissions are committed: the backup must hold neither them nor counts that include them.
            counting = []
            read_counts = content.table_counts

            def counts_while_receiving(conn):  # noqa: ANN001, ANN202
                counting.append(time.monotonic())
                load.wait_for(lambda: len(load.acknowledged(started_after=counting[0])) >= DURING,
                              f"{DURING} submissions during the backup")
                return read_counts(conn)

            monkeypatch.setattr(content, "table_counts", counts_while_receiving)
            load.wait_for(lambda: len(load.acknowledged()) >= BEFORE, f"{BEFORE} acknowledged submissions")
            snapshot_started = time.monotonic()
            created = run_cli(app, "backup", "create", backups)
            snapshot_done = time.monotonic()
            monkeypatch.setattr(content, "table_counts", read_counts)
            load.wait_for(lambda: len(load.acknowledged(started_after=snapshot_done)) >= AFTER,
                          f"{AFTER} submissions after the backup")
        assert not load.failures, load.failures
    finally:
        server.shutdown()
        serving.join(timeout=DEADLINE)
        server.server_close()
    assert created.exit_code == 0, created.output
    assert len(counting) == 1, "the backup did not read its counts once"

    # The disk dies: the database is gone. The drill: restore into an empty database.
    database.delete()
    backup = only_backup_in(backups)
    restored = run_cli(app_on(database.url, tmp_path / "instance"), "backup", "restore", backup)
    assert restored.exit_code == 0, restored.output
    assert "restored and verified" in restored.output and THAI_RESTORED in restored.output

    found = restored_submissions(database)
    sent = {s.instance_id: s for s in load.sent}
    before = load.acknowledged(before=snapshot_started)
    assert len(before) >= BEFORE
    missing = [s.instance_id for s in before if s.instance_id not in found]
    assert not missing, f"{len(missing)} submissions answered 201 before the backup are not in it: {missing[:3]}"
    for iid, attachments in found.items():
        assert iid in sent, f"restored a submission nobody sent: {iid}"
        assert attachments == [("photo.jpg", sent[iid].photo)], f"{iid}: photo missing or not byte-identical"
    during = load.acknowledged(started_after=counting[0])
    assert len(during) >= DURING + AFTER
    later = [s.instance_id for s in during if s.instance_id in found]
    assert not later, f"submissions sent after the snapshot point appear in the backup: {later[:3]}"

    # The restored server goes on receiving (PostgreSQL sequences and SQLite rowids came back too).
    with app_on(database.url, tmp_path / "instance").app_context():
        iid = f"uuid:{uuid.uuid4()}"
        xml = (f'<{form[0]} id="{form[1]}" version="{form[2]}"><name>After</name><age>3</age><photo/>'
               f"<meta><instanceID>{iid}</instanceID></meta></{form[0]}>").encode()
        assert receive_submission(xml, {}, "test").status == 201
    database.release()


THAI_RESTORED = "กู้คืนแล้ว"
