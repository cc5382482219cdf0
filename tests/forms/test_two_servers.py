"""Two app servers (two gunicorn instances on different ports, each 2 workers x 2 threads) sharing one
database receive the same stream of submissions at once — every copy sent to both, conflicting
copies under the same instanceID, edits of one record from two devices — and exactly-once holds:
one record per instanceID, one score row per record, one conflict row per different content, one
current record per edit chain (of two edits naming the same record, one is filed and the other is
kept aside as a conflict: an edit must name the chain's current head), and every answer is 201 or
409 (never a server error)."""
from __future__ import annotations

import base64
import http.client
import random
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app import db
from app.forms.publishing import publish_workbook
from app.models import Score, Submission, SubmissionConflict
from tests.conftest import TEST_PASSWORD
from tests.gunicorn_server import gunicorn
from tests.scoring import meeting_workbook as mw

RECORDS = 40
CONFLICTED = 12  # records that also get a copy with other answers under their instanceID
EDITED = 6  # records edited by two devices at once (two different edits naming the same record)


def _post(port: int, xml: bytes, auth: str) -> int:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; "
            f"filename=\"submission.xml\"\r\nContent-Type: text/xml\r\n\r\n").encode() + xml + \
        f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", "/submission", body=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "X-OpenRosa-Version": "1.0",
            "Authorization": auth})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


@pytest.mark.slow
def test_two_app_servers_receiving_the_same_stream_store_everything_exactly_once(app, database_url, tmp_path,
                                                                                make_user):
    fv = publish_workbook("meeting.xlsx", mw.workbook(), "tester").form_version
    officer = make_user("officer", district="4201")
    auth = "Basic " + base64.b64encode(f"{officer.username}:{TEST_PASSWORD}".encode()).decode()
    rng = random.Random(12)
    ids = [f"uuid:{uuid.UUID(int=rng.getrandbits(128))}" for _ in range(RECORDS)]
    originals = {iid: mw.xml(fv, instance_id=iid, i01=str(rng.randint(0, 3))) for iid in ids}
    rivals = {iid: mw.xml(fv, instance_id=iid, i01="0", i02="0", group="g9") for iid in ids[:CONFLICTED]}
    with gunicorn(database_url, tmp_path, "--workers", "2", "--threads", "2") as a, \
            gunicorn(database_url, tmp_path, "--workers", "2", "--threads", "2") as b:
        # Every record's copies side by side in the stream, so the two servers get them at the same moment.
        stream = []
        for iid in ids:
            copies = [(a, originals[iid]), (b, originals[iid]), (rng.choice((a, b)), originals[iid])]
            if iid in rivals:
                copies += [(a, rivals[iid]), (b, rivals[iid])]
            rng.shuffle(copies)
            stream += [(iid, port, xml) for port, xml in copies]
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(lambda item: (item[0], item[2], _post(item[1], item[2], auth)), stream))
        # Two devices edit the same record at once, through different servers.
        edits = defaultdict(list)
        second = []
        for iid in ids[CONFLICTED:CONFLICTED + EDITED]:
            for port, i02 in ((a, "1"), (b, "2")):
                edit_id = f"uuid:{uuid.UUID(int=rng.getrandbits(128))}"
                edits[iid].append(edit_id)
                xml = mw.xml(fv, instance_id=edit_id, deprecated_id=iid, i02=i02)
                second += [(iid, edit_id, port, xml), (iid, edit_id, a if port == b else b, xml)]
        rng.shuffle(second)
        with ThreadPoolExecutor(max_workers=12) as pool:
            edit_statuses = list(pool.map(lambda item: (item[0], item[1], _post(item[2], item[3], auth)), second))

    assert set(s for _, _, s in statuses) <= {201, 409}, Counter(s for _, _, s in statuses)
    db.session.expire_all()
    stored = {s.instance_id: s for s in db.session.scalars(select(Submission))}
    for original, chain in edits.items():
        # one edit filed (both its copies answered 201), the other refused as an edit of an old version
        filed = [e for e in chain if e in stored]
        assert len(filed) == 1, (original, chain)
        for _, edit_id, status in (x for x in edit_statuses if x[0] == original):
            assert status == (201 if edit_id in filed else 409), (edit_id, status)
    assert len(stored) == RECORDS + EDITED  # one record per instanceID
    for iid, xml, status in statuses:
        kept = stored[iid].xml.encode() == xml  # the copy that arrived first is the record
        assert status == (201 if kept else 409), (iid, status)
    conflicts = Counter(db.session.scalars(select(SubmissionConflict.instance_id)))
    lost_edits = {e for chain in edits.values() for e in chain if e not in stored}
    assert conflicts == Counter({iid: 1 for iid in [*rivals, *lost_edits]})  # the other content, kept once
    per_submission = Counter(db.session.scalars(select(Score.submission_id)))
    assert len(per_submission) == len(stored) and set(per_submission.values()) == {1}
    for original, chain in edits.items():
        records = [stored[original], *(stored[e] for e in chain if e in stored)]
        assert sum(r.is_current for r in records) == 1, [(r.instance_id, r.is_current) for r in records]
        assert not stored[original].is_current
    current_scores = db.session.scalar(select(func.count()).select_from(Score).where(Score.is_current.is_(True)))
    assert current_scores == RECORDS  # one current score per record's chain
