"""The fill page carries the signed-in user's registry lists (groups.csv, villages.csv) as inline
secondary instances, so the runtime starts without a fetch; a file attached at publish stays a media
file the runtime fetches (and the page preloads). The XML has the column names the browser's
csvInstance gives the same CSV. The manifest says which forms carry lists and a registry_version that
changes with the user's lists."""
from __future__ import annotations

import re

from lxml import etree

from app import db
from app.demo import publish_bundled
from app.forms.rendering import csv_instance_xml
from app.models import Form
from app.registry.seed import seed_villages
from tests.browser.test_bundled_assessment import DISTRICT, GROUP, GROUP_NAME, add_group
from tests.conftest import sign_in


def test_csv_instance_xml_names_columns_like_the_runtime():
    xml = csv_instance_xml('\ufeffname,label::Thai (th),1st,kind\nA1,"กลุ่ม ""หนึ่ง""",x,savings\n\n'.encode())
    root = etree.fromstring(xml)
    [item] = root.findall("item")
    assert [c.tag for c in item] == ["name", "label_Thai__th_", "_1st", "kind"]
    assert item.findtext("label_Thai__th_") == 'กลุ่ม "หนึ่ง"'


def test_the_assessment_page_carries_the_users_groups_and_the_manifest_versions_them(app, make_user):
    publish_bundled()
    seed_villages()
    add_group(GROUP, GROUP_NAME, DISTRICT)
    officer = make_user("officer", district=DISTRICT)
    client = app.test_client()
    sign_in(client, officer.username)
    fv = db.session.query(Form).filter_by(form_id="sg_assessment_21").one().latest
    html = client.get(f"/forms/sg_assessment_21/versions/{fv.version}/fill").get_data(as_text=True)
    block = re.search(r'<script type="application/xml" class="secondary-instance" data-instance-id="groups"[^>]*>(.*?)'
                      r"</script>", html, re.S)
    assert block and GROUP_NAME in block.group(1) and 'data-src="groups.csv"' not in html
    assert 'rel="preload"' not in html  # nothing left to fetch on this form
    before = client.get("/offline/manifest.json").get_json()
    form = next(f for f in before["forms"] if f["form_id"] == "sg_assessment_21")
    assert form["registry"] is True and form["media"] == [] and before["registry_version"]
    add_group("SG-4209-T009", "กลุ่มที่เพิ่งอนุมัติ", DISTRICT)
    after = client.get("/offline/manifest.json").get_json()
    assert after["registry_version"] != before["registry_version"]
    other = make_user("officer", district="4201")
    other_client = app.test_client()
    sign_in(other_client, other.username)
    assert other_client.get("/offline/manifest.json").get_json()["registry_version"] != after["registry_version"]
