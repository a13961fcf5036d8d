"""Server-rendered SVG (and PNG) charts: horizontal grouped bars, drawn only from published (protected) figures.

No script and no style attribute: colours are presentation attributes, so the same SVG works inline under
the page's CSP and as a downloaded file. A suppressed figure is drawn as an empty, dashed outline with the
word "suppressed"; a differentially private figure carries an error bar of its stated accuracy.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.html import escape
from django.utils.translation import gettext as _

from threadline.insights.dashboards import ChartData

PALETTE = ["#0b5cad", "#b35900", "#2b7a3d", "#7a3db3", "#a40e26"]
INK = "#1b1f24"
MUTED = "#57606a"
WIDTH = 720
LABEL_W = 190
VALUE_W = 120
BAR_H = 16
GAP = 10
PNG_TITLE_H = 30
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


Shape = tuple  # ("rect", x, y, w, h, fill) | ("dashed", x, y, w, h, stroke) | ("line", x1, y1, x2, y2, stroke)
#                ("text", x, y, text, fill, anchor) with y the baseline and anchor "start" or "end"


def _layout(data: ChartData) -> tuple[int, list[Shape]]:
    """The chart as shapes in a WIDTH-wide coordinate space: one drawing for the SVG and the PNG."""
    series = data.chart_columns or [0]
    rows = data.rows
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
    shapes: list[Shape] = []
    legend_h = 0.0
    if len(series) > 1:
        x, ly = float(LABEL_W), 4.0
        for i, c in enumerate(series):
            label = data.columns[c]
            width = 24 + 7.5 * len(label)
            if x + width > WIDTH and x > LABEL_W:
                x, ly = float(LABEL_W), ly + 18
            shapes.append(("rect", x, ly, 12, 12, PALETTE[i % len(PALETTE)]))
            shapes.append(("text", x + 16, ly + 10, label, INK, "start"))
            x += width
        legend_h = ly + 20
    group_h = BAR_H * len(series) + GAP
    height = int(legend_h + group_h * len(rows) + 8)
    y = legend_h
    for label, points in rows:
        shapes.append(("text", LABEL_W - 8, y + (BAR_H * len(series)) / 2 + 4, label, INK, "end"))
        for i, c in enumerate(series):
            p = points[c]
            by = y + i * BAR_H
            if p.value is None:
                shapes.append(("dashed", LABEL_W, by + 2, plot_w / 4, BAR_H - 4, MUTED))
                shapes.append(("text", LABEL_W + 6, by + BAR_H - 4, _("suppressed"), MUTED, "start"))
                continue
            w = max(0.0, plot_w * p.value / peak)
            shapes.append(("rect", LABEL_W, by + 2, w, BAR_H - 4, PALETTE[i % len(PALETTE)]))
            end = LABEL_W + w
            if p.accuracy:
                lo = LABEL_W + max(0.0, plot_w * (p.value - p.accuracy) / peak)
                hi = LABEL_W + plot_w * (p.value + p.accuracy) / peak
                mid = by + BAR_H / 2
                shapes.append(("line", lo, mid, hi, mid, INK))
                shapes.append(("line", hi, mid - 4, hi, mid + 4, INK))
                end = max(end, hi)
            shapes.append(("text", end + 6, by + BAR_H - 4, p.text, INK, "start"))
        y += group_h
    return height, shapes


def render_svg(data: ChartData, *, standalone: bool = False) -> str:
    if not data.rows:
        return ""
    height, shapes = _layout(data)
    title = escape(data.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="chart-{data.slug}-title" class="insights-chart" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="chart-{data.slug}-title">{title}</title>',
    ]
    if standalone:
        parts.append(f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>')
    for shape in shapes:
        kind = shape[0]
        if kind == "rect":
            _k, x, y, w, h, fill = shape
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"/>')
        elif kind == "dashed":
            _k, x, y, w, h, stroke = shape
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="none" stroke="{stroke}" '
                f'stroke-dasharray="3 3"/>'
            )
        elif kind == "line":
            _k, x1, y1, x2, y2, stroke = shape
            parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}"/>')
        else:
            _k, x, y, text, fill, anchor = shape
            extra = ' text-anchor="end"' if anchor == "end" else ""
            parts.append(f'<text x="{x:.1f}" y="{y:.1f}"{extra} fill="{fill}">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_png(data: ChartData, *, scale: int = 2) -> bytes:
    """The same chart as a PNG (for documents and slides), drawn with Pillow at ``scale`` times the SVG size.

    Text is set in DejaVu Sans (Debian's fonts-dejavu-core, as the PDF report) through Pillow's complex
    layout engine when present, so Arabic labels are shaped and run right to left as in the SVG."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    height, shapes = _layout(data) if data.rows else (0, [])
    top = PNG_TITLE_H  # the title is drawn above the chart: a PNG travels without the page around it
    image = Image.new("RGB", (WIDTH * scale, (height + top) * scale), "#ffffff")
    draw = ImageDraw.Draw(image)
    size = 12 * scale
    font = ImageFont.truetype(str(DEJAVU), size) if DEJAVU.exists() else ImageFont.load_default(size=size)
    bold = DEJAVU.with_name("DejaVuSans-Bold.ttf")
    title_font = ImageFont.truetype(str(bold), 14 * scale) if bold.exists() else font
    draw.text((8 * scale, 20 * scale), str(data.title), fill=INK, font=title_font, anchor="ls")

    def at(*values: float) -> list[float]:
        """Chart coordinates (x, y pairs) to pixels below the title."""
        return [(v + (top if i % 2 else 0)) * scale for i, v in enumerate(values)]

    for shape in shapes:
        kind = shape[0]
        if kind == "rect":
            _k, x, y, w, h, fill = shape
            if w > 0:
                draw.rectangle(at(x, y, x + w, y + h), fill=fill)
        elif kind == "dashed":
            _k, x, y, w, h, stroke = shape
            for x0, y0, x1, y1 in (
                (x, y, x + w, y),
                (x, y + h, x + w, y + h),
                (x, y, x, y + h),
                (x + w, y, x + w, y + h),
            ):
                _dashes(draw, at(x0, y0, x1, y1), stroke, scale)
        elif kind == "line":
            _k, x1, y1, x2, y2, stroke = shape
            draw.line(at(x1, y1, x2, y2), fill=stroke, width=scale)
        else:
            _k, x, y, text, fill, anchor = shape
            draw.text(at(x, y), str(text), fill=fill, font=font, anchor="rs" if anchor == "end" else "ls")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _dashes(draw, ends: list[float], colour: str, scale: int) -> None:
    """A dashed horizontal or vertical line (3 on, 3 off, as the SVG's stroke-dasharray)."""
    x0, y0, x1, y1 = ends
    length = max(abs(x1 - x0), abs(y1 - y0))
    step, dash = 6 * scale, 3 * scale
    for start in range(0, int(length), step):
        stop = min(start + dash, length)
        if x0 == x1:
            draw.line([x0, y0 + start, x0, y0 + stop], fill=colour, width=scale)
        else:
            draw.line([x0 + start, y0, x0 + stop, y0], fill=colour, width=scale)


def render_public_svg(title: str, slug: str, rows: list[tuple[str, int | None]]) -> str:
    """A one-series bar chart of a released table's first field (for the public page)."""
    from threadline.insights.dashboards import Point

    data = ChartData(slug, title, "", [title], [(label, [Point(None if v is None else float(v))]) for label, v in rows])
    data.chart_columns = [0]
    return render_svg(data)
