"""The fill page as the server renders it: every question present, the instance template embedded,
languages, pages, placeholders for unsupported types, no inline executable script, 404s."""
from __future__ import annotations

import re

import pytest
from lxml import etree, html
from markupsafe import Markup

from app.forms.rendering import instance_template, paginate, render_form_html, script_safe, widget_for
from app.xlsform.definition import FormDefinition, Node
from app.xlsform.xform import read_definition
from tests.fixtures.workbooks import (
    ALL_TYPES_FORM_ID,
    ALL_TYPES_VERSION,
    HIDDEN_QUESTIONS,
    SHOWN_QUESTIONS,
    UNSUPPORTED_QUESTIONS,
    all_types_workbook,
    all_types_xform,
)


@pytest.fixture
def client(officer_client):
    """Signed in as an officer (officers fill forms and send submissions)."""
    return officer_client


def publish_all_types():
    from app.forms.publishing import publish_workbook

    return publish_workbook("all_types.xlsx", all_types_workbook(), "tester").form_version


@pytest.fixture
def published(app):
    return publish_all_types()


@pytest.fixture
def page(client, published):
    resp = client.get(f"/forms/{ALL_TYPES_FORM_ID}/fill")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    text = resp.get_data(as_text=True)
    return text, html.fromstring(text)


def q(doc, name):
    found = doc.xpath(f'//*[contains(concat(" ", @class, " "), " q ")][@data-name="{name}"]')
    assert found, f"question {name} is not on the page"
    return found[0]


def test_page_shows_every_question_of_every_supported_type(page):
    _, doc = page
    for name in SHOWN_QUESTIONS:
        q(doc, name)
    widgets = {q(doc, n).get("data-widget") for n in SHOWN_QUESTIONS}
    assert {"text", "integer", "decimal", "date", "time", "datetime", "select_one", "select_multiple", "note",
            "acknowledge", "range", "geopoint", "image", "unsupported"} <= widgets


def test_inputs_match_their_types(page):
    _, doc = page
    assert q(doc, "comments").xpath(".//textarea")
    # Numbers are typed as text with a number pad: the runtime refuses letters and decimals in a
    # whole number with a message (static/js/form/checks.js) instead of letting them vanish.
    assert q(doc, "age").xpath('.//input[@type="text"][@inputmode="numeric"]')
    assert q(doc, "income").xpath('.//input[@type="text"][@inputmode="decimal"]')
    assert q(doc, "visit_date").xpath('.//input[@type="date"]')
    assert q(doc, "visit_time").xpath('.//input[@type="time"]')
    assert q(doc, "visit_dt").xpath('.//input[@type="datetime-local"]')
    assert len(q(doc, "has_fund").xpath('.//input[@type="radio"]')) == 2
    assert q(doc, "fund_minimal").xpath(".//select/option[@value='yes']")
    assert q(doc, "fund_likert").xpath('.//*[contains(@class, "choices-likert")]')
    assert q(doc, "fund_horizontal").xpath('.//*[contains(@class, "choices-horizontal")]')
    assert q(doc, "fund_compact").xpath('.//*[contains(@class, "choices-compact")]')
    assert q(doc, "fund_columns").xpath('.//*[contains(@class, "choices-columns")]')
    assert q(doc, "fund_columns3").xpath('.//*[contains(@class, "cols-3")]')
    assert len(q(doc, "crops").xpath('.//input[@type="checkbox"]')) == 3
    assert q(doc, "consent").xpath('.//input[@type="checkbox"][@value="OK"]')
    rng = q(doc, "satisfaction").xpath('.//input[@type="range"]')[0]
    assert (rng.get("min"), rng.get("max"), rng.get("step")) == ("0", "10", "2")
    assert q(doc, "location").xpath('.//button[contains(@class, "geo-get")]')
    photo = q(doc, "photo").xpath('.//input[@type="file"]')[0]
    assert photo.get("accept") == "image/*" and photo.get("capture") == "environment"
    assert not q(doc, "intro_note").xpath(".//input")


def test_unsupported_types_show_a_bilingual_placeholder(page):
    _, doc = page
    for name in UNSUPPORTED_QUESTIONS:
        text = q(doc, name).text_content()
        assert "ยังไม่รองรับคำถามประเภทนี้" in text and "This question type is not supported yet" in text
        assert not q(doc, name).xpath(".//input")


