"""Every workbook of the shared corpus: the ones pyxform converts give a Conversion with an XForm;
the ones it rejects give WorkbookRejected with a structured, bilingual list, never another exception.
A workbook pyxform accepts may only be refused by our own stricter checks (e.g. curly quotes in
formulas, which ODK Collect cannot evaluate), and then each refusal must point at a cell."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from app.xlsform.convert import Conversion, convert_workbook
from app.xlsform.problems import WorkbookRejected
from tests.conftest import CORPUS

FILES = sorted(p.name for p in CORPUS.glob("*.xlsx")) if CORPUS.is_dir() else []
OUR_BLOCKING_CODES = {"smart_quotes", "duplicate_name", "duplicate_choice", "unknown_reference",
                      "unmatched_end", "unclosed_begin", "begin_end_mismatch", "choice_name_space",
                      "expression_error"}


def manifest(corpus) -> dict[str, str]:
    with open(corpus / "MANIFEST.tsv", encoding="utf-8") as f:
        return {row["file"]: row["pyxform_ok"] for row in csv.DictReader(f, delimiter="\t")}


@pytest.mark.parametrize("name", FILES)
def test_corpus_workbook_converts_or_is_rejected_with_bilingual_problems(corpus, name):
    pyxform_ok = manifest(corpus)[name].startswith("yes")
    data = (corpus / name).read_bytes()
    try:
        result = convert_workbook(name, data)
    except WorkbookRejected as e:
        assert e.problems, "a rejection must say why"
        for p in e.problems:
            assert p.message_th.strip() and p.message_en.strip(), p
            assert p.level in ("error", "warning")
        errors = [p for p in e.problems if p.is_error]
        assert errors
        if pyxform_ok:
            for p in errors:
                assert p.code in OUR_BLOCKING_CODES, f"pyxform accepts {name} but we refused it: {p}"
                assert p.sheet and p.row and p.column
        return
    assert pyxform_ok, f"pyxform rejects {name} but we converted it"
    assert isinstance(result, Conversion)
    assert result.xform.startswith("<?xml") and "<h:html" in result.xform
    assert result.form_id and result.title
    assert len(result.content_hash) == 64
    assert isinstance(result.survey, dict) and result.survey.get("children") is not None
    assert all(w.level == "warning" and w.message_th and w.message_en for w in result.warnings)
    if result.definition is not None:
        assert result.definition.form_id == result.form_id


def test_curly_quotes_in_corpus_form_are_straightened_and_reported_at_their_cells(corpus):
    conv = convert_workbook("ucl.xlsx", (corpus / "pyxform__UCL_Biomass_Plot_Form.xlsx").read_bytes())
    quotes = [p for p in conv.warnings if p.code == "smart_quotes"]
    assert (quotes[0].sheet, quotes[0].row, quotes[0].column) == ("survey", 9, "relevant")
    assert "‘" not in conv.xform and "/data/info/leader_name  = 'other'" in conv.xform


def test_resaving_a_workbook_keeps_its_content_hash_and_editing_changes_it(corpus):
    data = (corpus / "pyxform__group.xlsx").read_bytes()
    wb = load_workbook(io.BytesIO(data))
    buf = io.BytesIO()
    wb.save(buf)
    resaved = buf.getvalue()
    assert resaved != data
    assert convert_workbook("a.xlsx", data).content_hash == convert_workbook("b.xlsx", resaved).content_hash
    wb["survey"]["C2"] = "something else"
    buf = io.BytesIO()
    wb.save(buf)
    assert convert_workbook("a.xlsx", data).content_hash != convert_workbook("a.xlsx", buf.getvalue()).content_hash


def test_external_choices_become_an_itemsets_media_file(corpus):
    conv = convert_workbook("x.xlsx", (corpus / "pyxform-http__external-choices.xlsx").read_bytes())
    assert b"list_name" in conv.media["itemsets.csv"]


def test_missing_settings_version_is_none_and_can_be_stamped(corpus):
    conv = convert_workbook("g.xlsx", (corpus / "pyxform__group.xlsx").read_bytes())
    assert conv.version is None
    stamped = conv.with_version("202601011200")
    assert stamped.version == "202601011200" and 'version="202601011200"' in stamped.xform
    assert stamped.content_hash == conv.content_hash


def test_form_id_falls_back_to_a_safe_file_name_with_a_warning(corpus):
    conv = convert_workbook("แบบ สำรวจ 2569.xlsx", (corpus / "pyxform__group.xlsx").read_bytes())
    assert conv.form_id == "form_2569"
    assert "no_form_id" in {w.code for w in conv.warnings}
