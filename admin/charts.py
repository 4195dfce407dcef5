"""Accessible SVG charts rendered on the server, with no JavaScript.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says what it shows;
the page puts the chart's data table right after it (`data_table`), so that screen readers
and people who prefer numbers get the same figures. Colours meet WCAG AA contrast against
white. The web pages' dashboard uses these helpers too.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from marketplace.kernel import figures
from marketplace.kernel.disclosure import PROTECTED_TEXT, SUPPRESSED_TEXT

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
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
    # The smallest round number (1, 2, 2,5 or 5 times a power of ten) that holds the top:
    # by power first (the steps the other way round gave 100 for a top of 15, and bars of
    # 4-15 lay flat at the bottom of a 0-100 axis).
    for power in range(-2, 7):
        for step in (1, 2, 2.5, 5):
            candidate = step * 10**power
            if candidate >= top:
                return float(candidate)
    return float(top)


# Label layout. Text is 12 px; an average character is taken as 7 px wide, a little more than
# most are, so a label that fits by this estimate fits on the page.
FONT = 12
# Said across a chart whose every bar is hidden under the small-cell rule.
ALL_HIDDEN = "Alla värden är dolda enligt regeln om små tal"
CHAR_W = 7.0
LABEL_MAX_CHARS = 24  # a longer label is cut with "…"; its <title> and the table give it whole
ANGLE = 45  # degrees a label is turned when the labels do not fit side by side
_COS = math.cos(math.radians(ANGLE))
_SIN = math.sin(math.radians(ANGLE))


@dataclass(frozen=True)
class AxisLabels:
    """Where the category labels go: side by side, or turned when they would overlap."""

    texts: list[str]
    turned: bool
    every: int
    left: float
    bottom: float


def text_width(text: str) -> float:
    return len(text) * CHAR_W


def shorten(label: str) -> str:
    """The label as the axis shows it: whole, or cut to LABEL_MAX_CHARS with "…"."""
    label = " ".join(label.split())
    if len(label) <= LABEL_MAX_CHARS:
        return label
    return label[: LABEL_MAX_CHARS - 1].rstrip() + "…"


def axis_labels(labels: Sequence[str], width: int = WIDTH) -> AxisLabels:
    """Lay out the category labels so that none overlaps another or runs off the chart.

    Labels that fit side by side stay level; otherwise every label is turned ANGLE degrees,
    and the bottom (and if need be the left) margin grows to hold the longest. When even
    turned labels would crowd, only every n-th is written; each bar's tooltip names it."""
    texts = [shorten(label) for label in labels]
    n = max(len(texts), 1)
    slot = (width - LEFT - RIGHT) / n
    widest = max((text_width(t) for t in texts), default=0.0)
    if widest <= slot - 4:
        return AxisLabels(texts, turned=False, every=1, left=LEFT, bottom=BOTTOM)
    left = float(LEFT)
    for _ in range(2):  # the left margin moves the bars, so settle it in two rounds
        slot = (width - left - RIGHT) / n
        reach = max(
            (text_width(t) * _COS - (left + i * slot + slot / 2) + 4 for i, t in enumerate(texts)),
            default=0.0,
        )
        left = max(left, left + reach)
    every = max(1, math.ceil((FONT * 1.5) / slot))
    bottom = max(BOTTOM, 12 + widest * _SIN + FONT)
    return AxisLabels(texts, turned=True, every=every, left=left, bottom=bottom)


def _reference_label_ys(ys: Sequence[float], top: float) -> list[float]:
    """Baselines for the reference lines' labels, at least one line of text apart and never
    above the chart's top, so that two lines close together keep readable labels."""
    order = sorted(range(len(ys)), key=lambda j: -ys[j])  # lowest line first
    placed: dict[int, float] = {}
    previous: float | None = None
    for j in order:
        y = ys[j] - 4
        if previous is not None and y > previous - (FONT + 2):
            y = previous - (FONT + 2)
        y = max(y, top + FONT)
        placed[j] = y
        previous = y
    return [placed[j] for j in range(len(ys))]


NOTHING_TEXT = "Inget att visa för perioden"


