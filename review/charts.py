"""Small server-rendered SVG charts: no script, no CDN, readable without colour.

Every label goes through markupsafe's escape; the SVG is returned as Markup
for the templates. Colours come from classes styled in static/review.css.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 34


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (
        1,
        2,
        5,
        10,
        20,
        25,
        50,
        100,
        200,
        250,
        500,
        1000,
        2000,
        5000,
        10000,
        20000,
        50000,
        100000,
        200000,
        500000,
        1000000,
    ):
        if value <= step * 4:
            return float(step * 4)
    return float(value)


def lines(
    labels: Sequence[str],
    series: list[tuple[str, str, Sequence[float]]],
    title: str,
    percent: bool = False,
) -> Markup:
    """A line chart: one x label per point, each series (name, css class, values)."""
    highest = max([max(v) if v else 0 for _, _, v in series] + [0])
    if percent:
        top = next(step for step in (0.1, 0.2, 0.4, 0.6, 0.8, 1.0, float("inf")) if highest <= step)
        top = 1.0 if top == float("inf") else top
    else:
        top = _nice_max(highest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(labels), 1)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * (v / top)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for k in range(5):
        value = top * k / 4
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
        )
        text = f"{value * 100:.0f}%" if percent else f"{value:g}"
        parts.append(
            f'<text class="axis" x="{LEFT - 4}" y="{y(value) + 4:.1f}" text-anchor="end">{text}</text>'
        )
    step = max(1, count // 8)
    for i, label in enumerate(labels):
        if (i % step == 0 and count - 1 - i >= step) or i == count - 1:
            anchor = (
                "end"
                if i == count - 1 and count > 1
                else ("start" if i == 0 and count > 1 else "middle")
            )
            parts.append(
                f'<text class="axis" x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="{anchor}">'
                f"{escape(label[5:] if len(label) == 10 else label)}</text>"
            )
    for name, css, values in series:
        if not values:
            continue
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline class="line {escape(css)}" points="{points}"><title>{escape(name)}</title></polyline>'
        )
        for i, v in enumerate(values):
            shown = f"{v * 100:.1f}%" if percent else f"{v:g}"
            parts.append(
                f'<circle class="dot {escape(css)}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5">'
                f"<title>{escape(labels[i])}: {escape(name)} {shown}</title></circle>"
            )
    legend_x = LEFT
    for name, css, _ in series:
        parts.append(
            f'<rect class="swatch {escape(css)}" x="{legend_x}" y="{HEIGHT - 12}" width="10" height="10"/>'
        )
        parts.append(
            f'<text class="legend" x="{legend_x + 14}" y="{HEIGHT - 3}">{escape(name)}</text>'
        )
        legend_x += 14 + 8 * len(name) + 20
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(items: Sequence[tuple[str, float]], title: str, css: str = "bar") -> Markup:
    """Horizontal bars, one per (label, value)."""
    row_h, label_w = 22, 190
    height = max(row_h * len(items) + 8, 30)
    top = max([v for _, v in items] + [1])
    plot_w = WIDTH - label_w - 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = 4 + i * row_h
        width = plot_w * value / top
        shown = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text class="label" x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(shown)}</text>'
        )
        parts.append(
            f'<rect class="{escape(css)}" x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 8}">'
            f"<title>{escape(label)}: {value:g}</title></rect>"
        )
        parts.append(
            f'<text class="value" x="{label_w + width + 6:.1f}" y="{y + 15}">{value:g}</text>'
        )
    if not items:
        parts.append(f'<text class="axis" x="{WIDTH / 2}" y="20" text-anchor="middle">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
