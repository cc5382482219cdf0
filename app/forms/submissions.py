"""Submissions pages: list with filters, detail laid out like the form, attachments, exports.

The list's filters and paging go through htmx: the same partial (`_submission_rows.html`) is the
table on the full page and the whole answer to an htmx request. Dates typed by users are Gregorian
ISO (what <input type=date> sends; a Buddhist-Era year is accepted too) and mean days in Thailand's
time zone; dates are shown in the Buddhist Era.
"""
from __future__ import annotations

import io
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterator

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from sqlalchemy import func, select
from sqlalchemy.orm import defer, load_only, selectinload

from app.forms.definitions import definition_of
from app.forms.listing import (BadCursor, Cursor, districts_for, level_label, page_of, search_clause,
                               static_group_name)
from app.forms.lookups import form_or_404, scoped_submission_or_404
from app.forms.names import subject_of
from app import db
from app.auth import audit
from app.auth.policy import allowed, rule_for
from app.auth.masking import mask_data, mask_errors, national_id_paths
from app.auth.scope import (may_correct_submission, may_see_submission, officer_ids, sees_national_ids,
                            submission_clause)
from app.errors import error_response
from app.models import (Attachment, District, Form, FormVersion, Group, Score, Submission, SubmissionStatus,
                        Village)
from app.reports.export import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    ZIP_CONTENT_TYPE,
    ExportOptions,
    ExportRecord,
    definition_for_versions,
    has_repeats,
    is_note,
    is_select_multiple,
    is_select_one,
    iter_csv,
    node_choices,
    repeat_entries,
    write_csv,
    write_xlsx,
)
from app.templating import BANGKOK
from app.xlsform.definition import FormDefinition, Node, text_in

bp = Blueprint("submissions", __name__)

STATUS_FILTERS = ("all", SubmissionStatus.ACCEPTED, SubmissionStatus.NEEDS_CORRECTION)
STATUS_TEXT = {
    SubmissionStatus.ACCEPTED: ("ผ่านการตรวจ", "Accepted"),
    SubmissionStatus.NEEDS_CORRECTION: ("ต้องแก้ไข", "Needs correction"),
}
# Raster images are safe to show inline; anything else (SVG can carry script) is downloaded.
INLINE_IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"}
_CONTENT_TYPE_RE = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$")
_TRUE, _FALSE = ("1", "on", "true", "yes"), ("", "0", "off", "false", "no")
MIN_REASON_LENGTH = 10  # an unmasked export must say why (written to the audit log)


class BadQuery(Exception):
    """A query parameter we cannot use: answered 400 with the reason in Thai and English."""

    def __init__(self, message_th: str, message_en: str):
        super().__init__(message_en)
        self.message_th, self.message_en = message_th, message_en


@bp.errorhandler(BadQuery)
def _bad_query(e: BadQuery):
    return error_response(400, e.message_th, e.message_en)


# ---------------------------------------------------------------- filters


@dataclass
class ListFilters:
    status: str = "all"
    date_from: date | None = None
    date_to: date | None = None
    superseded: bool = False
    q: str = ""  # search: group name / code / village, instanceID, sender (app/forms/listing.py)
    district: str = ""  # a district code (province and admin users choose among theirs)
    after: Cursor | None = None  # keyset paging: the page older than this row ...
    before: Cursor | None = None  # ... or newer than it

    def args(self, **changes: Any) -> dict[str, str]:
        """Query arguments for a URL with these filters (defaults left out; paging reset unless given)."""
        values = {"status": self.status, "from": self.date_from, "to": self.date_to,
                  "superseded": self.superseded, "q": self.q, "district": self.district,
                  "after": None, "before": None}
        values.update(changes)
        out: dict[str, str] = {}
        if values["status"] != "all":
            out["status"] = values["status"]
        if values["from"]:
            out["from"] = values["from"].isoformat()
        if values["to"]:
            out["to"] = values["to"].isoformat()
        if values["superseded"]:
            out["superseded"] = "1"
        if values["q"]:
            out["q"] = values["q"]
        if values["district"]:
            out["district"] = values["district"]
        for key in ("after", "before"):
            if values[key]:
                out[key] = values[key].encode()
        return out

    def clauses(self, form: Form) -> list:
        where = [Submission.form_pk == form.id]
        if self.status != "all":
            where.append(Submission.status == self.status)
        if not self.superseded:
            where.append(Submission.is_current.is_(True))
        if self.date_from:
            where.append(Submission.received_at >= day_start_utc(self.date_from))
        if self.date_to:
            where.append(Submission.received_at < day_start_utc(self.date_to + timedelta(days=1)))
        if self.district:
            where.append(Submission.district_code == self.district)
        if self.q:
            found = search_clause(form.id, self.q, g.get("user"))
            if found is not None:
                where.append(found)
        return where


