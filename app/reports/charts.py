"""Charts of the province report as SVG drawn on the server: a chart is data, not a script (no chart
library reaches the browser). Colours come from classes in app/static/css/reports.css (no inline
styles: the CSP forbids them); every chart has a <title> and an aria-label, and the same numbers are
in the tables beside it."""
from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from markupsafe import Markup

from app.periods import format_percent


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    # A chart whose bars link down to a district is a group of links, not one image (an image may hold
    # nothing the keyboard can reach).
    role = "group" if any("<a " in part for part in body) else "img"
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" role="{role}" aria-label="{escape(label)}" '
                  f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
                  f"<title>{escape(label)}</title>{''.join(body)}</svg>")


def _pct(value: Any) -> float:
    return float(value) if value is not None else 0.0


def levels_stacked(rows: list[tuple[str, int, int, int, str]], label: str) -> Markup:
    """One horizontal bar per district: level 1 / 2 / 3 as shares of the groups assessed."""
    bar_h, gap, left, width = 22, 8, 130, 460
    height = len(rows) * (bar_h + gap) + 30
    body = []
    for i, (name, l1, l2, l3, url) in enumerate(rows):
        y = i * (bar_h + gap)
        total = (l1 or 0) + (l2 or 0) + (l3 or 0)
        body.append(f'<text class="chart-label" x="{left - 6}" y="{y + bar_h * 0.72}" text-anchor="end">{escape(name)}</text>')
        x = float(left)
        for cls, n in (("lv1", l1), ("lv2", l2), ("lv3", l3)):
            w = width * (n or 0) / total if total else 0
            if w > 0:
                body.append(f'<rect class="{cls}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}"><title>{n}</title></rect>')
            x += w
        if not total:
            body.append(f'<text class="chart-muted" x="{left + 4}" y="{y + bar_h * 0.72}">–</text>')
        else:
            share = format_percent(Decimal(l3 or 0) * 100 / total) if total else "–"
            body.append(f'<text class="chart-value" x="{left + width + 6}" y="{y + bar_h * 0.72}">{share[:5]} %</text>')
        if url:
            body[-1] = f'<a href="{escape(url)}">{body[-1]}</a>'
    y = len(rows) * (bar_h + gap) + 14
    for i, (cls, text) in enumerate((("lv1", "ระดับ 1"), ("lv2", "ระดับ 2"), ("lv3", "ระดับ 3 (ดี)"))):
        body.append(f'<rect class="{cls}" x="{left + i * 130}" y="{y - 10}" width="12" height="12"/>'
                    f'<text class="chart-label" x="{left + i * 130 + 16}" y="{y}">{text}</text>')
    return _svg(left + width + 60, height, label, body)


def hbars(items: list[tuple[str, Any, bool | None]], label: str, *, mark: float | None = None) -> Markup:
    """Horizontal bars of percents (0..max(100, largest)); `met` True draws the bar green; an optional
    vertical mark (e.g. 100 % of the target)."""
    bar_h, gap, left, width = 22, 10, 220, 380
    top = max([100.0] + [_pct(v) for _n, v, _m in items])
    height = len(items) * (bar_h + gap) + 8
    body = []
    for i, (name, value, met) in enumerate(items):
        y = i * (bar_h + gap)
        short = str(name) if len(str(name)) <= 26 else str(name)[:25] + "…"
        body.append(f'<text class="chart-label" x="{left - 6}" y="{y + bar_h * 0.72}" text-anchor="end">'
                    f'<title>{escape(str(name))}</title>{escape(short)}</text>')
        body.append(f'<rect class="track" x="{left}" y="{y}" width="{width}" height="{bar_h}"/>')
        if value is not None:
            cls = "met" if met else "unmet" if met is False else "plain"
            w = width * _pct(value) / top
            body.append(f'<rect class="{cls}" x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}"/>')
            body.append(f'<text class="chart-value" x="{left + width + 6}" y="{y + bar_h * 0.72}">'
                        f'{format_percent(Decimal(str(value)))} %</text>')
        else:
            body.append(f'<text class="chart-muted" x="{left + 6}" y="{y + bar_h * 0.72}">–</text>')
    if mark is not None:
        x = left + width * mark / top
        body.append(f'<line class="mark" x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 8}"/>')
    return _svg(left + width + 80, height, label, body)


def columns(points: list[tuple[str, Any]], label: str) -> Markup:
    """Vertical bars per month (percent 0..100), '–' where nothing is due yet."""
    col_w, gap, top, bottom, h = 44, 8, 24, 28, 160
    width = len(points) * (col_w + gap) + 10
    body = [f'<line class="axis" x1="0" y1="{top + h}" x2="{width}" y2="{top + h}"/>']
    for i, (name, value) in enumerate(points):
        x = 5 + i * (col_w + gap)
        if value is not None:
            bh = h * min(_pct(value), 100) / 100
            body.append(f'<rect class="plain" x="{x}" y="{top + h - bh:.1f}" width="{col_w}" height="{bh:.1f}"/>')
            body.append(f'<text class="chart-value" x="{x + col_w / 2}" y="{top + h - bh - 4:.1f}" text-anchor="middle">'
                        f'{format_percent(Decimal(str(value)).quantize(Decimal(1)))}</text>')
        else:
            body.append(f'<text class="chart-muted" x="{x + col_w / 2}" y="{top + h - 4}" text-anchor="middle">–</text>')
        body.append(f'<text class="chart-label" x="{x + col_w / 2}" y="{top + h + 18}" text-anchor="middle">{escape(name)}</text>')
    return _svg(width, top + h + bottom, label, body)
