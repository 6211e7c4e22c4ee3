"""One chart function for pages and PDFs: a server-rendered inline SVG.

``chart(series, labels, ...)`` draws bars (one series) or lines (one or more
series) with axes, gridlines and value labels. Hidden (suppressed) values are
left as gaps. The same SVG is embedded in the HTML page and in the WeasyPrint
PDF; the numbers are always also given as a table next to it.
"""

from __future__ import annotations

import math
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#6b2d5c", "#d08a00", "#1d6b3a", "#1a5fb4", "#a3202e"]


_GAP = object()  # nothing recorded (drawn as nothing); None is a hidden number ([c])


def _number(value):
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return _GAP


def has_numbers(values) -> bool:
    return any(isinstance(_number(v), float) for v in values)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def _fmt(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}"


def chart(
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    title: str,
    kind: str = "bar",
    unit: str = "",
    width: int = 560,
    height: int = 260,
) -> SafeString:
    """An accessible SVG chart. ``series`` is [(name, values)], values may be None."""
    left, right, top, bottom = 52, 12, 20, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    series = [(name, [_number(v) for v in vs]) for name, vs in series]
    values = [v for _name, vs in series for v in vs if isinstance(v, float)]
    top_value = _nice_max(max(values, default=0))
    n = max(len(labels), 1)
    slot = plot_w / n

    def y(v: float) -> float:
        return top + plot_h - (v / top_value) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-label="{escape(title)}" '
        f'preserveAspectRatio="xMidYMid meet" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        v = top_value * i / 4
        yy = y(v)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
            f'stroke="#dcd7e0" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#575462">'
            f"{_fmt(v)}{escape(unit)}</text>"
        )
    step = max(1, math.ceil(n / 8))  # at most eight axis labels
    for i, label in enumerate(labels):
        if i % step:
            continue
        x = left + slot * (i + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'fill="#575462">{escape(label)}</text>'
        )
    if kind == "bar" and len(series) == 1:
        _name, vs = series[0]
        bar_w = slot * 0.62
        for i, v in enumerate(vs):
            x = left + slot * i + (slot - bar_w) / 2
            if v is _GAP:
                continue
            if v is None:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - 4}" text-anchor="middle" '
                    f'fill="#575462">[c]</text>'
                )
                continue
            parts.append(
                f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{bar_w:.1f}" '
                f'height="{top + plot_h - y(v):.1f}" rx="3" fill="{PALETTE[0]}"/>'
            )
            if n <= 12:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{y(v) - 4:.1f}" text-anchor="middle" '
                    f'fill="#1f1d24">{_fmt(v)}</text>'
                )
    else:
        for k, (_name, vs) in enumerate(series):
            colour = PALETTE[k % len(PALETTE)]
            path, pen_down = [], False
            for i, v in enumerate(vs):
                if v is None or v is _GAP:
                    pen_down = False
                    continue
                x = left + slot * (i + 0.5)
                path.append(f"{'L' if pen_down else 'M'}{x:.1f},{y(v):.1f}")
                pen_down = True
                parts.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}"/>')
            if path:
                parts.append(
                    f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
                )
    if len(series) > 1:
        x = left
        for k, (name, _vs) in enumerate(series):
            colour = PALETTE[k % len(PALETTE)]
            parts.append(
                f'<rect x="{x}" y="{height - 16}" width="10" height="10" fill="{colour}"/>'
                f'<text x="{x + 14}" y="{height - 7}" fill="#1f1d24">{escape(name)}</text>'
            )
            x += 24 + 7 * len(name)
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="#8e8898"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text is escaped above
