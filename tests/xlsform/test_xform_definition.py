"""read_definition() on every pyxform-convertible workbook of the shared corpus, plus targeted checks."""
from __future__ import annotations

import csv
import json
import warnings
from functools import lru_cache

import pytest
from pyxform.xls2xform import convert

from app.xlsform.definition import FormDefinition
from app.xlsform.xform import XFormUnreadable, read_definition
from tests.conftest import CORPUS


def _corpus_files() -> list[str]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    with manifest.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [r["file"] for r in rows if r["pyxform_ok"].startswith("yes")]


CORPUS_FILES = _corpus_files()


@lru_cache(maxsize=None)
def _convert(file: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return convert(xlsform=str(CORPUS / file))


@lru_cache(maxsize=None)
def _definition(file: str) -> FormDefinition:
    return read_definition(_convert(file).xform)


def _survey_items(d: dict, out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    for child in d.get("children") or []:
        out.append((child["name"], child.get("type", "")))
        _survey_items(child, out)
    return out


def test_corpus_is_present():
    assert len(CORPUS_FILES) >= 30


@pytest.mark.parametrize("file", CORPUS_FILES)
def test_every_survey_question_is_a_node_and_json_round_trip_is_lossless(file):
    result = _convert(file)
    definition = read_definition(result.xform)
    names = {n.name for n in definition.nodes()}
    attributes: set[str] = set()
    for n in definition.nodes():
        if "attributes" in n.extra:
            attributes |= set(json.loads(n.extra["attributes"]))
    for name, qtype in _survey_items(result._pyxform, []):
        if qtype == "attribute":  # entity attributes (dataset/create/id) live on their element
            assert name in attributes, (file, name)
        else:
            assert name in names, (file, name)
    data = json.loads(json.dumps(definition.to_dict(), ensure_ascii=False))
    assert FormDefinition.from_dict(data) == definition
    assert definition.form_id
    assert definition.languages and definition.default_language == definition.languages[0]
    # every path is unique and children's paths extend their parent's
    paths = [n.path for n in definition.nodes()]
    assert len(paths) == len(set(paths))
    for n in definition.nodes():
        for c in n.children:
            assert c.path == f"{n.path}/{c.name}"


def _node(defn: FormDefinition, path: str):
    node = defn.node(path)
    assert node is not None, path
    return node


def test_translated_labels_in_each_language_with_default_language_first():
    d = _definition("pyxform__UCL_Biomass_Plot_Form.xlsx")
    assert d.languages == ["Swahili (sw)", "English (en)"]
    assert d.default_language == "Swahili (sw)"
    monumented = _node(d, "/data/location/monumented")
    assert monumented.label == {
        "Swahili (sw)": "Imewekwa Nondo Kati Kati cha Plot?",
        "English (en)": "Was the Plot Center Monumented with Rebar?",
    }
    yes = monumented.choices[0]
    assert (yes.name, yes.label) == ("yes", {"Swahili (sw)": "Ndiyo", "English (en)": "Yes"})


def test_form_without_itext_has_the_single_language_default():
    d = _definition("pyxform__or_other.xlsx")
    assert d.languages == ["default"]
    assert _node(d, "/data/fav_color").label == {"default": "What is your favorite color?"}


def test_default_translation_marked_true_comes_first_even_when_named_default():
    d = _definition("pyxform__xlsform_spec_test.xlsx")
    assert d.languages == ["default", "chinese", "english"]
    # inline <hint> in a translated form is copied to every language
    hint = _node(d, "/data/everything/invalid_variable").hint
    assert set(hint) == {"default", "chinese", "english"}


def test_output_in_label_becomes_marker():
    d = _definition("pyxform__xlsform_spec_test.xlsx")
    label = _node(d, "/data/everything/invalid_variable").label
    assert label["english"] == "Your name is {{/data/everything/my_name}}"


def test_repeat_with_jr_count_takes_label_from_wrapping_group():
    d = _definition("pyxform__xlsform_spec_test.xlsx")
    rep = _node(d, "/data/everything/repeat_test")
    assert rep.kind == "repeat"
    assert rep.control is None
    assert rep.repeat_count.strip() == "/data/everything/repeat_test_count"
    assert rep.label["english"] == "repeat_test"
    # the jr:template copy and the first instance give one set of children
    assert [c.name for c in rep.children] == [
        "group_test", "labeled_select_group", "name", "compact-test", "compact-2-test",
    ]


def test_nested_repeat_with_relative_count():
    d = _definition("pyxform__UCL_Biomass_Plot_Form.xlsx")
    stems = _node(d, "/data/trees/stems")
    assert stems.kind == "repeat"
    assert _node(d, "/data/trees").kind == "repeat"
    assert stems.repeat_count.strip() == "../stem_count"


def test_choice_filter_itemset_keeps_predicate_and_full_choice_list():
    d = _definition("pyxform__choice_filter_test.xlsx")
    county = _node(d, "/data/county")
    assert county.control == "select1"
    assert county.itemset.instance_id == "counties"
    assert county.itemset.choice_filter == "/data/state =cf"
    assert county.itemset.nodeset == "instance('counties')/root/item[ /data/state =cf]"
    assert county.itemset.external_file is None
    names = [c.name for c in county.choices]
    assert "king" in names and "pierce" in names
    assert county.choices[0].extra == {"cf": "washington"}
    assert d.instances["counties"][0] == {"name": "king", "label": "King", "cf": "washington"}


def test_select_from_csv_file_is_external_with_no_static_choices():
    d = _definition("pyxform__UCL_Biomass_Plot_Form.xlsx")
    district = _node(d, "/data/location/district_id")
    assert district.itemset.external_file == "UCL_districts.csv"
    assert district.itemset.choice_filter == "region_id= /data/location/region_id"
    assert district.choices is None
    assert "UCL_districts.csv" in d.external_files
    assert d.instances["UCL_districts"] == []


def test_select_one_external_is_input_with_query_and_itemsets_csv():
    d = _definition("pyxform__select_one_external.xlsx")
    county = _node(d, "/data/county")
    assert county.control == "input"
    assert county.extra["query"] == "instance('counties')/root/item[state= /data/state ]"
    assert county.itemset.instance_id == "counties"
    assert county.itemset.external_file == "itemsets.csv"
    assert county.itemset.choice_filter == "state= /data/state"
    assert "itemsets.csv" in d.external_files
    state = _node(d, "/data/state")
    assert [c.label for c in state.choices][0] == {"English": "Texas", "French": "Le Texas"}


def test_range_params_and_datatypes():
    d = _definition("web-forms__all-question-types-v2024091201.xlsx")
    r = _node(d, "/data/range_question_types/range_decimal")
    assert (r.control, r.datatype) == ("range", "decimal")
    assert r.range == {"start": "1.5", "end": "5.5", "step": "0.5"}
    rank = _node(d, "/data/other_question_types/rank")
    assert (rank.control, rank.datatype) == ("rank", "odk:rank")
    img = _node(d, "/data/image_question_types/image")
    assert (img.control, img.datatype, img.mediatype) == ("upload", "binary", "image/*")
    trig = _node(d, "/data/other_question_types/my_trigger")
    assert trig.control == "trigger"
    geo = _node(d, "/data/geo_question_types/geopoint")
    assert (geo.control, geo.datatype) == ("input", "geopoint")


def test_geojson_select_is_external():
    d = _definition("web-forms__all-question-types-v2024091201.xlsx")
    m = _node(d, "/data/select_one_question_types/map")
    assert m.itemset.external_file == "cities.geojson"
    assert (m.itemset.value_ref, m.itemset.label_ref) == ("id", "title")
    assert m.choices is None
    assert "cities.geojson" in d.external_files


def test_choice_images_are_media_and_external_files():
    d = _definition("web-forms__all-question-types-v2024091201.xlsx")
    likert = _node(d, "/data/select_one_question_types/likert")
    first = likert.choices[0]
    assert first.name == "strongly_disagree"
    assert first.media == {"image": {"default": "angry.png"}}
    assert "angry.png" in d.external_files


def test_field_list_group():
    d = _definition("web-forms__all-question-types-v2024091201.xlsx")
    g = _node(d, "/data/table_list")
    assert g.kind == "group" and g.field_list and g.label == {"default": "List group"}
    assert not _node(d, "/data/text_question_types").field_list


def test_default_values_from_primary_instance():
    d = _definition("web-forms__all-question-types-v2024091201.xlsx")
    assert _node(d, "/data/text_question_types/url").default == "http://getodk.org/"
    assert _node(d, "/data/text_question_types/string").default is None


def test_constraint_messages_plain_and_translated():
    plain = _definition("docs__recensement_etablissements_scolaires_24.xlsx")
    n = _node(plain, "/data/nombre_eleves")
    assert n.constraint == ". > 0"
    assert n.constraint_msg == {"default": "La valeur doit être un nombre positif"}
    assert n.required == "true()"
    spec = _definition("pyxform__xlsform_spec_test.xlsx")
    sm = _node(spec, "/data/everything/repeat_test/group_test/select_multiple_test")
    assert sm.constraint_msg["english"] == "Sorry {{/data/everything/my_name}}, you can't select yes and no."
    assert _node(spec, "/data/everything/repeat_test/group_test/required_text").required_msg["default"] == (
        "Custom required message."
    )


def test_nodes_without_body_have_no_control_and_keep_bind_details():
    d = _definition("pyxform__xlsform_spec_test.xlsx")
    meta = _node(d, "/data/meta")
    assert (meta.kind, meta.control) == ("group", None)
    iid = _node(d, "/data/meta/instanceID")
    assert (iid.control, iid.preload, iid.readonly) == (None, "uid", "true()")
    start = _node(d, "/data/everything/start")
    assert (start.preload, start.preload_params, start.datatype) == ("timestamp", "start", "dateTime")
    calc = _node(d, "/data/everything/calculate_test")
    assert (calc.control, calc.calculate) == (None, "2+2")
    launch = _node(d, "/data/launch")
    assert launch.extra["jr:noAppErrorString"] == "Sorry, app does not exist."
    assert _node(d, "/data/everything/text_image_audio_video_test").extra["autoplay"] == "audio"
    assert _node(d, "/data/everything").relevant == "not(selected( /data/skip_to_end , 'yes'))"


def test_body_order_for_controls_and_meta_last():
    d = _definition("pyxform__xlsform_spec_test.xlsx")
    assert [c.name for c in d.root.children] == ["skip_to_end", "everything", "launch", "meta"]


def test_entity_attributes_and_setvalue_action_kept_in_extra():
    d = _definition("pyxform__case_insensitivity.xlsx")
    entity = _node(d, "/data/meta/entity")
    attrs = json.loads(entity.extra["attributes"])
    assert attrs["dataset"] == "e1"
    assert json.loads(entity.extra["bind@id"])["readonly"] == "true()"
    assert json.loads(entity.extra["actions@id"])[0]["value"] == "uuid()"


SETVALUE_MD = """
| survey |
| | type | name | label | trigger | default | calculation | parameters |
| | start-geopoint | sg | | | | | |
| | text | a | A | | | | |
| | dateTime | b | B | ${a} | | now() | |
| | date | d | D | | today() | | |
| | begin repeat | r | R | | | | |
| | integer | n | N | | position(..) | | |
| | end repeat | | | | | | |
| | select_one_from_file villages.csv | v | V | | | | |
| | select_one l or_other | o | O | | | | |
| choices |
| | list_name | name | label | score |
| | l | x | X | 1 |
| | l | y | Y | 2 |
"""


def test_actions_triggers_dynamic_defaults_and_extra_choice_columns():
    d = read_definition(convert(xlsform=SETVALUE_MD, file_type=".md").xform)
    b = _node(d, "/data/b")
    actions = json.loads(b.extra["actions"])
    assert actions == [{"action": "setvalue", "event": "xforms-value-changed", "value": "now()", "trigger": "/data/a"}]
    assert b.extra["trigger"] == "/data/a"
    assert json.loads(_node(d, "/data/d").extra["actions"])[0]["value"] == "today()"
    assert json.loads(_node(d, "/data/sg").extra["actions"])[0]["action"] == "setgeopoint"
    n_actions = json.loads(_node(d, "/data/r/n").extra["actions"])
    assert {a["event"] for a in n_actions} == {"odk-instance-first-load", "odk-new-repeat"}
    o = _node(d, "/data/o")
    assert [c.name for c in o.choices] == ["x", "y", "other"]
    assert o.choices[0].extra == {"score": "1"}
    assert _node(d, "/data/v").itemset.external_file == "villages.csv"
    assert "villages.csv" in d.external_files


def test_inline_items_give_static_choices():
    d = _definition("pyxform__search_and_select.xlsx")
    fruit = _node(d, "/data/fruit")
    assert fruit.itemset is None
    assert [c.name for c in fruit.choices] == ["name_key"]
    assert fruit.appearance == "search('fruits')"
    assert "fruits.csv" in d.external_files


def test_broken_xml_and_doctype_are_refused():
    with pytest.raises(XFormUnreadable):
        read_definition("<h:html")
    evil = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:head/></h:html>'
    )
    with pytest.raises(XFormUnreadable):
        read_definition(evil)
