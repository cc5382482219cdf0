"""The "what changed" page and the re-score preview as an XLSX workbook (openpyxl). Pure: no Flask,
no database. The same figures as the pages (app/forms/lifecycle_views.py): one row per change, the
level transitions with their counts, and one row per assessment whose level would change."""
from __future__ import annotations

import io
from typing import Iterable

from app.reports.export import safe_text
from app.scoring.preview import RescorePreview
from app.xlsform.definition import text_in
from app.xlsform.diff import SECTION_TITLES, Change

CHANGE_HEADERS = ["หมวด / Section", "รายการ / Item", "ภาษาหรือคอลัมน์ / Language or column", "เดิม / Before",
                  "ใหม่ / After", "การเปลี่ยนแปลง (ไทย)", "Change (English)", "kind"]


def _text(value) -> object:  # noqa: ANN001
    return safe_text(value) if isinstance(value, str) else value


def _label(labels: dict[str, dict[str, str]], name: str | None) -> str:
    if name is None:
        return "ไม่ได้ประเมิน / not assessed"
    texts = labels.get(name) or {}
    th = text_in(texts, "Thai (th)")
    en = text_in(texts, "English (en)")
    shown = " / ".join(dict.fromkeys(t for t in (th, en) if t))
    return f"{shown} ({name})" if shown and shown != name else name


def changes_workbook(changes: Iterable[Change], title: str, before: str, after: str,
                     preview: RescorePreview | None = None, labels: dict[str, dict[str, str]] | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("What changed")
    ws.append([_text(f"{title}: {before} → {after}")])
    ws.append(CHANGE_HEADERS)
    for c in changes:
        th, en = SECTION_TITLES[c.section]
        ws.append([_text(f"{th} / {en}"), _text(c.item), _text(c.language or ""), _text(c.before or ""),
                   _text(c.after or ""), _text(c.message_th), _text(c.message_en), c.kind])
    if preview is not None:
        labels = labels or {}
        summary = wb.create_sheet("Level changes")
        summary.append([_text(f"ประเมินใหม่ {preview.read:,} รายการ / {preview.read:,} current assessments re-scored")])
        summary.append(["ระดับเดิม / Level now", "ระดับใหม่ / Level after", "จำนวน / Count"])
        for (a, b), n in sorted(preview.transitions.items(), key=lambda t: (-t[1], str(t[0]))):
            summary.append([_text(_label(labels, a)), _text(_label(labels, b)), n])
        moves = wb.create_sheet("Groups that move")
        moves.append(["รหัสกลุ่ม / Group", "ชื่อกลุ่ม / Name", "อำเภอ / District", "ปี / Round (B.E.)",
                      "ระดับเดิม / Level now", "ระดับใหม่ / Level after", "ร้อยละเดิม / % now",
                      "ร้อยละใหม่ / % after", "instanceID"])
        for m in preview.moves:
            moves.append([_text(m.group_ref or ""), _text(m.group_name or ""), m.district_code or "", m.round_year,
                          _text(_label(labels, m.before)), _text(_label(labels, m.after)), m.before_percent,
                          m.after_percent, _text(m.instance_id)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
