"""A report table (app/reports/tables.py) as HTML, built in Python: the province report has ~1,000
cells and a Jinja macro per cell cost more than every query of the page together. Same markup as
before: grouped headers, data-key / data-value cells (sorting, tests), links, bars (green when met),
the total row in <tfoot>."""
from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

from app.reports.tables import Column, Table, display


def _value_attr(v: Any) -> str:
    return "" if v is None else escape(str(v), quote=True)


def _cell(row: dict[str, Any], c: Column, total: bool) -> str:
    v = row.get(c.key)
    text = escape(display(v, c.kind))
    if c.key == "district":
        name = escape(str(row.get("district") or ""))
        en = escape(str(row.get("district_en") or ""))
        if total:
            return f"<strong>{name}</strong> <span class=\"en\">{en}</span>"
        url = row.get(c.link) if c.link else None
        inner = f'<a href="{escape(url, quote=True)}">{name}</a>' if url else name
        return f'{inner} <span class="en">{en}</span>' if en else inner
    if c.bar and v is not None:
        width = int(row.get(f"{c.key}_bar") or 0)
        met = " met" if row.get(f"{c.key}_met") else ""
        return (f'<span class="bar-cell{met}"><span class="bar"><span class="bar-fill w{width // 5 * 5}"></span></span>'
                f'<span class="bar-text">{text}</span></span>')
    url = row.get(c.link) if c.link and not total else None
    if url and v not in (None, ""):
        return f'<a href="{escape(url, quote=True)}">{text}</a>'
    return text


def table_html(t: Table) -> Markup:
    # A table wider than the screen scrolls: its wrapper is a labelled region the keyboard can reach.
    out = [f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(t.title_th)} / {escape(t.title_en)}">'
           f'<table class="report-table" data-sortable id="table-{escape(t.key)}"><thead>']
    if t.has_groups:
        out.append('<tr class="group-row">')
        for th, en, span in t.groups:
            if th:
                out.append(f'<th scope="colgroup" colspan="{span}">{escape(th)} <span class="en">{escape(en)}</span></th>')
            else:
                out.append(f'<th scope="colgroup" colspan="{span}" class="blank"></th>')
        out.append("</tr>")
    out.append("<tr>")
    for c in t.columns:
        en = f' <span class="en">{escape(c.en)}</span>' if c.en else ""
        out.append(f'<th scope="col" data-kind="{c.kind}" data-key="{escape(c.key)}">{escape(c.th)}{en}</th>')
    out.append("</tr></thead><tbody>")
    for row in t.rows:
        out.append(f'<tr data-district="{escape(str(row.get("code", "")), quote=True)}">')
        for c in t.columns:
            out.append(f'<td class="k-{c.kind}" data-key="{escape(c.key)}" data-value="{_value_attr(row.get(c.key))}">'
                       f"{_cell(row, c, False)}</td>")
        out.append("</tr>")
    if not t.rows:
        out.append(f'<tr><td colspan="{len(t.columns)}" class="muted">ไม่มีข้อมูล <span class="en">No data</span></td></tr>')
    out.append("</tbody>")
    if t.total is not None:
        weakest = t.total.get("weakest")
        out.append('<tfoot><tr class="total-row">')
        for c in t.columns:
            cls = f"k-{c.kind}" + (" weakest" if weakest and c.key == f"p_{weakest}" else "")
            out.append(f'<td class="{cls}" data-key="{escape(c.key)}" data-value="{_value_attr(t.total.get(c.key))}">'
                       f"{_cell(t.total, c, True)}</td>")
        out.append("</tr></tfoot>")
    out.append("</table></div>")
    if t.note_th:
        out.append(f'<p class="table-note">{escape(t.note_th)} <span class="en">{escape(t.note_en)}</span></p>')
    return Markup("".join(out))
