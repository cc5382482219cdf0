"""OpenRosa Form List API, XForm download, manifest and media files, as ODK Collect reads them."""
from __future__ import annotations

import pytest

import hashlib
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from app import db
from app.models import Blob, FormMedia
from tests.forms.openrosa_helpers import publish

LIST_NS = "{http://openrosa.org/xforms/xformsList}"
MANIFEST_NS = "{http://openrosa.org/xforms/xformsManifest}"
OPENROSA = {"X-OpenRosa-Version": "1.0"}

CSV = "name,label\nban_a,บ้าน A\nban_b,บ้าน B\n".encode("utf-8")


@pytest.fixture
def client(officer_client):
    """Signed in as an officer (officers fill forms and send submissions)."""
    return officer_client


def get(client, url: str):
    """GET an absolute URL the server gave us (test client wants the path)."""
    parts = urlsplit(url)
    return client.get(parts.path + (f"?{parts.query}" if parts.query else ""), headers=OPENROSA)


def form_list(client, query: str = "") -> dict[str, dict[str, str]]:
    r = client.get("/formList" + query, headers=OPENROSA)
    assert r.status_code == 200
    assert r.headers["X-OpenRosa-Version"] == "1.0"
    assert r.mimetype == "text/xml"
    root = ET.fromstring(r.data)
    assert root.tag == f"{LIST_NS}xforms"
    entries = {}
    for xform in root.findall(f"{LIST_NS}xform"):
        entry = {child.tag.replace(LIST_NS, ""): child.text for child in xform}
        entries[entry["formID"]] = entry
    return entries


def add_media(form_version, filename: str, content: bytes, content_type: str = "text/csv") -> None:
    sha = hashlib.sha256(content).hexdigest()
    if db.session.get(Blob, sha) is None:
        db.session.add(Blob(sha256=sha, size=len(content), content=content))
    db.session.add(FormMedia(form_version_id=form_version.id, filename=filename, content_type=content_type,
                             sha256=sha))
    db.session.commit()


def test_form_list_has_every_form_with_its_latest_version(client, app):
    publish("household", "1", "Household")
    publish("household", "2", "Household v2", extra_question=True)
    publish("savings_group", "7", "Savings group")
    entries = form_list(client)
    assert set(entries) == {"household", "savings_group"}
    assert entries["household"]["version"] == "2"
    assert entries["household"]["name"] == "Household v2"
    assert entries["savings_group"]["version"] == "7"
    for entry in entries.values():
        assert entry["hash"].startswith("md5:")
        assert entry["downloadUrl"]
        assert "manifestUrl" not in entry  # no media


def test_download_url_returns_the_xform_whose_md5_is_listed(client, app):
    version = publish("household", "1")
    entry = form_list(client)["household"]
    r = get(client, entry["downloadUrl"])
    assert r.status_code == 200
    assert r.headers["X-OpenRosa-Version"] == "1.0"
    assert r.data == version.xform.encode("utf-8")
    assert entry["hash"] == "md5:" + hashlib.md5(r.data).hexdigest()
    ET.fromstring(r.data)  # well-formed


def test_form_id_query_lists_only_that_form(client, app):
    publish("household", "1")
    publish("savings_group", "1")
    assert set(form_list(client, "?formID=savings_group")) == {"savings_group"}
    assert form_list(client, "?formID=nothing") == {}


def test_manifest_lists_media_with_md5_hashes_and_downloads_them(client, app):
    version = publish("household", "1")
    add_media(version, "villages.csv", CSV)
    add_media(version, "logo.png", b"\x89PNG fake", "image/png")
    entry = form_list(client)["household"]
    assert entry["manifestUrl"]
    r = get(client, entry["manifestUrl"])
    assert r.status_code == 200
    assert r.headers["X-OpenRosa-Version"] == "1.0"
    root = ET.fromstring(r.data)
    assert root.tag == f"{MANIFEST_NS}manifest"
    files = {m.findtext(f"{MANIFEST_NS}filename"): m for m in root.findall(f"{MANIFEST_NS}mediaFile")}
    assert set(files) == {"villages.csv", "logo.png"}
    csv_entry = files["villages.csv"]
    assert csv_entry.findtext(f"{MANIFEST_NS}hash") == "md5:" + hashlib.md5(CSV).hexdigest()
    download = get(client, csv_entry.findtext(f"{MANIFEST_NS}downloadUrl"))
    assert download.status_code == 200
    assert download.data == CSV
    assert download.mimetype == "text/csv"


def test_an_old_version_stays_downloadable(client, app):
    v1 = publish("household", "1")
    publish("household", "2", extra_question=True)
    r = client.get("/formList/household/1/xform.xml", headers=OPENROSA)
    assert r.status_code == 200
    assert r.data == v1.xform.encode("utf-8")


def test_unknown_form_version_or_media_is_404(client, app):
    publish("household", "1")
    assert client.get("/formList/household/9/xform.xml", headers=OPENROSA).status_code == 404
    assert client.get("/formList/nothing/1/xform.xml", headers=OPENROSA).status_code == 404
    assert client.get("/formList/household/1/manifest", headers=OPENROSA).status_code == 200
    assert client.get("/formList/household/1/media/none.csv", headers=OPENROSA).status_code == 404


def test_empty_server_lists_no_forms(client, app):
    assert form_list(client) == {}
