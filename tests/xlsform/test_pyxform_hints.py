"""Every translated pyxform message says how to fix it, in Thai and English (no empty hint), and a
hint shows the message's own values ({column}) while leaving ${...} examples as written."""
from __future__ import annotations

from app.xlsform.pyxform_messages import ERROR_CODES_TH, ERROR_PREFIX_TH, RAW_RULES, translate


def test_every_translation_has_a_thai_and_an_english_hint():
    entries = [*ERROR_CODES_TH.items(), *ERROR_PREFIX_TH.items(), *((code, th) for _, code, th in RAW_RULES)]
    missing = [code for code, th in entries if not (th.hint_th.strip() and th.hint_en.strip())]
    assert not missing, f"translations without a hint: {missing}"


def test_a_hint_carries_the_messages_values_and_keeps_reference_examples():
    [p] = translate("For 'background-geopoint' questions, the 'calculation' column must not be set.")
    assert "'calculation'" in p.hint_en and "{column}" not in p.hint_en and "'calculation'" in p.hint_th
    [ref] = translate("[row : 3] On the 'survey' sheet, the 'label' value is invalid. Reference variables must "
                      "start with '${', then a question name, and end with '}'.")
    assert ref.code == "pyxform.PYREF_001", ref.code
    assert "${age}" in ref.hint_en and "${age}" in ref.hint_th
    assert "${ชื่อคำถาม}" in ref.message_th and "'label'" in ref.message_th  # one rule for messages and hints