def day_start_utc(day: date) -> datetime:
    """Midnight of `day` in Thailand, in UTC (received_at is stored in UTC)."""
    return datetime.combine(day, time(0), tzinfo=BANGKOK).astimezone(timezone.utc)


def parse_date(text: str, which_th: str, which_en: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"{which_th}ไม่ถูกต้อง: '{text}' ใช้รูปแบบ ปปปป-ดด-วว",
                       f"The {which_en} date '{text}' is not valid; use YYYY-MM-DD.") from None
    if day.year >= 2400:  # typed in the Buddhist Era
        try:
            day = day.replace(year=day.year - 543)
        except ValueError:  # 29 February of a year that is not leap in the Gregorian calendar
            raise BadQuery(f"{which_th}ไม่ถูกต้อง: '{text}'", f"The {which_en} date '{text}' is not valid.") from None
    return day


def parse_filters(args) -> ListFilters:  # noqa: ANN001
    status = (args.get("status") or "all").strip()
    if status not in STATUS_FILTERS:
        raise BadQuery(f"สถานะ '{status}' ไม่ถูกต้อง ใช้ all, accepted หรือ needs_correction",
                       f"Unknown status '{status}'; use all, accepted or needs_correction.")
    date_from = parse_date(args.get("from", ""), "วันที่เริ่ม", "from")
    date_to = parse_date(args.get("to", ""), "วันที่สิ้นสุด", "to")
    if date_from and date_to and date_from > date_to:
        raise BadQuery("วันที่เริ่มต้องไม่อยู่หลังวันที่สิ้นสุด", "The from date must not be after the to date.")
    superseded_text = (args.get("superseded") or "").strip().lower()
    if superseded_text not in _TRUE + _FALSE:
        raise BadQuery("ค่าของ superseded ต้องเป็น 1 หรือ 0", "superseded must be 1 or 0.")
    district = (args.get("district") or "").strip()
    if district and not (district.isascii() and district.isalnum() and len(district) <= 16):
        raise BadQuery(f"รหัสอำเภอ '{district}' ไม่ถูกต้อง", f"District code '{district}' is not valid.")
    cursors = {}
    for key in ("after", "before"):
        token = (args.get(key) or "").strip()
        try:
            cursors[key] = Cursor.decode(token) if token else None
        except BadCursor:
            raise BadQuery("ลิงก์หน้าถัดไปไม่ถูกต้อง กลับไปหน้าแรกของรายการ",
                           "The paging link is not valid; go back to the first page of the list.") from None
    return ListFilters(status=status, date_from=date_from, date_to=date_to,
                       superseded=superseded_text in _TRUE, q=" ".join((args.get("q") or "").split())[:100],
                       district=district, after=cursors["after"], before=cursors["before"])


def _latest_definition(form: Form) -> FormDefinition | None:
    version = db.session.scalar(
        select(FormVersion).where(FormVersion.form_pk == form.id)
        .options(load_only(FormVersion.id, FormVersion.version, FormVersion.content_hash))
        .order_by(FormVersion.id.desc()).limit(1))
    return definition_of(version) if version is not None else None


def _export_definition(form: Form) -> FormDefinition | None:
    """The latest definition, plus the questions and options of older versions that still have
    submissions (app/reports/export.definition_for_versions): no answer loses its column."""
    latest = _latest_definition(form)
    if latest is None:
        return None
    older = [definition_of(v) for v in db.session.scalars(
        select(FormVersion).where(FormVersion.form_pk == form.id, FormVersion.version != latest.version,
                                  FormVersion.id.in_(select(Submission.form_version_id)
                                                     .where(Submission.form_pk == form.id)))
        .options(load_only(FormVersion.id, FormVersion.version, FormVersion.content_hash))
        .order_by(FormVersion.id.desc()))]
    return definition_for_versions(latest, older) if older else latest