def test_required_questions_are_marked_with_their_message(page):
    _, doc = page
    for name in ("respondent", "age", "has_fund"):
        el = q(doc, name)
        assert el.get("data-required") == "true()"
        # "* จำเป็น" follows the form's language: one word per language, the runtime shows the current one.
        words = el.xpath('.//*[@class="req"]/span[@class="tr"]')
        assert [(w.get("data-li"), w.text) for w in words] == [("0", "จำเป็น"), ("1", "required")]
    assert "กรุณากรอกอายุ" in q(doc, "age").xpath('.//*[@class="q-required-msg"]')[0].text_content()
    assert q(doc, "comments").get("data-required") is None


def test_labels_are_written_in_every_language_with_thai_shown_first(page):
    _, doc = page
    form = doc.get_element_by_id("odk-form")
    assert form.get("data-li") == "0"
    spans = q(doc, "respondent").xpath('.//label[@class="q-label"]/span[@class="tr"]')
    assert [(s.get("data-li"), s.get("lang"), s.text) for s in spans] == [
        ("0", "th", "ชื่อผู้ตอบ"), ("1", "en", "Respondent name")]
    buttons = doc.xpath('//*[@class="lang-switch"]/button')
    assert [b.text_content() for b in buttons] == ["ไทย", "English"]  # each language in its own words
    option = q(doc, "fund_minimal").xpath(".//option[@value='no']")[0]
    assert (option.text, option.get("data-l0"), option.get("data-l1")) == ("ไม่ใช่", "ไม่ใช่", "No")


def test_national_id_questions_get_a_number_pad_and_13_characters(app, client):
    """By name (national_id, *_citizen_id …) or by bind::pii: inputmode numeric, at most 13
    characters; the runtime checks the checksum (static/js/form/checks.js)."""
    from app.forms.publishing import publish_workbook
    from tests.xlsform.xlsx_builder import make_xlsx

    data = make_xlsx([["type", "name", "label", "bind::pii"],
                      ["text", "national_id", "เลขประจำตัวประชาชน", ""],
                      ["text", "head_card", "เลขบัตรหัวหน้าครัวเรือน", "yes"],
                      ["text", "village_name", "ชื่อหมู่บ้าน", ""]],
                     settings=[["form_id", "version"], ["nid_form", "1"]])
    publish_workbook("nid.xlsx", data, "tester")
    doc = html.fromstring(client.get("/forms/nid_form/fill").get_data(as_text=True))
    for name in ("national_id", "head_card"):
        assert q(doc, name).get("data-national-id") is not None
        field = q(doc, name).xpath(".//input")[0]
        assert (field.get("inputmode"), field.get("maxlength")) == ("numeric", "13"), name
    plain = q(doc, "village_name").xpath(".//input")[0]
    assert plain.get("inputmode") is None and plain.get("maxlength") is None


def test_output_markers_become_spans_the_runtime_fills(page):
    _, doc = page
    outs = q(doc, "thanks").xpath('.//span[@class="out"]')
    assert outs and {o.get("data-ref") for o in outs} == {"/data/respondent"}


def test_instance_template_is_embedded_as_xml_without_inline_script(page):
    text, doc = page
    tpl = doc.get_element_by_id("instance-template")
    assert tpl.tag == "script" and tpl.get("type") == "application/xml"
    inst = etree.fromstring(tpl.text.encode())
    assert inst.tag == "data" and inst.get("id") == ALL_TYPES_FORM_ID and inst.get("version") == ALL_TYPES_VERSION
    assert inst.findtext("village") == "บ้านหนองบัว"
    assert inst.find("meta/instanceID") is not None
    for name in HIDDEN_QUESTIONS:
        assert inst.find(f".//{name}") is not None
    # The runtime takes repeat templates from jr:template.
    assert inst.xpath("members[@jr:template]", namespaces={"jr": "http://openrosa.org/javarosa"})
    # No executable inline script: every script is either external or non-executable data.
    for script in doc.xpath("//script"):
        assert script.get("src") or script.get("type") == "application/xml", etree.tostring(script)[:200]
    assert re.search(r'<script type="module" src="[^"]*dist/form\.js"', text)


