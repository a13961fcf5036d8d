"""Server-rendered SVG charts: horizontal grouped bars, drawn only from published (protected) figures.

No script and no style attribute: colours are presentation attributes, so the same SVG works inline under
the page's CSP and as a downloaded file. A suppressed figure is drawn as an empty, dashed outline with the
word "suppressed"; a differentially private figure carries an error bar of its stated accuracy.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

from threadline.insights.dashboards import ChartData

PALETTE = ["#0b5cad", "#b35900", "#2b7a3d", "#7a3db3", "#a40e26"]
WIDTH = 720
LABEL_W = 190
VALUE_W = 120
BAR_H = 16
GAP = 10


def render_svg(data: ChartData, *, standalone: bool = False) -> str:
    series = data.chart_columns or [0]
    rows = data.rows
    if not rows:
        return ""
    percent = any(points[c].percent for _label, points in rows for c in series)
    peak = 0.0
    for _label, points in rows:
        for c in series:
            p = points[c]
            if p.value is not None:
                peak = max(peak, p.value + (p.accuracy or 0))
    if percent:
        peak = max(peak, 1.0)
    peak = peak or 1.0
    plot_w = WIDTH - LABEL_W - VALUE_W
    legend: list[tuple[float, float, str, str]] = []  # x, y, colour, label
    if len(series) > 1:
        x, ly = float(LABEL_W), 4.0
        for i, c in enumerate(series):
            label = data.columns[c]
            width = 24 + 7.5 * len(label)
            if x + width > WIDTH and x > LABEL_W:
                x, ly = float(LABEL_W), ly + 18
            legend.append((x, ly, PALETTE[i % len(PALETTE)], label))
            x += width
    legend_h = (legend[-1][1] + 20) if legend else 0
    group_h = BAR_H * len(series) + GAP
    height = int(legend_h + group_h * len(rows) + 8)
    title = escape(data.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="chart-{data.slug}-title" class="insights-chart" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="chart-{data.slug}-title">{title}</title>',
    ]
    if standalone:
        parts.append(f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>')
    for x, ly, colour, label in legend:
        parts.append(f'<rect x="{x:.0f}" y="{ly:.0f}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16:.0f}" y="{ly + 10:.0f}" fill="#1b1f24">{escape(label)}</text>')
    y = legend_h
    for label, points in rows:
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + (BAR_H * len(series)) / 2 + 4:.0f}" text-anchor="end" '
            f'fill="#1b1f24">{escape(label)}</text>'
        )
        for i, c in enumerate(series):
            p = points[c]
            colour = PALETTE[i % len(PALETTE)]
            by = y + i * BAR_H
            if p.value is None:
                parts.append(
                    f'<rect x="{LABEL_W}" y="{by + 2}" width="{plot_w / 4:.0f}" height="{BAR_H - 4}" fill="none" '
                    f'stroke="#57606a" stroke-dasharray="3 3"/>'
                )
                parts.append(
                    f'<text x="{LABEL_W + 6}" y="{by + BAR_H - 4}" fill="#57606a">{escape(_("suppressed"))}</text>'
                )
                continue
            w = max(0.0, plot_w * p.value / peak)
            parts.append(f'<rect x="{LABEL_W}" y="{by + 2}" width="{w:.1f}" height="{BAR_H - 4}" fill="{colour}"/>')
            end = LABEL_W + w
            if p.accuracy:
                lo = LABEL_W + max(0.0, plot_w * (p.value - p.accuracy) / peak)
                hi = LABEL_W + plot_w * (p.value + p.accuracy) / peak
                mid = by + BAR_H / 2
                parts.append(f'<line x1="{lo:.1f}" y1="{mid}" x2="{hi:.1f}" y2="{mid}" stroke="#1b1f24"/>')
                parts.append(f'<line x1="{hi:.1f}" y1="{mid - 4}" x2="{hi:.1f}" y2="{mid + 4}" stroke="#1b1f24"/>')
                end = max(end, hi)
            parts.append(f'<text x="{end + 6:.1f}" y="{by + BAR_H - 4}" fill="#1b1f24">{escape(p.text)}</text>')
        y += group_h
    parts.append("</svg>")
    return "".join(parts)


def render_public_svg(title: str, slug: str, rows: list[tuple[str, int | None]]) -> str:
    """A one-series bar chart of a released table's first field (for the public page)."""
    from threadline.insights.dashboards import Point

    data = ChartData(slug, title, "", [title], [(label, [Point(None if v is None else float(v))]) for label, v in rows])
    data.chart_columns = [0]
    return render_svg(data)