def _language(definition: FormDefinition | None, asked: str | None) -> str | None:
    if definition is None:
        return None
    languages = definition.languages or [definition.default_language]
    if asked:
        if asked not in languages:
            raise BadQuery(f"แบบฟอร์มนี้ไม่มีภาษา '{asked}'", f"This form has no language '{asked}'.")
        return asked
    return definition.default_language


# ---------------------------------------------------------------- list


@bp.get("/forms/<form_id>/submissions")
def list_submissions(form_id: str):
    form = form_or_404(form_id)
    filters = parse_filters(request.args)
    where = filters.clauses(form) + [submission_clause(g.user)]
    page = page_of(where, after=filters.after, before=filters.before, few=officer_ids(g.user) is not None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": page.rows,
        "page_url": lambda **changes: url_for("submissions.list_submissions", form_id=form.form_id,
                                              **filters.args(**changes)),
        "status_text": STATUS_TEXT,
        "error_count": error_count,
    }
    if request.htmx and not request.headers.get("HX-History-Restore-Request"):
        return render_template("submissions/_submission_rows.html", **context)
    definition = _latest_definition(form)
    context["definition"] = definition
    context["districts"] = districts_for(g.user)
    context["languages"] = (definition.languages or [definition.default_language]) if definition else []
    context["has_repeats"] = has_repeats(definition) if definition else False
    context["can_export"] = allowed(rule_for("submissions.export"), g.user.role)
    context["has_national_ids"] = bool(national_id_paths(definition, current_app.config["NATIONAL_ID_NAME_PATTERN"]))
    return render_template("submissions/list.html", **context)


def error_count(sub: Submission) -> int:
    """Errors that make a submission need correction (warnings left out)."""
    return sum(1 for e in (sub.errors or []) if isinstance(e, dict) and e.get("level", "error") == "error")


# ---------------------------------------------------------------- detail


@dataclass
class Answer:
    """One question's answer in one place of the form (a repeat entry gives its own Answer)."""

    node: Node
    anchor: str
    label: str
    kind: str  # empty text choice choices image file geopoint date datetime
    raw: str = ""
    value: Any = None
    errors: list[dict] = field(default_factory=list)
    computed: bool = False  # calculate / hidden: no control on the form


@dataclass
class Section:
    node: Node
    kind: str  # group | repeat
    label: str
    items: list = field(default_factory=list)  # group: Answer | Section
    entries: list[list] = field(default_factory=list)  # repeat: one item list per entry


def _humane(name: str) -> str:
    """A label for a question that has none (shown without variable names): its name in words."""
    return " ".join(name.replace("_", " ").split()) or name


def _anchor(path: str) -> str:
    return "q" + re.sub(r"[^A-Za-z0-9_-]+", "-", path)


_INDEX_RE = re.compile(r"\[\d+\]")


