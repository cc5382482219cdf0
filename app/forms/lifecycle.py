"""A form's state (open / closing / closed) and rolling back to an older version. No Flask here.

States (as in ODK Central):
- open: listed on the form list, in /formList and the offline manifest; filled and received.
- closing: no new fills — left out of officers' form list, /formList and the offline manifest — but
  submissions are still received: drafts already started on tablets (their version's page stays in
  the tablet's cache while a draft needs it) and ODK Collect's finalized forms.
- closed: as closing, and submissions are refused with an OpenRosa message (nothing is stored; the
  device keeps its copy); its fill page says so. Nothing already received is touched; staff still
  see, export and report it. Reopening is one click.

Roll back: an older version's workbook is published again as a new version, in one step. Its
settings.version is rewritten (openpyxl) to the next version after the latest one, so the stored
workbook says the version it is (staff who download it to edit get a consistent file); its media are
those of the old version. Drafts are not touched.
"""
from __future__ import annotations

import io

from sqlalchemy import select

from app import db
from app.forms import publishing
from app.forms.drafts import actor_for
from app.models import Form, FormState, FormVersion
from app.xlsform.problems import Problem, WorkbookRejected
from app.xlsform.versions import is_newer, next_version

STATE_LABELS = {
    FormState.OPEN: ("เปิดรับข้อมูล", "Open"),
    FormState.CLOSING: ("กำลังปิดรับ", "Closing"),
    FormState.CLOSED: ("ปิดรับแล้ว", "Closed"),
}
CLOSED_MESSAGE = (
    "แบบฟอร์ม {form} ปิดรับข้อมูลแล้ว ข้อมูลนี้ยังอยู่ในเครื่องของคุณ กรุณาติดต่อเจ้าหน้าที่ผู้ดูแลแบบฟอร์ม",
    "The form {form} is closed and accepts no more submissions. Your copy stays on the device; "
    "contact the staff who manage the form.",
)

CLOSED_PAGE = ("แบบฟอร์ม {form} ปิดรับข้อมูลแล้ว", "The form {form} is closed: it takes no new records.")


def offered_for_new_fills(form: Form) -> bool:
    """Open forms only: form lists, /formList and the offline manifest offer them."""
    return (form.state or FormState.OPEN) == FormState.OPEN


def accepts_submissions(form: Form) -> bool:
    return (form.state or FormState.OPEN) != FormState.CLOSED


def set_state(form: Form, state: str, by: str) -> bool:
    """Change the form's state; False when it already was `state`. Raises ValueError for an unknown one."""
    if state not in FormState.ALL:
        raise ValueError(state)
    before = form.state or FormState.OPEN
    if before == state:
        return False
    with db.transaction():
        form.state = state
    from app.auth import audit

    audit.record(audit.Action.FORM_STATE, "form", form.form_id,
                 {"form_id": form.form_id, "from": before, "to": state}, actor=actor_for(by))
    return True


def _with_version(xlsx: bytes, version: str) -> bytes:
    """The workbook with settings.version set to `version` (a settings sheet is added if missing)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx))
    sheet = next((ws for ws in wb.worksheets if ws.title.strip().lower() == "settings"), None)
    if sheet is None:
        sheet = wb.create_sheet("settings")
    header = [str(c.value).strip().lower() if c.value is not None else "" for c in sheet[1]]
    if "version" in header:
        col = header.index("version") + 1
    else:
        col = len([h for h in header if h]) + 1 if any(header) else 1
        sheet.cell(row=1, column=col, value="version")
    sheet.cell(row=2, column=col, value=version)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rollback(form: Form, version: str, by: str) -> FormVersion:
    """Publish version `version`'s workbook again as the next version (see the module docstring).
    Raises LookupError for an unknown version, WorkbookRejected when it is already the latest."""
    versions = list(db.session.scalars(select(FormVersion).where(FormVersion.form_pk == form.id)
                                       .order_by(FormVersion.id)))
    old = next((v for v in versions if v.version == version), None)
    if old is None:
        raise LookupError(version)
    latest = versions[-1]
    if old.id == latest.id:
        raise WorkbookRejected([Problem(
            f"รุ่น {version} เป็นรุ่นล่าสุดอยู่แล้ว", f"Version {version} already is the latest version.",
            code="rollback_latest")])
    taken = {v.version for v in versions}
    new_version = next_version(latest.version, taken)
    assert is_newer(new_version, latest.version)
    data = _with_version(old.xlsx, new_version)
    media = {m.filename: m.blob.content for m in old.media if m.filename not in publishing.GENERATED_MEDIA}
    result = publishing.publish_workbook(old.xlsx_filename, data, by, media=media)
    fv = result.form_version
    from app.auth import audit

    audit.record(audit.Action.ROLLBACK, "form_version", f"{form.form_id}@{fv.version}",
                 {"form_id": form.form_id, "from_version": old.version, "replaced_version": latest.version,
                  "version": fv.version}, actor=actor_for(by))
    return fv
