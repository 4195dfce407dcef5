"""Accessible SVG charts rendered on the server, with no JavaScript.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says what it shows;
the page puts the chart's data table right after it (`data_table`), so that screen readers
and people who prefer numbers get the same figures. Colours meet WCAG AA contrast against
white. The web pages' dashboard uses these helpers too.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 56
BAR = "#005a8c"
REFERENCE = "#a4161a"
AXIS = "#4a5560"
_ids = itertools.count(1)


@dataclass(frozen=True)
class Reference:
    """A horizontal line across the chart, e.g. a baseline or a target."""

    label: str
    value: float


def _fmt(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _scale_max(values: Sequence[float], references: Sequence[Reference]) -> float:
    top = max([*values, *(r.value for r in references), 0.0])
    if top <= 0:
        return 1.0
    for step in (1, 2, 2.5, 5):
        for power in range(-2, 7):
            candidate = step * 10**power
            if candidate >= top:
                return float(candidate)
    return float(top)


HIDDEN = "färre än 5"  # admin.services.disclosure.SUPPRESSED_TEXT


def bar_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    references: Sequence[Reference] = (),
    *,
    unit: str = "",
) -> Markup:
    """A vertical bar chart, one bar per label, with optional reference lines.

    A value of None is a figure hidden under the small-cell rule: it gets no bar, only the
    mark "<5" and the text "färre än 5", so the chart gives away no more than the table."""
    uid = next(_ids)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _scale_max([v for v in values if v is not None], references)
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.7)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="chart{uid}-title chart{uid}-desc" class="chart">',
        f'<title id="chart{uid}-title">{escape(title)}</title>',
        f'<desc id="chart{uid}-desc">{escape(description)}</desc>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        f'stroke="{AXIS}" stroke-width="1"/>',
    ]
    for tick in (0.0, top / 2, top):
        y = TOP + plot_h - plot_h * tick / top
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{AXIS}">{escape(_fmt(tick))}</text>'
        )
    every = max(1, len(labels) // 12)
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        x = LEFT + i * slot + (slot - bar_w) / 2
        if value is None:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h - 4}" text-anchor="middle" '
                f'font-size="12" fill="{AXIS}"><title>{escape(label)}: {HIDDEN}</title>'
                "&lt;5</text>"
            )
        else:
            h = plot_h * value / top
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{BAR}"><title>{escape(label)}: '
                f"{escape(_fmt(value))}{escape(unit)}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                f'font-size="12" fill="{AXIS}">{escape(label)}</text>'
            )
    for j, ref in enumerate(references):
        y = TOP + plot_h - plot_h * ref.value / top
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="{REFERENCE}" stroke-width="2" stroke-dasharray="{6 + 4 * j} 4"/>'
        )
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{y - 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{REFERENCE}">{escape(ref.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def share_bar(title: str, description: str, share: float | None, target: float | None) -> Markup:
    """One horizontal bar 0–100 % with an optional target marker (e.g. 85/15)."""
    uid = next(_ids)
    width, height, pad = 640, 64, 8
    inner = width - 2 * pad
    filled = inner * (share or 0.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart{uid}-title chart{uid}-desc" class="chart">',
        f'<title id="chart{uid}-title">{escape(title)}</title>',
        f'<desc id="chart{uid}-desc">{escape(description)}</desc>',
        f'<rect x="{pad}" y="16" width="{inner}" height="24" fill="#e1e8ef" stroke="{AXIS}"/>',
        f'<rect x="{pad}" y="16" width="{filled:.1f}" height="24" fill="{BAR}"/>',
    ]
    if target is not None:
        x = pad + inner * target
        parts.append(
            f'<line x1="{x:.1f}" y1="8" x2="{x:.1f}" y2="48" stroke="{REFERENCE}" '
            'stroke-width="3"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="60" text-anchor="middle" font-size="12" '
            f'fill="{REFERENCE}">Mål {escape(percent(target))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def percent(share: float | None) -> str:
    """0.6667 -> "66,7 %"; None -> "–" (nothing to count)."""
    if share is None:
        return "–"
    return f"{share * 100:.1f}".replace(".", ",") + " %"


def number(value: float | int | None) -> str:
    if value is None:
        return "–"
    return _fmt(float(value)) if isinstance(value, float) else str(value)
