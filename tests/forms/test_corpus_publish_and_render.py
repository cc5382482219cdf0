"""Every workbook in the shared corpus: pyxform-convertible ones publish over HTTP and their fill page
shows every question; the ones pyxform refuses give the structured problem list, never a crash."""
from __future__ import annotations

import csv
import re

import pytest

from app.xlsform.definition import FormDefinition
from tests.conftest import CORPUS

MANIFEST = {row["file"]: row for row in csv.DictReader((CORPUS / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")}
WORKBOOKS = sorted(p.name for p in CORPUS.glob("*.xlsx"))
# pyxform converts these, but an expression in them is not XPath that ODK can evaluate, so the
# publish-time expression check refuses them at the cell (app/xlsform/lint.py check_expressions).
ODK_REFUSES = {
    "xlsform-offline__validate-error.xlsx": "calculation concatx(...): no such function (ODK Validate's own failing example)",
    "pyxform__xl_date_ambiguous.xlsx": "choice_filter label::English != '': 'label' is not an XPath axis",
}


@pytest.fixture
def client(admin_client):
    """Signed in as an admin (staff publish and read every submission)."""
    return admin_client


@pytest.mark.parametrize("name", WORKBOOKS)
def test_corpus_workbook_publishes_and_renders_or_is_explained(name, client):
    data = (CORPUS / name).read_bytes()
    converts = MANIFEST[name]["pyxform_ok"].startswith("yes") and name not in ODK_REFUSES

    # The corpus holds no media: the data files a form names (CSV, XML, GeoJSON) would block
    # publishing, so stand-ins with the columns the selects read are attached.
    upload = {"workbook": (__import__("io").BytesIO(data), name)}
    if converts:
        upload["media"] = [(__import__("io").BytesIO(content), file) for file, content in _stand_in_media(data, name)]
    resp = client.post("/forms/upload", data=upload, content_type="multipart/form-data")
    assert resp.status_code < 500
    html = resp.get_data(as_text=True)

    if not converts:
        assert resp.status_code == 422, html[:500]
        # A structured list: every problem says where and what, in Thai and in English.
        assert 'class="problem' in html
        assert re.search(r"[\u0e00-\u0e7f]", html), "no Thai text in the problem list"
        return

    assert resp.status_code == 200, html[:2000]
    token = re.search(r'/forms/publish/([A-Za-z0-9_-]+)', html)
    assert token, "no publish action offered for a valid workbook"
    published = client.post(f"/forms/publish/{token.group(1)}", follow_redirects=True)
    assert published.status_code == 200

    from app import db
    from app.models import Form

    form = db.session.query(Form).one()
    definition = FormDefinition.from_dict(form.latest.definition)
    page = client.get(f"/forms/{form.form_id}/fill")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    shown = [n.name for n in definition.nodes() if n.kind != "group" and n.control is not None]
    missing = [q for q in shown if f'data-name="{q}"' not in body and f'name="{q}"' not in body]
    assert not missing, f"questions not in the fill page: {missing[:10]}"


def _stand_in_media(data: bytes, name: str) -> list[tuple[str, bytes]]:
    from app.xlsform.convert import convert_workbook

    conv = convert_workbook(name, data)
    out = []
    for file in conv.definition.external_files:
        ext = file.rsplit(".", 1)[-1].lower()
        if file in conv.media or ext not in ("csv", "xml", "geojson"):
            continue
        if ext == "csv":
            cols = ["name", "label"]
            for node in conv.definition.nodes():
                its = node.itemset
                if its is not None and its.external_file == file:
                    cols += [c for c in (its.value_ref, its.label_ref) if c not in cols and "(" not in c]
            out.append((file, (",".join(cols) + "\n" + ",".join(["x"] * len(cols)) + "\n").encode()))
        elif ext == "xml":
            out.append((file, b"<root><item><name>x</name><label>x</label></item></root>"))
        else:
            out.append((file, b'{"type": "FeatureCollection", "features": []}'))
    return out