class _Layout:
    """Walks the definition with a submission's answers, giving Sections and Answers to render."""

    def __init__(self, definition: FormDefinition, language: str, attachments: dict[str, Attachment],
                 errors: list[dict], show_names: bool = False):
        self.show_names = show_names  # variable names beside labels, unlabelled calculates shown
        self.definition = definition
        self.language = language
        self.attachments = attachments
        self.errors = errors
        self.placed: dict[int, str] = {}  # id(error) -> anchor of the question showing it

    def text(self, texts: dict[str, str]) -> str:
        return text_in(texts, self.language, self.definition.default_language)

    def items(self, container: Node, scope: dict[str, Any], indexed: str) -> list:
        out: list = []
        for child in container.children:
            child_indexed = indexed + child.path[len(container.path):]
            if child.kind == "group":
                inner = self.items(child, scope, child_indexed)
                if child.name == "meta" and not child.label:
                    continue  # instanceID and friends are shown in the header
                if child.label and inner:
                    out.append(Section(child, "group", self.text(child.label), items=inner))
                else:
                    out.extend(inner)
            elif child.kind == "repeat":
                section = Section(child, "repeat", self.text(child.label) or child.name)
                for index, entry in enumerate(repeat_entries(scope, child.path, container.path), start=1):
                    section.entries.append(self.items(child, entry, f"{child_indexed}[{index}]"))
                out.append(section)
            elif child.kind == "field" and not is_note(child):
                if not self.show_names and not self.text(child.label) and child.control is None:
                    # a calculation with no label is the form's own arithmetic: its variable name
                    # ("score_rule_of_law") means nothing to a reader; shown only with the names
                    self.errors_for(child, child_indexed, "", _anchor(child_indexed))
                    continue
                out.append(self.answer(child, scope.get(child.path), child_indexed))
        return out

    def answer(self, node: Node, raw: Any, indexed: str) -> Answer:
        raw_text = "" if raw is None or isinstance(raw, (list, dict)) else str(raw)
        label = self.text(node.label) or (node.name if self.show_names else _humane(node.name))
        answer = Answer(node=node, anchor=_anchor(indexed), label=label,
                        kind="text", raw=raw_text, value=raw_text, computed=node.control is None)
        answer.errors = self.errors_for(node, indexed, raw_text, answer.anchor)
        if raw_text == "":
            answer.kind = "empty"
        elif is_select_one(node) or is_select_multiple(node):
            labels = {c.name: self.text(c.label) or c.name for c in node_choices(node, self.definition)}
            if is_select_multiple(node):
                answer.kind, answer.value = "choices", [(v, labels.get(v, v)) for v in raw_text.split()]
            else:
                answer.kind, answer.value = "choice", (raw_text, labels.get(raw_text, raw_text))
        elif node.datatype == "binary" or node.control == "upload":
            found = self.attachments.get(raw_text)
            is_image = found is not None and found.content_type in INLINE_IMAGE_TYPES
            answer.kind, answer.value = ("image" if is_image else "file"), found
        elif node.datatype == "geopoint":
            parts = raw_text.split()
            try:
                lat, lon = float(parts[0]), float(parts[1])
                answer.kind = "geopoint"
                answer.value = {"lat": lat, "lon": lon, "alt": parts[2] if len(parts) > 2 else None,
                                "acc": parts[3] if len(parts) > 3 else None}
            except (IndexError, ValueError):
                pass
        elif node.datatype == "date":
            answer.kind = "date"
        elif node.datatype == "dateTime":
            answer.kind = "datetime"
        return answer

    def errors_for(self, node: Node, indexed: str, raw: str, anchor: str) -> list[dict]:
        """Errors about this answer. Paths may come with repeat indexes ("/data/r[2]/q", "[1]" may be
        left out) or without; an unindexed path inside a repeat matches the entries whose answer is
        the error's value (or all of them when the error names no value)."""
        found = []
        for error in self.errors:
            path = error.get("path")
            if not path or not isinstance(path, str) or _INDEX_RE.sub("", path) != node.path:
                continue
            if "[" in path:
                matches = path.replace("[1]", "") == indexed.replace("[1]", "")
            else:
                matches = indexed == node.path or error.get("value") in (None, raw)
            if matches:
                found.append(error)
                self.placed.setdefault(id(error), anchor)
        return found


@bp.get("/forms/<form_id>/submissions/<path:instance_id>")
def submission_detail(form_id: str, instance_id: str):
    form = form_or_404(form_id)
    sub = scoped_submission_or_404(instance_id, Submission.form_pk == form.id,
                                   options=[selectinload(Submission.attachments)])
    version = db.session.scalar(
        select(FormVersion).where(FormVersion.id == sub.form_version_id)
        .options(load_only(FormVersion.id, FormVersion.version, FormVersion.title, FormVersion.content_hash)))
    definition = definition_of(version)
    language = _language(definition, request.args.get("lang"))
    show_names = (request.args.get("names") or "").strip().lower() in _TRUE
    hidden = id_paths_hidden_from(g.user, definition)
    errors = [e for e in mask_errors(sub.errors or [], hidden) if isinstance(e, dict)]
    layout = _Layout(definition, language, {a.filename: a for a in sub.attachments}, errors, show_names)
    items = layout.items(definition.root, mask_data(sub.data or {}, hidden), definition.root.path)
    blocking = [e for e in errors if e.get("level", "error") == "error"]
    warnings = [e for e in errors if e.get("level", "error") != "error"]
    history = db.session.execute(
        select(Submission, FormVersion.version)
        .join(FormVersion, Submission.form_version_id == FormVersion.id)
        .where(Submission.root_instance_id == sub.root_instance_id, submission_clause(g.user))
        .options(defer(Submission.xml), defer(Submission.data))
        .order_by(Submission.received_at, Submission.id)).all()
    return render_template(
        "submissions/detail.html", form=form, sub=sub, version=version, definition=definition,
        language=language, items=items, warnings=warnings,
        errors=[(e, layout.placed.get(id(e))) for e in blocking],
        history=history if len(history) > 1 else [], status_text=STATUS_TEXT,
        languages=definition.languages or [definition.default_language],
        subject=subject_of(sub), show_names=show_names,
        names_url=url_for("submissions.submission_detail", form_id=form.form_id, instance_id=sub.instance_id,
                          **({} if show_names else {"names": "1"}), **({"lang": language} if request.args.get("lang") else {})),
        # "แก้ไข / Correct": the fill page of the record's own version, prefilled (app/forms/fill.py)
        correct_url=url_for("fill.fill_form_version", form_id=form.form_id, version=version.version,
                            correct=sub.instance_id) if may_correct_submission(sub, g.user) else None,
    )


