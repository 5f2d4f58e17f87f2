"""Charts as server-rendered SVG: bars of amounts by month, and a balance over time as steps.

Pure: figures in, SVG text out. No script and no ``style`` attribute (presentation attributes
only), so the strictest page CSP shows them. Every coordinate is an integer computed from
integer fen (a bar's height is ``value * plot_height // top``), so a chart is the same bytes
on every machine and never rounds a figure a person reads: the exact amounts are in each
mark's ``<title>`` and in the table the page shows beside the chart. The ``<title>`` and
``<desc>`` of the ``<svg>`` give a screen reader the chart's point in one sentence.

Sized for a 390 px phone: the viewBox is 340 wide and the text 18 units high, so on a phone
the labels read at about 18 px; wider screens scale the whole chart up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 340
HEIGHT = 230
FONT = 18
TOP = 14  # room above the highest tick label
BOTTOM = 34  # the x labels
RIGHT = 10
TICKS = 4  # at most this many steps on the y axis
CHAR = 11  # an 18-unit label's width per Latin character, roughly (for the margins)
WIDE = 19  # … and per Chinese character
AXIS = "#444444"  # 9.7:1 on white
GRID = "#d6d3cc"

Label = Callable[[int], str]


@dataclass(frozen=True)
class Series:
    """One kind of bar: its name (the legend), colour and one amount (fen) per label."""

    name: str
    color: str
    values: tuple[int, ...]


def nice_step(span: int, ticks: int = TICKS) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ (fen) with which ``ticks`` steps cover ``span``."""
    if span <= 0:
        return 1
    power = 1
    while True:
        for m in (1, 2, 5):
            if m * power * ticks >= span:
                return m * power
        power *= 10


def _svg(ident: str, title: str, desc: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'font-size="{FONT}" font-family="system-ui, sans-serif">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _empty(ident: str, title: str, desc: str, empty: str) -> Markup:
    y = HEIGHT // 2
    text = (
        f'<text x="{WIDTH // 2}" y="{y}" text-anchor="middle" fill="{AXIS}">{escape(empty)}</text>'
    )
    return _svg(ident, title, desc, [text])


def text_width(text: str) -> int:
    """About how wide `text` is at the chart's font size (for the margins only)."""
    return sum(CHAR if ord(c) < 0x2E80 else WIDE for c in text)


def _left(ticks: Sequence[int], label: Label) -> int:
    return 12 + max(text_width(label(t)) for t in ticks)


def _y_axis(ticks: Sequence[int], y: Callable[[int], int], left: int, label: Label) -> list[str]:
    out = []
    for t in ticks:
        at = y(t)
        out.append(
            f'<line x1="{left}" y1="{at}" x2="{WIDTH - RIGHT}" y2="{at}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{at + 6}" text-anchor="end" fill="{AXIS}">'
            f"{escape(label(t))}</text>"
        )
    return out


def _x_labels(labels: Sequence[str], centres: Sequence[int]) -> list[str]:
    """Every label if they fit, else every second, third… (the table has them all)."""
    room = (WIDTH - RIGHT) // max(1, len(labels))
    widest = max(text_width(s) for s in labels) + 6
    every = -(-widest // max(1, room))
    return [
        f'<text x="{x}" y="{HEIGHT - 8}" text-anchor="middle" fill="{AXIS}">{escape(s)}</text>'
        for i, (s, x) in enumerate(zip(labels, centres, strict=True))
        if i % every == 0
    ]


def bar_chart(
    ident: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    empty: str,
    axis_label: Label,
    mark_label: Label,
) -> Markup:
    """Grouped bars from zero: one group per label, one bar per series (amounts ≥ 0 fen).
    `axis_label` writes a tick, `mark_label` the exact amount in a bar's ``<title>``."""
    if any(len(s.values) != len(labels) for s in series):
        raise ValueError("each series needs one value per label")
    if any(v < 0 for s in series for v in s.values):
        raise ValueError("bars start at zero: amounts must not be negative")
    highest = max((v for s in series for v in s.values), default=0)
    if not labels or not series or highest == 0:
        return _empty(ident, title, desc, empty)
    step = nice_step(highest)
    top = -(-highest // step) * step
    ticks = list(range(0, top + 1, step))
    left = _left(ticks, axis_label)
    plot = HEIGHT - TOP - BOTTOM
    base = TOP + plot

    def y(v: int) -> int:
        return base - v * plot // top

    body = _y_axis(ticks, y, left, axis_label)
    group = (WIDTH - RIGHT - left) // len(labels)
    bar = max(4, min(32, (group - 8) // len(series)))
    centres = []
    for i, label in enumerate(labels):
        centre = left + i * group + group // 2
        centres.append(centre)
        x = centre - bar * len(series) // 2
        for s in series:
            v = s.values[i]
            h = v * plot // top
            body.append(
                f'<rect x="{x}" y="{base - h}" width="{bar}" height="{h}" fill="{s.color}">'
                f"<title>{escape(label)} {escape(s.name)} {escape(mark_label(v))}</title></rect>"
            )
            x += bar
    body.append(f'<line x1="{left}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="{AXIS}"/>')
    body += _x_labels(labels, centres)
    return _svg(ident, title, desc, body)


def step_chart(
    ident: str,
    labels: Sequence[str],
    values: Sequence[int],
    *,
    color: str,
    title: str,
    desc: str,
    empty: str,
    axis_label: Label,
    mark_label: Label,
) -> Markup:
    """A balance over time: it holds at each value until the next (steps), a dot at each.
    The axis spans the values' own range (not from zero) so a change of a few thousand in a
    fund of millions is visible; the tick labels say where the axis starts."""
    if len(values) != len(labels):
        raise ValueError("one value per label")
    if not values:
        return _empty(ident, title, desc, empty)
    lo_v, hi_v = min(values), max(values)
    step = nice_step(hi_v - lo_v if hi_v > lo_v else max(1, abs(hi_v)))
    lo = lo_v // step * step
    hi = -(-hi_v // step) * step
    if hi == lo:
        hi = lo + step
    ticks = list(range(lo, hi + 1, step))
    left = _left(ticks, axis_label)
    plot = HEIGHT - TOP - BOTTOM
    base = TOP + plot

    def y(v: int) -> int:
        return base - (v - lo) * plot // (hi - lo)

    body = _y_axis(ticks, y, left, axis_label)
    inner = WIDTH - RIGHT - left - 24
    n = len(values)
    xs = [left + 12 + (i * inner // (n - 1) if n > 1 else inner // 2) for i in range(n)]
    path = [f"M{xs[0]} {y(values[0])}"]
    for x, v in zip(xs[1:], values[1:], strict=True):
        path.append(f"H{x}V{y(v)}")
    body.append(f'<path d="{"".join(path)}" fill="none" stroke="{color}" stroke-width="4"/>')
    for label, x, v in zip(labels, xs, values, strict=True):
        body.append(
            f'<circle cx="{x}" cy="{y(v)}" r="6" fill="{color}">'
            f"<title>{escape(label)} {escape(mark_label(v))}</title></circle>"
        )
    body += _x_labels(labels, xs)
    return _svg(ident, title, desc, body)