def bar_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    references: Sequence[Reference] = (),
    *,
    unit: str = "",
    width: int = WIDTH,
    css_class: str = "chart",
    protected: Collection[int] = (),
    marks: Sequence[float | None] = (),
    mark_label: str = "Mål",
    empty: Collection[int] = (),
    unit_one: str | None = None,
) -> Markup:
    """A vertical bar chart, one bar per label, with optional reference lines, and with
    optional `marks`: one value per bar (None: none) drawn as a short line across the bar,
    such as each unit's own target, named `mark_label` in its tooltip and the legend.

    Labels are laid out by `axis_labels` (turned and shortened when they would overlap, the
    whole label in a tooltip). A value of None is a figure hidden under the small-cell rule:
    it gets no bar, only the mark "<5" and the text "färre än 5", so the chart gives away no
    more than the table; at the positions in `protected` (a figure of 5 or more hidden so that
    a small one cannot be worked out) the mark and the text read "dold". At the positions in
    `empty` there is nothing to count (a month without applications): no bar and no zero, a
    dash, as the table has. `unit_one` is the unit after the value 1 ("1 dag", not "1 dagar")."""
    uid = next(_ids)
    axis = axis_labels(labels, width)
    left = axis.left
    plot_h = HEIGHT - TOP - BOTTOM
    height = round(TOP + plot_h + axis.bottom)
    plot_w = width - left - RIGHT
    drawn = [v for v in [*values, *marks] if v is not None]
    top = _scale_max(drawn, references)
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.7)
    base = TOP + plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="chart{uid}-title chart{uid}-desc" class="{css_class}">',
        f'<title id="chart{uid}-title">{escape(title)}</title>',
        f'<desc id="chart{uid}-desc">{escape(description)}</desc>',
        f'<line x1="{left:.1f}" y1="{base}" x2="{width - RIGHT}" y2="{base}" '
        f'stroke="{AXIS}" stroke-width="1"/>',
    ]
    # With every figure hidden there is no scale to read: an axis of 0–1 read as figures;
    # the chart says why it has no bars instead.
    if not drawn and not references and len(empty) < len(values):
        parts.append(
            f'<text x="{(left + width - RIGHT) / 2:.1f}" y="{TOP + plot_h / 2:.1f}" '
            f'text-anchor="middle" font-size="{FONT}" fill="{AXIS}">{ALL_HIDDEN}</text>'
        )
    for tick in (0.0, top / 2, top) if drawn or references else ():
        y = base - plot_h * tick / top
        parts.append(
            f'<text x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end" font-size="{FONT}" '
            f'fill="{AXIS}">{escape(_fmt(tick))}</text>'
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        x = left + i * slot + (slot - bar_w) / 2
        middle = x + bar_w / 2
        if i in empty:
            parts.append(
                f'<text x="{middle:.1f}" y="{base - 4}" text-anchor="middle" font-size="{FONT}" '
                f'fill="{AXIS}"><title>{escape(label)}: inga uppgifter</title>–</text>'
            )
        elif value is None:
            said = SUPPRESSED_TEXT if i not in protected else PROTECTED_TEXT
            mark = "&lt;5" if i not in protected else PROTECTED_TEXT
            # A mark wider than its bar's room stands on end: side by side on a phone, a
            # row of "dold" ran together ("dolddolddold").
            upright = (2 if i not in protected else len(PROTECTED_TEXT)) * CHAR_W > slot
            place = (
                f'x="{middle + FONT / 3:.1f}" y="{base - 4}" text-anchor="start" '
                f'transform="rotate(-90 {middle + FONT / 3:.1f} {base - 4})"'
                if upright
                else f'x="{middle:.1f}" y="{base - 4}" text-anchor="middle"'
            )
            parts.append(
                f'<text {place} font-size="{FONT}" fill="{AXIS}">'
                f"<title>{escape(label)}: {said}</title>{mark}</text>"
            )
        else:
            h = plot_h * value / top
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{BAR}"><title>{escape(label)}: '
                f"{escape(_fmt(value))}{escape(_unit(value, unit, unit_one))}</title></rect>"
            )
        target = marks[i] if i < len(marks) else None
        if target is not None:
            y = base - plot_h * target / top
            # A little wider than its bar, never into the next one's mark (at 375 px the
            # gaps are a few pixels and the marks of neighbours ran together).
            over = min(3.0, (slot - bar_w) / 4)
            parts.append(
                f'<line x1="{x - over:.1f}" y1="{y:.1f}" x2="{x + bar_w + over:.1f}" y2="{y:.1f}" '
                f'stroke="{REFERENCE}" stroke-width="3"><title>{escape(label)}: '
                f"{escape(mark_label.lower())} {escape(_fmt(target))}"
                f"{escape(_unit(target, unit, unit_one))}</title></line>"
            )
        if i % axis.every:
            continue
        shown = axis.texts[i] if i < len(axis.texts) else label
        whole = f"<title>{escape(label)}</title>" if shown != label else ""
        if axis.turned:
            y = base + 14
            parts.append(
                f'<text x="{middle:.1f}" y="{y}" text-anchor="end" font-size="{FONT}" '
                f'fill="{AXIS}" transform="rotate(-{ANGLE} {middle:.1f} {y})">'
                f"{whole}{escape(shown)}</text>"
            )
        else:
            parts.append(
                f'<text x="{middle:.1f}" y="{base + 16}" text-anchor="middle" '
                f'font-size="{FONT}" fill="{AXIS}">{whole}{escape(shown)}</text>'
            )
    if any(m is not None for m in marks):
        # The legend in the top right corner, away from the axis's numbers (beside the top
        # tick it read "20 — Mål"): the bars' meaning and the marks'.
        what = escape(unit.strip().capitalize() or "Värde")
        right = width - RIGHT
        mark_x = right - CHAR_W * len(mark_label) - 22
        bar_x = mark_x - CHAR_W * len(unit.strip()) - 34
        parts.append(
            f'<rect x="{bar_x:.1f}" y="{TOP - 4}" width="12" height="10" fill="{BAR}"/>'
            f'<text x="{bar_x + 16:.1f}" y="{TOP + 5}" font-size="{FONT}" fill="{AXIS}" '
            f'paint-order="stroke" stroke="#ffffff" stroke-width="3">{what}</text>'
            f'<line x1="{mark_x:.1f}" y1="{TOP + 1}" x2="{mark_x + 16:.1f}" y2="{TOP + 1}" '
            f'stroke="{REFERENCE}" stroke-width="3"/>'
            f'<text x="{mark_x + 20:.1f}" y="{TOP + 5}" font-size="{FONT}" fill="{REFERENCE}" '
            f'paint-order="stroke" stroke="#ffffff" stroke-width="3">{escape(mark_label)}</text>'
        )
    line_ys = [base - plot_h * ref.value / top for ref in references]
    for j, (ref, y, label_y) in enumerate(
        zip(references, line_ys, _reference_label_ys(line_ys, TOP), strict=True)
    ):
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}" '
            f'stroke="{REFERENCE}" stroke-width="2" stroke-dasharray="{6 + 4 * j} 4"/>'
        )
        parts.append(
            f'<text x="{width - RIGHT}" y="{label_y:.1f}" text-anchor="end" '
            f'font-size="{FONT}" fill="{REFERENCE}" paint-order="stroke" stroke="#ffffff" '
            f'stroke-width="3">{escape(ref.label)}</text>'
        )
    if all(i in empty or v == 0 for i, v in enumerate(values)):
        # Nothing counted in the period (an analyst saw bare axes and wondered what broke).
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" '
            f'font-size="{FONT + 2}" fill="{AXIS}">{escape(NOTHING_TEXT)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