# ---------------------------------------------------------------- attachments


@bp.get("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    found = db.session.get(Attachment, attachment_id)
    if found is None or not may_see_submission(found.submission, g.user):
        abort(404)
    content_type = (found.content_type or "").split(";")[0].strip().lower()
    if not _CONTENT_TYPE_RE.match(content_type):
        content_type = "application/octet-stream"
    inline = content_type in INLINE_IMAGE_TYPES
    response = send_file(
        io.BytesIO(found.blob.content), mimetype=content_type, as_attachment=not inline,
        download_name=found.filename, etag=found.sha256, max_age=3600, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.cache_control.private = True
    response.cache_control.public = False
    return response


# ---------------------------------------------------------------- exports


def id_paths_hidden_from(user, definition: FormDefinition | None) -> frozenset[str]:  # noqa: ANN001
    """The national-ID questions whose answers `user` sees masked (none for district offices)."""
    if sees_national_ids(user):
        return frozenset()
    return national_id_paths(definition, current_app.config["NATIONAL_ID_NAME_PATTERN"])


def export_records(form: Form, filters: ListFilters, masked: frozenset[str] = frozenset()) -> Iterator[ExportRecord]:
    """The filtered submissions the user may see as export records, oldest first, read in batches;
    answers at `masked` paths are masked.

    The statement is built here, at the call, not when the first record is asked for: a streamed
    response reads its records after the view has returned and the request's session has been
    removed, when `g.user` (its district) and `form` can no longer be loaded. The generator below
    touches no ORM object of the request."""
    query = (
        select(Submission, FormVersion.version, Score.form_version_id, Score.level_name, Score.assessed_on,
               Score.group_ref, Group.name, Village.name_th, District.name_th)
        .join(FormVersion, Submission.form_version_id == FormVersion.id)
        .outerjoin(Score, Score.submission_id == Submission.id)
        .outerjoin(Group, Group.code == Score.group_ref)
        .outerjoin(Village, Village.code == Group.village_code)
        .outerjoin(District, District.code == Submission.district_code)
        .where(*filters.clauses(form), submission_clause(g.user))
        .options(defer(Submission.xml), selectinload(Submission.attachments))
        .order_by(Submission.received_at, Submission.id)
        .execution_options(yield_per=500)
    )
    return _export_rows(query, masked)


def _export_rows(query, masked: frozenset[str]) -> Iterator[ExportRecord]:  # noqa: ANN001
    for sub, version, score_version, level_name, assessed_on, group_ref, group, village, district in \
            db.session.execute(query):
        level = level_label(score_version, level_name)
        yield {
            "instance_id": sub.instance_id,
            "received_at": sub.received_at,
            "status": sub.status,
            "submitted_by": sub.submitted_by,
            "version": version,
            "group_name": group or (static_group_name(score_version, group_ref) if group_ref else None) or group_ref,
            "village": village,
            "district": district or sub.district_code,
            "level": level["th"] if level else None,
            "assessed_on": assessed_on,
            "data": mask_data(sub.data or {}, masked),
            "attachments": [{"filename": a.filename, "content_type": a.content_type, "size": a.size,
                             "url": url_for("submissions.attachment", attachment_id=a.id)}
                            for a in sub.attachments],
        }


def _export_basename(form: Form) -> str:
    safe_id = re.sub(r"[^A-Za-z0-9._-]+", "_", form.form_id).strip("._") or "form"
    return f"{safe_id}-{datetime.now(BANGKOK):%Y%m%d}"


@dataclass
class ExportSpec:
    """What an export request asks for, checked: the same for a file built at once and in the background."""

    form: Form
    fmt: str  # csv | xlsx
    filters: ListFilters
    definition: FormDefinition
    options: ExportOptions
    masked: frozenset[str]
    basename: str
    audit_detail: dict


def prepare_export(form: Form, fmt: str, args) -> ExportSpec:  # noqa: ANN001 - werkzeug MultiDict
    """Check an export request's arguments (BadQuery in Thai and English otherwise)."""
    filters = parse_filters(args)
    headers = (args.get("headers") or "labels").strip()
    if headers not in ("labels", "names"):
        raise BadQuery("หัวคอลัมน์ต้องเป็น labels หรือ names", "headers must be labels or names.")
    definition = _export_definition(form)
    if definition is None:
        abort(404)
    options = ExportOptions(headers=headers, language=_language(definition, args.get("lang")))
    id_paths = national_id_paths(definition, current_app.config["NATIONAL_ID_NAME_PATTERN"])
    unmask = (args.get("include_national_ids") or "").strip().lower() in _TRUE
    reason = " ".join((args.get("reason") or "").split())
    if unmask and len(reason) < MIN_REASON_LENGTH:
        raise BadQuery(f"การส่งออกเลขประจำตัวประชาชนแบบเต็มต้องระบุเหตุผลอย่างน้อย {MIN_REASON_LENGTH} ตัวอักษร",
                       f"Exporting full national ID numbers needs a reason of at least {MIN_REASON_LENGTH} characters.")
    detail = {
        "format": fmt, "filters": {k: v for k, v in args.items() if k not in ("reason",)},
        "national_ids": "unmasked" if unmask and id_paths else ("masked" if id_paths else "none in form"),
        **({"reason": reason[:500]} if unmask else {}),
    }
    return ExportSpec(form, fmt, filters, definition, options, frozenset() if unmask else id_paths,
                      _export_basename(form), detail)


def write_export(spec: ExportSpec, records: Iterator[ExportRecord], out, on_saving=None) -> tuple[str, str]:  # noqa: ANN001
    """Write the export file to `out`; returns (content type, file name). `on_saving` is called when
    every row has been read and the file is being put together (XLSX, ZIP)."""
    if spec.fmt == "csv" and not has_repeats(spec.definition):
        for chunk in iter_csv(spec.definition, records, spec.options):
            out.write(chunk)
        return CSV_CONTENT_TYPE, f"{spec.basename}.csv"
    if spec.fmt == "csv":
        write_csv(spec.definition, _then(records, on_saving), out, spec.options, basename=spec.basename)
        return ZIP_CONTENT_TYPE, f"{spec.basename}.zip"
    write_xlsx(spec.definition, _then(records, on_saving), out, spec.options)
    return XLSX_CONTENT_TYPE, f"{spec.basename}.xlsx"


def _then(records: Iterator[ExportRecord], done) -> Iterator[ExportRecord]:  # noqa: ANN001
    yield from records
    if done is not None:
        done()


def export_rows(spec: ExportSpec, limit: int | None = None) -> int:
    """How many submissions the export holds (counted up to `limit` + 1 when given)."""
    query = select(Submission.id).where(*spec.filters.clauses(spec.form), submission_clause(g.user))
    if limit is not None:
        query = query.limit(limit + 1)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


@bp.get("/forms/<form_id>/export.<fmt>")
def export(form_id: str, fmt: str):
    """A small export is built at once and sent whole (its length known, so a broken transfer never
    looks like a complete file); a larger one is prepared in the background (app/reports/jobs.py)
    and this answers with its progress page."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    form = form_or_404(form_id)
    spec = prepare_export(form, fmt, request.args)
    audit.record(audit.Action.EXPORT, "form", form.form_id, spec.audit_detail)
    limit = current_app.config.get("EXPORT_INLINE_ROWS", 2000)
    if export_rows(spec, limit) > limit:
        from app.reports import jobs

        job = jobs.create_job(form, fmt, request.args, g.user, request.host_url)
        jobs.start(current_app._get_current_object(), job.id)
        return redirect(url_for("exports.job_page", job_token=job.token), 303)
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    mimetype, name = write_export(spec, export_records(form, spec.filters, spec.masked), spool)
    size = spool.tell()
    spool.seek(0)
    response = send_file(spool, mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)
    response.content_length = size  # a transfer cut short can never pass for the whole file
    return _as_download(response, name)


def _as_download(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
