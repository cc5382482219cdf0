"""The floors chumchon's receiving is measured against (benchmarks/submissions.py), served by the same
gunicorn settings as the app:

- POST /null   a bare Flask endpoint that reads the same multipart POST and answers 201 (the HTTP floor);
- POST /floor  the same, plus an lxml parse of the XML and one INSERT of it in the same database
               (the storage floor: what any server that keeps a submission must at least do).

The database is DATABASE_URL (the benchmark creates the `floor_submissions` table).
"""
from __future__ import annotations

import os

from flask import Flask, Response, request
from lxml import etree
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, event, insert

metadata = MetaData()
floor_submissions = Table(
    "floor_submissions", metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", String(255), unique=True),
    Column("xml", Text),
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def make_engine(url: str):  # noqa: ANN201
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001 - the app's own SQLite settings (app/db.py)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


engine = make_engine(os.environ["DATABASE_URL"]) if "DATABASE_URL" in os.environ else None
app = Flask(__name__)


def _xml() -> bytes:
    return request.files["xml_submission_file"].read()


@app.post("/null")
def null():
    _xml()
    return Response(b"", status=201)


@app.post("/floor")
def floor():
    xml = _xml()
    root = etree.fromstring(xml, _PARSER)
    instance_id = root.findtext("meta/instanceID")
    with engine.begin() as conn:
        conn.execute(insert(floor_submissions).values(instance_id=instance_id, xml=xml.decode("utf-8")))
    return Response(b"", status=201)