def test_hidden_and_calculated_fields_are_not_shown_but_kept(page):
    _, doc = page
    for name in HIDDEN_QUESTIONS:
        assert not doc.xpath(f'//*[contains(@class, " q ") or @class="q"][@data-name="{name}"]')
        assert doc.xpath(f'//*[@class="instance-only"]/span[@data-name="{name}"]')
    calc = doc.xpath('//span[@data-name="age_next_year"]')[0]
    assert calc.get("data-calculate").strip() == "/data/age  + 1"
    start = doc.xpath('//span[@data-name="start"]')[0]
    assert (start.get("data-preload"), start.get("data-preload-params")) == ("timestamp", "start")


def test_pages_are_top_level_groups_and_runs_of_loose_questions(page):
    _, doc = page
    pages = doc.xpath('//form[@id="odk-form"]//*[contains(concat(" ", @class, " "), " page ")]')
    names = [[e.get("data-name") for e in p.xpath('.//*[@data-name]')][:1] for p in pages]
    # loose questions, when (field-list), choices, loose (consent..photo), members, rounds, unsupported, thanks
    assert len(pages) == 8, names
    assert pages[0].xpath('.//*[@data-name="respondent"]') and pages[0].xpath('.//*[@data-name="village"]')
    assert pages[1].xpath('.//fieldset[contains(@class, "field-list")]')
    assert pages[4].xpath('.//section[@class="repeat"][@data-path="/data/members"]')


def test_fixed_repeat_count_hides_add_and_remove(page):
    _, doc = page
    rounds = doc.xpath('//section[@data-path="/data/rounds"]')[0]
    assert rounds.get("data-fixed-count") == "2"
    assert not rounds.xpath('.//button[contains(@class, "repeat-add")]')
    members = doc.xpath('//section[@data-path="/data/members"]')[0]
    assert members.xpath('.//button[contains(@class, "repeat-add")]')
    assert members.xpath('.//*[@data-name="member_age"]')


def test_a_version_can_be_filled_by_its_number(client, published):
    resp = client.get(f"/forms/{ALL_TYPES_FORM_ID}/versions/{ALL_TYPES_VERSION}/fill")
    assert resp.status_code == 200
    assert 'data-name="respondent"' in resp.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/forms/nope/fill", f"/forms/{ALL_TYPES_FORM_ID}/versions/0/fill"])
def test_unknown_forms_and_versions_are_404_in_thai_and_english(client, published, url):
    resp = client.get(url)
    assert resp.status_code == 404
    text = resp.get_data(as_text=True)
    assert "ไม่พบแบบฟอร์มนี้" in text and "This form was not found" in text


def test_render_form_html_works_for_the_preview_without_the_page(app):
    definition = read_definition(all_types_xform())
    out = render_form_html(definition, "English (en)")
    assert isinstance(out, Markup)
    doc = html.fromstring(str(out))
    assert doc.get("id") == "odk-form" and doc.get("data-li") == "1"


def test_a_form_without_translations_renders_bare_labels(app):
    root = Node(path="/data", name="data", kind="group", children=[
        Node(path="/data/a", name="a", kind="field", control="input", label={"default": "A <b>?</b>"}),
        Node(path="/data/weird", name="weird", kind="field", control="input", datatype="geoshape",
             label={"default": "W"}),
        Node(path="/data/r", name="r", kind="field", control="rank", label={"default": "R"}),
    ])
    definition = FormDefinition(form_id="f", version="1", title="t", languages=["default"],
                                default_language="default", root=root)
    out = str(render_form_html(definition))
    assert "A &lt;b&gt;?&lt;/b&gt;" in out and 'class="tr"' not in out
    assert out.count("This question type is not supported yet") == 2
    assert [widget_for(n) for n in root.children] == ["text", "unsupported", "unsupported"]
    assert len(paginate(root)) == 1


def test_instance_template_drops_the_xforms_namespace():
    xml = instance_template(all_types_xform())
    assert xml.startswith("<data ") and 'xmlns="' not in xml


def test_xml_that_would_end_the_script_is_base64_encoded():
    assert script_safe("<data><a>x</a></data>")[1] == "xml"
    encoded, encoding = script_safe("<data><script>1</script></data>")
    assert encoding == "base64" and "<" not in encoded