NARROW_WIDTH = 360  # drawn for phones: shown at about its own size there, so text stays 12 px


def _unit(value: float, unit: str, unit_one: str | None) -> str:
    return unit_one if unit_one is not None and value == 1 else unit


def bar_charts(
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    references: Sequence[Reference] = (),
    *,
    unit: str = "",
    protected: Collection[int] = (),
    marks: Sequence[float | None] = (),
    empty: Collection[int] = (),
    unit_one: str | None = None,
) -> Markup:
    """The chart as pages show it: drawn twice, wide for screens and narrow for phones, and
    the stylesheet shows the one that fits. A 640-wide drawing squeezed onto a 375 px phone
    shrank its labels to 6 px; the narrow one lays its labels out for its own width (turned
    or thinned out as `axis_labels` decides), so they stay readable."""
    draw = functools.partial(
        bar_chart,
        title,
        description,
        labels,
        values,
        references,
        unit=unit,
        protected=protected,
        marks=marks,
        empty=empty,
        unit_one=unit_one,
    )
    wide = draw(css_class="chart chart-wide")
    narrow = draw(width=NARROW_WIDTH, css_class="chart chart-narrow")
    return Markup(wide + narrow)  # noqa: S704 - both are built from escaped text


def share_bars(
    title: str,
    description: str,
    share: float | None,
    target: float | None,
    *,
    missing: str = "–",
) -> Markup:
    """The share bar as pages show it, wide for screens and narrow for phones (as `bar_charts`)."""
    draw = functools.partial(share_bar, title, description, share, target, missing=missing)
    wide = draw(css_class="chart chart-wide")
    narrow = draw(width=NARROW_WIDTH, css_class="chart chart-narrow")
    return Markup(wide + narrow)  # noqa: S704 - both are built from escaped text


def share_bar(
    title: str,
    description: str,
    share: float | None,
    target: float | None,
    *,
    width: int = WIDTH,
    css_class: str = "chart",
    missing: str = "–",
) -> Markup:
    """One horizontal bar 0–100 % with an optional target marker (e.g. 85/15). Without a
    share (hidden under the small-cell rule, or nothing to count) the bar says `missing`
    ("dold", "färre än 5", "–") where it would be: an empty bar read as 0 %."""
    uid = next(_ids)
    height, pad = 64, 8
    inner = width - 2 * pad
    filled = inner * (share or 0.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart{uid}-title chart{uid}-desc" class="{css_class}">',
        f'<title id="chart{uid}-title">{escape(title)}</title>',
        f'<desc id="chart{uid}-desc">{escape(description)}</desc>',
        f'<rect x="{pad}" y="16" width="{inner}" height="24" fill="#e1e8ef" stroke="{AXIS}"/>',
        f'<rect x="{pad}" y="16" width="{filled:.1f}" height="24" fill="{BAR}"/>',
    ]
    if share is None:
        parts.append(
            f'<text x="{pad + 8}" y="33" font-size="{FONT}" fill="{AXIS}">{escape(missing)}</text>'
        )
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


def protected_bars(paths: Sequence[str], protected: Collection[str]) -> list[int]:
    """The bars (by position, one cell path each) whose figure is hidden only to protect a
    small one: a report's `protected` paths as `bar_chart` takes them."""
    return [i for i, path in enumerate(paths) if path in protected]


def percent(share: float | None) -> str:
    """0.6667 -> "66,7 %"; None -> "–" (nothing to count). The share rule of
    `marketplace.kernel.figures`, so that a chart and its table say the same."""
    return figures.text(share, "share")
