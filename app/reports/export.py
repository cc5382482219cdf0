"""Submissions -> CSV (ZIP of CSVs when the form has repeats) and XLSX, one table per repeat.

Pure: no Flask, no database. Callers pass a FormDefinition and an iterable of submission records
(plain dicts, see `ExportRecord`), consumed once, so a database cursor can feed a large export.
Every text cell is made safe to open in a spreadsheet: text starting with = + - @ (or tab / CR)
gets a leading single quote, so Excel and LibreOffice never evaluate it as a formula.
"""
from __future__ import annotations

import copy
import csv
import io
import math
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import IO, Any, Iterable, Iterator, Literal, TypedDict

from app.xlsform.definition import Choice, FormDefinition, Node, text_in

HeaderMode = Literal["labels", "names"]
HEADER_MODES = ("labels", "names")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
ZIP_CONTENT_TYPE = "application/zip"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Cells starting with these are read as formulas by spreadsheet programs (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_INT_RE = re.compile(r"^[+-]?\d+$")
_DECIMAL_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# Control characters an XLSX file cannot hold (openpyxl refuses them).
_XLSX_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XLSX_MAX_CELL = 32767
XLSX_MAX_ROWS = 1_048_576  # rows of one worksheet, the header included (Excel's limit)
_SHEET_BAD_CHARS = re.compile(r"[\[\]:*?/\\]")

Cell = str | int | float | None


class ExportRecord(TypedDict, total=False):
    instance_id: str
    received_at: datetime | str | None
    status: str
    submitted_by: str | None
    version: str
    data: dict[str, Any]  # answers by absolute path; repeats as lists of dicts
    # what the record is about, in words (app/forms/names.py): registry name, village, district name,
    # the server's level label, the assessment date
    group_name: str | None
    village: str | None
    district: str | None
    level: str | None
    assessed_on: date | str | None
    attachments: list[dict[str, Any]]  # [{filename, content_type, ...}] (not exported as columns)


@dataclass(frozen=True)
class ExportOptions:
    headers: HeaderMode = "labels"
    language: str | None = None  # None: the form's default language

    def __post_init__(self) -> None:
        if self.headers not in HEADER_MODES:
            raise ValueError(f"headers must be one of {HEADER_MODES}, not {self.headers!r}")


@dataclass
class Column:
    header: str
    kind: Literal["meta", "value", "option"]
    key: str  # meta: record key; value/option: the question's absolute path
    node: Node | None = None
    option: Choice | None = None


@dataclass
class Table:
    """The main table (path = the root's path) or one repeat's table."""

    name: str  # sheet title / file-name part, unique among the export's tables
    path: str
    node: Node
    parent: Table | None
    columns: list[Column] = field(default_factory=list)
    child_repeats: list[Table] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


META_COLUMNS = (
    ("_instance_id", "instance_id"),
    ("_submission_time", "received_at"),
    ("_status", "status"),
    ("_version", "version"),
    ("_submitted_by", "submitted_by"),
)
# Named columns after the codes (issue 14): (name header, Thai label header, record key). Dates in
# Thai time (Asia/Bangkok): the received time as a spreadsheet reads it, "2024-03-05 10:30".
NAMED_COLUMNS = (
    ("_received_th", "รับเมื่อ (เวลาไทย)", "received_th"),
    ("_group_name", "กลุ่ม", "group_name"),
    ("_village", "หมู่บ้าน", "village"),
    ("_district", "อำเภอ", "district"),
    ("_level", "ระดับ (เซิร์ฟเวอร์)", "level"),
    ("_assessed_on", "วันที่ประเมิน", "assessed_on"),
)
BANGKOK = timezone(timedelta(hours=7))


# ---------------------------------------------------------------- columns


def is_note(node: Node) -> bool:
    """A read-only text shown to the user with no answer of its own (pyxform's `note`)."""
    return (
        node.kind == "field"
        and node.control == "input"
        and node.datatype == "string"
        and (node.readonly or "").replace(" ", "") in ("true()", "true")
        and not node.calculate
    )


def is_select_multiple(node: Node) -> bool:
    return node.datatype == "select" or node.control == "select"


def is_select_one(node: Node) -> bool:
    return node.datatype == "select1" or node.control == "select1"


def node_choices(node: Node, definition: FormDefinition) -> list[Choice]:
    """The static choices of a select, from the node or from its secondary instance."""
    if node.choices is not None:
        return node.choices
    itemset = node.itemset
    if itemset is None or itemset.instance_id not in definition.instances:
        return []
    choices = []
    for item in definition.instances[itemset.instance_id]:
        name = item.get(itemset.value_ref) if itemset.value_ref else None
        if name is None:
            name = item.get("name")
        if name is None:
            continue
        label = item.get("label")
        texts = label if isinstance(label, dict) else ({"default": str(label)} if label else {})
        choices.append(Choice(name=str(name), label=texts))
    return choices


def definition_for_versions(latest: FormDefinition, older: Iterable[FormDefinition]) -> FormDefinition:
    """The latest version's definition plus what older versions had and it dropped, so an export over
    submissions of several versions loses no answer: a question removed later keeps its column (after
    its former neighbour, inside its group or repeat), an option removed later keeps its flag column.
    `older`: newest first; the latest's labels and order win wherever both have a question."""
    merged = copy.deepcopy(latest)
    for old in older:
        _graft(merged, merged.root, old, old.root)
    return merged


def _graft(merged: FormDefinition, target: Node, old_def: FormDefinition, source: Node) -> None:
    have = {c.name: c for c in target.children}
    position = -1  # where the previous child of `source` sits in `target`
    for child in source.children:
        existing = have.get(child.name)
        if existing is None:
            taken = copy.deepcopy(child)
            _own_choices(taken, child, old_def)
            target.children.insert(position + 1, taken)
            have[child.name] = taken
            position += 1
            continue
        position = target.children.index(existing)
        if existing.kind == child.kind and child.kind in ("group", "repeat"):
            _graft(merged, existing, old_def, child)
        elif is_select_one(existing) or is_select_multiple(existing):
            current = node_choices(existing, merged)
            known = {c.name for c in current}
            dropped = [c for c in node_choices(child, old_def) if c.name not in known]
            if dropped:
                existing.choices = [*current, *dropped]


def _own_choices(taken: Node, original: Node, old_def: FormDefinition) -> None:
    """A node taken from an older definition keeps its choices itself (its list may be gone)."""
    for new, old in zip(taken.walk(), original.walk()):
        if is_select_one(old) or is_select_multiple(old):
            new.choices = node_choices(old, old_def)


def has_repeats(definition: FormDefinition) -> bool:
    return any(n.kind == "repeat" for n in definition.nodes())


def build_tables(definition: FormDefinition, options: ExportOptions = ExportOptions()) -> list[Table]:
    """The export's tables in form order: the main table first, then every repeat (nested ones too)."""
    language = options.language or definition.default_language
    tables: list[Table] = []
    used_names: set[str] = set()

    def label_of(node: Node, name_path: str) -> str:
        if options.headers == "names":
            return name_path
        return _clean_label(text_in(node.label, language, definition.default_language)) or name_path

    def choice_label(choice: Choice) -> str:
        if options.headers == "names":
            return choice.name
        return _clean_label(text_in(choice.label, language, definition.default_language)) or choice.name

    def new_table(node: Node, parent: Table | None) -> Table:
        base = definition.form_id if parent is None else node.name
        table = Table(name=_unique_sheet_name(base or "data", used_names), path=node.path, node=node, parent=parent)
        if parent is None:
            table.columns = [Column(header, "meta", key) for header, key in META_COLUMNS]
            table.columns += [Column(name if options.headers == "names" else label, "meta", key)
                              for name, label, key in NAMED_COLUMNS]
        else:
            table.columns = [Column("_parent_key", "meta", "_parent_key"), Column("_key", "meta", "_key")]
            parent.child_repeats.append(table)
        tables.append(table)
        fill(table, node)
        return table

    def fill(table: Table, container: Node) -> None:
        for child in container.children:
            if child.kind == "repeat":
                new_table(child, table)
            elif child.kind == "group":
                fill(table, child)
            elif child.kind == "field" and not is_note(child):
                name_path = child.path[len(table.path):].lstrip("/") or child.name
                header = label_of(child, name_path)
                table.columns.append(Column(header, "value", child.path, node=child))
                if is_select_multiple(child):
                    for choice in node_choices(child, definition):
                        table.columns.append(
                            Column(f"{header}/{choice_label(choice)}", "option", child.path, node=child, option=choice)
                        )

    new_table(definition.root, None)
    return tables


def _clean_label(text: str) -> str:
    # Labels may carry output markers ({{/data/x}}) or line breaks; a header wants one line.
    text = re.sub(r"\{\{\s*[^{}]*?([^/{}\s]+)\s*\}\}", r"${\1}", text or "")
    return " ".join(text.split())


def _unique_sheet_name(base: str, used: set[str]) -> str:
    name = _SHEET_BAD_CHARS.sub("_", base).strip("'") or "data"
    name = name[:31]
    candidate, n = name, 2
    while candidate.lower() in used:
        suffix = f"_{n}"
        candidate = name[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


# ---------------------------------------------------------------- cell values


def safe_text(value: str) -> str:
    """Text a spreadsheet will show as text, never evaluate: formula-like starts get a quote."""
    if value and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _number(node: Node | None, raw: str) -> int | float | None:
    if node is None or node.datatype not in ("int", "decimal"):
        return None
    text = raw.strip()
    if node.datatype == "int" and _INT_RE.match(text):
        return int(text)
    if _DECIMAL_RE.match(text):
        number = float(text)
        if math.isfinite(number):
            return int(number) if node.datatype == "int" and number.is_integer() else number
    return None


def _iso(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:  # stored naive in UTC (SQLite)
            value = value.replace(tzinfo=timezone.utc)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _thai_time(value: Any) -> str | None:
    """A received time as Thai wall-clock time, "2024-03-05 10:30" (what a reader in Thailand expects)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:  # stored naive in UTC (SQLite)
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M")


class _Cells:
    """Turns answers into typed cells for one export (labels resolved once per select)."""

    def __init__(self, definition: FormDefinition, options: ExportOptions):
        self.definition = definition
        self.labels = options.headers == "labels"
        self.language = options.language or definition.default_language
        self._choice_labels: dict[str, dict[str, str]] = {}

    def choice_labels(self, node: Node) -> dict[str, str]:
        if node.path not in self._choice_labels:
            self._choice_labels[node.path] = {
                c.name: _clean_label(text_in(c.label, self.language, self.definition.default_language)) or c.name
                for c in node_choices(node, self.definition)
            }
        return self._choice_labels[node.path]

    def value(self, column: Column, scope: dict[str, Any]) -> Cell:
        raw = scope.get(column.key)
        if isinstance(raw, (list, dict)):  # a repeat or group where a value was expected
            return None
        if raw is None or raw == "":
            return None
        raw = str(raw)
        node = column.node
        assert node is not None
        if column.kind == "option":
            assert column.option is not None
            return 1 if column.option.name in raw.split() else 0
        number = _number(node, raw)
        if number is not None:
            return number
        if self.labels and is_select_one(node):
            return self.choice_labels(node).get(raw, raw)
        if self.labels and is_select_multiple(node):
            labels = self.choice_labels(node)
            return ", ".join(labels.get(v, v) for v in raw.split())
        return raw


def iter_rows(definition: FormDefinition, records: Iterable[ExportRecord],
              options: ExportOptions = ExportOptions(),
              tables: list[Table] | None = None) -> Iterator[tuple[Table, list[Cell]]]:
    """(table, cells) for every main row and repeat row, record by record, in form order.

    Cells are typed (numbers for int/decimal answers and option flags) and not yet made safe:
    the writers apply `safe_text` to every text cell.
    """
    tables = tables or build_tables(definition, options)
    main = tables[0]
    cells = _Cells(definition, options)

    def rows_of(table: Table, scope: dict[str, Any], meta: dict[str, Any], instance_id: str,
                indexed_path: str) -> Iterator[tuple[Table, list[Cell]]]:
        row: list[Cell] = []
        for column in table.columns:
            if column.kind == "meta":
                value = meta.get(column.key)
                if column.key == "received_at":
                    row.append(_iso(value))
                elif column.key == "received_th":
                    row.append(_thai_time(meta.get("received_at")))
                elif column.key == "assessed_on":
                    row.append(_iso(value) or None)
                else:
                    row.append(None if value is None else str(value))
            else:
                row.append(cells.value(column, scope))
        yield table, row
        key = meta["_key"] if table.parent is not None else instance_id
        for child in table.child_repeats:
            entries = repeat_entries(scope, child.path, table.path)
            for index, entry in enumerate(entries, start=1):
                child_path = f"{indexed_path}{child.path[len(table.path):]}[{index}]"
                child_meta = {"_parent_key": key, "_key": f"{instance_id}:{child_path}"}
                yield from rows_of(child, entry, child_meta, instance_id, child_path)

    for record in records:
        instance_id = str(record.get("instance_id") or "")
        yield from rows_of(main, record.get("data") or {}, dict(record), instance_id, main.path)


def repeat_entries(scope: dict[str, Any], path: str, parent_path: str = "") -> list[dict[str, Any]]:
    """The entries of the repeat at `path` in `scope` (a submission's data or a parent entry)."""
    value = scope.get(path)
    if value is None:
        # Tolerate a repeat stored under a group key ({"/data/grp": {"/data/grp/rep": [...]}}).
        for key, nested in scope.items():
            if isinstance(nested, dict) and path.startswith(key + "/") and key.startswith(parent_path):
                return repeat_entries(nested, path, key)
        return []
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


# ---------------------------------------------------------------- CSV


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return safe_text(value)


class _LineBuffer:
    def __init__(self) -> None:
        self.buf = io.StringIO()
        self.writer = csv.writer(self.buf, lineterminator="\r\n")

    def line(self, cells: Iterable[Cell]) -> bytes:
        self.writer.writerow([_csv_text(c) for c in cells])
        data = self.buf.getvalue().encode("utf-8")
        self.buf.seek(0)
        self.buf.truncate()
        return data


def iter_csv(definition: FormDefinition, records: Iterable[ExportRecord],
             options: ExportOptions = ExportOptions()) -> Iterator[bytes]:
    """The main table as UTF-8 CSV with a BOM, line by line (repeats are left out: see `write_csv`)."""
    tables = build_tables(definition, options)
    main = tables[0]
    lines = _LineBuffer()
    yield "\ufeff".encode("utf-8") + lines.line(main.headers)
    for table, row in iter_rows(definition, records, options, tables):
        if table is main:
            yield lines.line(row)


def write_csv(definition: FormDefinition, records: Iterable[ExportRecord], out: IO[bytes],
              options: ExportOptions = ExportOptions(), basename: str | None = None) -> bool:
    """Write the CSV export to `out`: one CSV, or a ZIP of CSVs (main + one per repeat) when the
    form has repeats. Returns True when a ZIP was written."""
    tables = build_tables(definition, options)
    if len(tables) == 1:
        for chunk in iter_csv(definition, records, options):
            out.write(chunk)
        return False
    basename = basename or definition.form_id or "export"
    spools: dict[int, IO[bytes]] = {}
    buffers: dict[int, _LineBuffer] = {}
    try:
        for table in tables:
            spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
            spools[id(table)] = spool
            buffers[id(table)] = _LineBuffer()
            spool.write("\ufeff".encode("utf-8") + buffers[id(table)].line(table.headers))
        for table, row in iter_rows(definition, records, options, tables):
            spools[id(table)].write(buffers[id(table)].line(row))
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in tables:
                spool = spools[id(table)]
                spool.seek(0)
                name = f"{basename}.csv" if table.parent is None else f"{basename}-{table.name}.csv"
                with archive.open(name, "w") as member:
                    while chunk := spool.read(1024 * 1024):
                        member.write(chunk)
    finally:
        for spool in spools.values():
            spool.close()
    return True


def csv_file_names(definition: FormDefinition, basename: str | None = None) -> list[str]:
    """Names of the CSV files the export holds (inside the ZIP when there is more than one)."""
    basename = basename or definition.form_id or "export"
    tables = build_tables(definition, ExportOptions(headers="names"))
    return [f"{basename}.csv" if t.parent is None else f"{basename}-{t.name}.csv" for t in tables]


# ---------------------------------------------------------------- XLSX


def _xlsx_value(value: Cell) -> Cell:
    if value is None or isinstance(value, (int, float)):
        return value
    text = _XLSX_ILLEGAL_RE.sub("", safe_text(value))
    return text[:_XLSX_MAX_CELL]


def write_xlsx(definition: FormDefinition, records: Iterable[ExportRecord], out: IO[bytes],
               options: ExportOptions = ExportOptions()) -> None:
    """Write an XLSX workbook to `out`: one sheet for the main table, one per repeat.

    openpyxl's write-only mode streams each sheet's rows to a temporary file, so memory stays flat
    however many submissions there are."""
    from openpyxl import Workbook

    tables = build_tables(definition, options)
    workbook = Workbook(write_only=True)
    sheets, rows, parts = {}, {}, {}
    used = {t.name.lower() for t in tables}
    for table in tables:
        sheet = workbook.create_sheet(title=table.name)
        sheet.append([_xlsx_value(h) for h in table.headers])
        sheets[id(table)], rows[id(table)], parts[id(table)] = sheet, 1, 1
    for table, row in iter_rows(definition, records, options, tables):
        key = id(table)
        if rows[key] >= XLSX_MAX_ROWS:  # a sheet holds 1,048,576 rows: the table goes on in the next one
            parts[key] += 1
            sheets[key] = workbook.create_sheet(title=_unique_sheet_name(f"{table.name[:26]} ({parts[key]})", used))
            sheets[key].append([_xlsx_value(h) for h in table.headers])
            rows[key] = 1
        sheets[key].append([_xlsx_value(c) for c in row])
        rows[key] += 1
    workbook.save(out)
