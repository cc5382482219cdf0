"""Charts drawn on the server as inline SVG (a chart is data, not a script): horizontal bars, one per row,
with the value written beside its bar. Colours come from CSS classes (otop.css), not inline styles,
so the page's Content-Security-Policy holds. Pure: no Flask."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence

from markupsafe import Markup, escape

WIDTH, LABEL_W, VALUE_W, ROW_H, BAR_H = 560, 200, 84, 30, 20
MAX_LABEL = 28


def _number(v: Any) -> Decimal | None:
    if v is None or isinstance(v, str):
        return None
    return Decimal(str(v))


def _short(text: str) -> str:
    text = str(text or "")
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def format_value(v: Decimal | None, percent: bool) -> str:
    if v is None:
        return "–"
    if percent:
        text = f"{v:f}"
        return (text.rstrip("0").rstrip(".") if "." in text else text) + " %"
    if v == v.to_integral_value():
        return f"{int(v):,}"
    return f"{v:,.2f}"


def bar_chart(rows: Sequence[tuple[str, Any]], title: str, percent: bool = False) -> Markup:
    """An SVG of `rows` [(label, value)] as horizontal bars; percent charts run to 100."""
    values = [_number(v) for _label, v in rows]
    top = Decimal(100) if percent else max((v for v in values if v is not None), default=Decimal(0))
    bar_room = WIDTH - LABEL_W - VALUE_W
    height = max(1, len(rows)) * ROW_H + 8
    out = [f'<svg class="otop-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, ((label, _raw), v) in enumerate(zip(rows, values)):
        y = 4 + i * ROW_H
        width = 0 if not v or top <= 0 else float(min(v, top) / top) * bar_room
        out.append(f'<text class="otop-chart-label" x="{LABEL_W - 8}" y="{y + BAR_H - 5}" text-anchor="end">'
                   f'{escape(_short(label))}</text>')
        out.append(f'<rect class="otop-chart-track" x="{LABEL_W}" y="{y}" width="{bar_room}" height="{BAR_H}" rx="3"/>')
        if width:
            out.append(f'<rect class="otop-chart-bar" x="{LABEL_W}" y="{y}" width="{width:.1f}" height="{BAR_H}" rx="3"/>')
        out.append(f'<text class="otop-chart-value" x="{LABEL_W + bar_room + 6}" y="{y + BAR_H - 5}">'
                   f'{escape(format_value(v, percent))}</text>')
    out.append("</svg>")
    return Markup("".join(out))
