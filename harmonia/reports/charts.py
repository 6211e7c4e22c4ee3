"""One chart function for pages and PDFs: a server-rendered inline SVG.

``chart(series, labels, ...)`` draws bars (one series) or lines (one or more
series) with axes, gridlines and value labels. The same SVG is embedded in the
HTML page and in the WeasyPrint PDF; the numbers are always also given as a table
next to it.

Honest by construction:

* the axis steps are 1, 2 or 5 × 10ⁿ (2.5 too for measures), and whole numbers
  for counts (``integer=True``): never "6.2 children";
* a hidden value is marked ``[c]`` and a missing one ``—``, as in every table
  (``harmonia.reports.cells``);
* a flat (or nearly flat) line carries its values: a level cannot be read off it;
* a "trend" of one point is not a line: ``trend=True`` with fewer than two values
  shows the value itself.
"""

from __future__ import annotations

import math
from html import escape

from django.utils.safestring import SafeString, mark_safe

from harmonia.reports.cells import HIDDEN_MARK, NO_DATA

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


def _nice_step(value: float, *, integer: bool, ticks: int = 4) -> float:
    """A step for about ``ticks`` gridlines up to ``value``: 1, 2, (2.5,) 5 × 10ⁿ;
    at least 1 for counts."""
    if value <= 0:
        return 1.0
    raw = value / ticks
    exponent = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * exponent for m in steps if raw <= m * exponent + 1e-12)
    return max(step, 1.0) if integer else step


def axis(values: list[float], *, integer: bool = False) -> list[float]:
    """The gridline values from 0 to the top of the axis (the top ≥ every value)."""
    top = max(values, default=0)
    step = _nice_step(top, integer=integer)
    n = max(1, math.ceil(top / step - 1e-9))
    return [step * i for i in range(n + 1)]


def _fmt(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value == int(value):
        return str(int(value))
    if abs(value * 10 - round(value * 10)) < 1e-9:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _wrap(label: str, width: int, most: int = 2) -> list[str]:
    """An axis label in at most ``most`` lines of about ``width`` characters (the last
    line shortened with "…" when the label is longer still)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = lines[: most - 1] + [" ".join(lines[most - 1 :])]
    if lines and len(lines[-1]) > width:
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines or [""]


def single_value(label: str, value, *, title: str, unit: str = "") -> SafeString:
    """A one-point "trend" shown as what it is: one value, with its period."""
    shown = HIDDEN_MARK if value is None else NO_DATA if _number(value) is _GAP else _fmt(value)
    return mark_safe(  # noqa: S308 — every text is escaped
        f'<p class="chart-single" role="img" aria-label="{escape(title)}: {escape(label)} '
        f'{escape(shown)}{escape(unit) if shown not in (HIDDEN_MARK, NO_DATA) else ""}">'
        f'<strong class="chart-single__value">{escape(shown)}'
        f"{escape(unit) if shown not in (HIDDEN_MARK, NO_DATA) else ''}</strong>"
        f'<span class="chart-single__label">{escape(label)}</span></p>'
    )


def chart(
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    title: str,
    kind: str = "bar",
    unit: str = "",
    integer: bool = False,
    trend: bool = False,
    width: int = 560,
    height: int = 260,
) -> SafeString:
    """An accessible SVG chart. ``series`` is [(name, values)]; a value of None is
    hidden ([c]), a string (such as "—") is missing. ``integer``: the values are
    counts (whole-number axis). ``trend``: a series over time, shown as a single
    value when it has fewer than two points."""
    if trend and len(series) == 1:
        points = [(lbl, v) for lbl, v in zip(labels, series[0][1], strict=False)]
        numeric = [(lbl, v) for lbl, v in points if isinstance(_number(v), float)]
        if len(numeric) < 2:
            label, value = numeric[0] if numeric else (points[-1] if points else ("", NO_DATA))
            return single_value(label, value, title=title, unit=unit)
    left, right, top, bottom = 52, 12, 20, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    series = [(name, [_number(v) for v in vs]) for name, vs in series]
    values = [v for _name, vs in series for v in vs if isinstance(v, float)]
    ticks = axis(values, integer=integer)
    top_value = ticks[-1]
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
    for v in ticks:
        yy = y(v)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
            f'stroke="#dcd7e0" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#575462">'
            f"{_fmt(v)}{escape(unit)}</text>"
        )
    step = max(1, math.ceil(n / 8))  # at most eight axis labels
    per_line = max(6, int(slot * step / 6.6))  # characters that fit under a slot
    for i, label in enumerate(labels):
        if i % step:
            continue
        x = left + slot * (i + 0.5)
        lines = _wrap(label, per_line)
        spans = "".join(
            f'<tspan x="{x:.1f}" dy="{0 if k == 0 else 13}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'fill="#575462">{spans}</text>'
        )
    if kind == "bar" and len(series) == 1:
        _name, vs = series[0]
        bar_w = slot * 0.62
        for i, v in enumerate(vs):
            x = left + slot * i + (slot - bar_w) / 2
            if v is _GAP or v is None:
                mark = NO_DATA if v is _GAP else HIDDEN_MARK
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - 4}" text-anchor="middle" '
                    f'fill="#575462">{mark}</text>'
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
            numbers = [v for v in vs if isinstance(v, float)]
            # Flat, or nearly (within a tenth of the axis): the level cannot be read
            # off the line, so the points carry their values.
            flat = len(numbers) > 1 and max(numbers) - min(numbers) <= top_value / 10
            for i, v in enumerate(vs):
                x = left + slot * (i + 0.5)
                if v is None or v is _GAP:
                    pen_down = False
                    if len(series) == 1:
                        mark = NO_DATA if v is _GAP else HIDDEN_MARK
                        parts.append(
                            f'<text x="{x:.1f}" y="{top + plot_h - 4}" text-anchor="middle" '
                            f'fill="#575462">{mark}</text>'
                        )
                    continue
                path.append(f"{'L' if pen_down else 'M'}{x:.1f},{y(v):.1f}")
                pen_down = True
                parts.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}"/>')
                if flat and (n <= 12 or i in (0, len(vs) - 1)):
                    parts.append(
                        f'<text class="chart-value" x="{x:.1f}" y="{y(v) - 8:.1f}" '
                        f'text-anchor="middle" fill="#1f1d24">{_fmt(v)}{escape(unit)}</text>'
                    )
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
