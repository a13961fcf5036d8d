"""Every chart Threadline draws, server-side, as SVG (and PNG where a chart leaves the page).

No script and no style attribute (the CSP forbids them): classes and presentation attributes only, and every
value is escaped. Three kinds of chart, one module:

- counts (``bar_chart``): one bar per label, the label above its bar so translated wordings fit on a phone
  (screening statistics);
- measures (``bars``, ``histogram``, ``timeline``, ``graph``): a network's ads and identifiers and the
  platforms' removal figures (online);
- grouped bars of published figures (``render_svg``, ``render_png``, ``render_public_svg``): one drawing (a
  list of shapes) rendered as SVG or PNG; a suppressed figure is an empty dashed outline with the word
  "suppressed", a differentially private one carries an error bar of its stated accuracy (insights).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# ---------------------------------------------------------------------------------------------- counts
COUNT_WIDTH = 640
COUNT_ROW = 46
LABEL_GAP = 18
BAR_HEIGHT = 16
COUNT_SPACE = 60


def bar_chart(rows: list[tuple[str, int]], *, title: str) -> SafeString:
    """A horizontal bar chart: each label on its own line above its bar, the count at the bar's end.

    Labels sit above the bars so long translated wordings fit on a phone; the page also shows the same
    numbers as a table for screen readers and copying.
    """
    if not rows:
        return SafeString("")
    biggest = max((n for _label, n in rows), default=0) or 1
    usable = COUNT_WIDTH - COUNT_SPACE
    height = COUNT_ROW * len(rows) + 4
    bars = []
    for index, (label, count) in enumerate(rows):
        top = index * COUNT_ROW
        length = round(usable * count / biggest) if count else 0
        bars.append(
            (
                top + 14,
                label,
                top + LABEL_GAP,
                max(length, 1 if count else 0),
                length + 8,
                top + LABEL_GAP + BAR_HEIGHT - 3,
                count,
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}" class="chart-label">{}</text>'
        '<rect x="0" y="{}" width="{}" height="' + str(BAR_HEIGHT) + '" class="chart-bar"></rect>'
        '<text x="{}" y="{}" class="chart-count">{}</text>',
        bars,
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        COUNT_WIDTH,
        height,
        title,
        title,
        body,
    )


# ---------------------------------------------------------------------------------------------- measures
def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return mark_safe(  # noqa: S308 - every value inside is escaped above
        f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )


def timeline(ads: list[dict], width: int = 900) -> str:
    """One lane per city (the ten busiest), one dot per ad at its posting time."""
    dated = [a for a in ads if a.get("posted_at") is not None]
    if not dated:
        return ""
    counts: dict[str, int] = {}
    for a in dated:
        counts[a.get("city") or "?"] = counts.get(a.get("city") or "?", 0) + 1
    lanes = [c for c, _n in sorted(counts.items(), key=lambda x: -x[1])[:10]]
    lane_of = {c: i for i, c in enumerate(lanes)}
    t0 = min(a["posted_at"] for a in dated)
    t1 = max(a["posted_at"] for a in dated)
    span = max((t1 - t0).total_seconds(), 1.0)
    left, top, lane_h = 130, 10, 26
    plot_w = width - left - 20
    height = top + lane_h * len(lanes) + 40
    body = []
    for city, i in lane_of.items():
        y = top + i * lane_h + lane_h / 2
        body.append(f'<text class="axis" x="{left - 8}" y="{y + 4:.0f}" text-anchor="end">{escape(city)}</text>')
        body.append(f'<line class="lane" x1="{left}" y1="{y:.0f}" x2="{left + plot_w}" y2="{y:.0f}"/>')
    for a in dated:
        lane = lane_of.get(a.get("city") or "?")
        if lane is None:
            continue
        x = left + plot_w * (a["posted_at"] - t0).total_seconds() / span
        y = top + lane * lane_h + lane_h / 2
        cls = "dot flagged" if a.get("indicator_categories") else "dot"
        tip = f"{a['posted_at']:%Y-%m-%d %H:%M} {a.get('site') or ''}"
        body.append(f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="5"><title>{escape(tip)}</title></circle>')
    base_y = top + lane_h * len(lanes) + 18
    body.append(f'<text class="axis" x="{left}" y="{base_y}">{t0:%Y-%m-%d}</text>')
    body.append(f'<text class="axis" x="{left + plot_w}" y="{base_y}" text-anchor="end">{t1:%Y-%m-%d}</text>')
    return _svg(width, height, _("Timeline of the network's ads by city"), body)


GRAPH_KINDS = ("phone", "email", "handle", "image", "url")


def graph(ads: list[dict], entities: list[dict], width: int = 640, max_ads: int = 60) -> str:
    """Bipartite graph: identifiers on an inner ring, ads on the outer ring, a line for each use. Lines and
    squares carry their identifier kind as a class, so the page can filter the graph by kind."""
    ad_ids = [a["ad_id"] for a in ads[:max_ads]]
    shown = set(ad_ids)
    ids: list[tuple[str, str]] = []
    edges: list[tuple[str, tuple[str, str]]] = []
    for e in entities:
        if e["ad_id"] not in shown or e["kind"] not in GRAPH_KINDS:
            continue
        key = (e["kind"], e["value"])
        if key not in ids:
            ids.append(key)
        edges.append((e["ad_id"], key))
    if not ad_ids:
        return ""
    ids = ids[:40]
    cx = cy = width / 2
    r_out, r_in = width / 2 - 30, width / 5 if len(ids) > 1 else 0
    n_ids = max(len(ids), 1)
    pos_ad = {}
    for i, a in enumerate(ad_ids):
        angle = 2 * math.pi * i / len(ad_ids)
        pos_ad[a] = (cx + r_out * math.cos(angle), cy + r_out * math.sin(angle))
    pos_id = {}
    for i, k in enumerate(ids):
        angle = 2 * math.pi * i / n_ids + 0.3
        pos_id[k] = (cx + r_in * math.cos(angle), cy + r_in * math.sin(angle))
    body = []
    for ad_id, key in edges:
        if key in pos_id:
            (x1, y1), (x2, y2) = pos_ad[ad_id], pos_id[key]
            body.append(
                f'<line class="edge kind-{escape(key[0])}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'
            )
    for ad_id, (x, y) in pos_ad.items():
        body.append(f'<circle class="node-ad" cx="{x:.1f}" cy="{y:.1f}" r="6"><title>{escape(ad_id)}</title></circle>')
    for (kind, value), (x, y) in pos_id.items():
        body.append(
            f'<rect class="node-id kind-{escape(kind)}" x="{x - 7:.1f}" y="{y - 7:.1f}" width="14" height="14">'
            f"<title>{escape(kind)}: {escape(value)}</title></rect>"
        )
    return _svg(width, width, _("Graph of the network's ads (circles) and shared identifiers (squares)"), body)


def bars(items: list[tuple[str, float]], *, label: str, unit: str = "", width: int = 640, maximum=None) -> str:
    """Horizontal bars with their value written at the end."""
    if not items:
        return ""
    top = maximum if maximum is not None else max((v for _k, v in items), default=0) or 1
    left, row_h = 290, 24
    plot_w = width - left - 80
    body = []
    for i, (name, value) in enumerate(items):
        y = 6 + i * row_h
        w = plot_w * (value / top if top else 0)
        shown = f"{value:.0%}" if unit == "%" else f"{value:,.1f}{unit}"
        body.append(f'<text class="axis" x="{left - 8}" y="{y + 14}" text-anchor="end">{escape(str(name)[:44])}</text>')
        body.append(f'<rect class="bar" x="{left}" y="{y}" width="{max(w, 1):.1f}" height="16"/>')
        body.append(f'<text class="axis" x="{left + w + 6:.1f}" y="{y + 14}">{escape(shown)}</text>')
    return _svg(width, 12 + row_h * len(items), label, body)


def histogram(values: list[float], *, label: str, bins: tuple[float, ...] = (1, 2, 3, 7, 14, 30)) -> str:
    """Counts of days to removal in bins (<1, 1-2, 2-3, 3-7, 7-14, 14-30, 30+ days)."""
    if not values:
        return ""
    edges = [0.0, *bins, math.inf]
    items = []
    for lo, hi in itertools.pairwise(edges):
        name = f"{lo:g}+ d" if hi == math.inf else f"{lo:g}-{hi:g} d"
        items.append((name, float(sum(1 for v in values if lo <= v < hi))))
    return bars(items, label=label)


# ---------------------------------------------------------------------------------------------- grouped bars


@dataclass(frozen=True)
class Bar:
    """One drawn value: ``None`` when suppressed; ``accuracy`` draws an error bar (a noisy figure)."""

    value: float | None
    accuracy: float | None = None
    percent: bool = False

    @property
    def text(self) -> str:
        if self.value is None:
            return str(_("suppressed"))
        shown = f"{self.value:.1f} %" if self.percent else f"{int(self.value):,}"
        if self.accuracy is not None:
            shown += f" ± {self.accuracy:.1f}" if self.percent else f" ± {self.accuracy:.0f}"
        return shown


@dataclass
class BarChart:
    """What a grouped bar chart draws: rows of values by column, ``chart_columns`` the columns drawn.
    (Insights' ``ChartData`` has this shape; any object with these attributes and ``Bar``-like values works.)"""

    slug: str
    title: str
    columns: list[str]
    rows: list[tuple[str, list[Bar]]]
    chart_columns: list[int] = field(default_factory=list)


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


def _layout(data: BarChart) -> tuple[int, list[Shape]]:
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


def render_svg(data: BarChart, *, standalone: bool = False) -> str:
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


def render_png(data: BarChart, *, scale: int = 2) -> bytes:
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
    bars = [(label, [Bar(None if v is None else float(v))]) for label, v in rows]
    return render_svg(BarChart(slug, title, [title], bars, chart_columns=[0]))


# -- before/after change per scale (prevention outcomes) ---------------------------------------------------

CHANGE_WIDTH = 640
CHANGE_ROW = 70
CHANGE_BAR = 14
CHANGE_VALUE_SPACE = 70


def _change_fraction(row: dict[str, Any], value: float | None) -> float:
    if value is None:
        return 0.0
    if row["unit"] == "share":
        return max(0.0, min(1.0, value))
    return max(0.0, min(1.0, value / float(row["high"] or 1)))


def _change_label(row: dict[str, Any], value: float | None) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.0f}%" if row["unit"] == "share" else f"{value:.2f}"


def change_chart(rows: list[tuple[str, dict[str, Any]]], *, title: str) -> SafeString:
    """For each scale: the mean before (light bar) and after (dark bar); suppressed scales are left out."""
    shown = [(label, r) for label, r in rows if not r["suppressed"]]
    if not shown:
        return SafeString("")
    usable = CHANGE_WIDTH - CHANGE_VALUE_SPACE
    parts = []
    for index, (label, r) in enumerate(shown):
        top = index * CHANGE_ROW
        pre = round(usable * _change_fraction(r, r["mean_pre"]))
        post = round(usable * _change_fraction(r, r["mean_post"]))
        parts.append(
            (
                top + 14,
                label,
                top + 20,
                max(pre, 1),
                pre + 6,
                top + 32,
                _change_label(r, r["mean_pre"]),
                top + 38,
                max(post, 1),
                post + 6,
                top + 50,
                _change_label(r, r["mean_post"]),
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}" class="chart-label">{}</text>'
        '<rect x="0" y="{}" width="{}" height="' + str(CHANGE_BAR) + '" class="chart-bar-before"></rect>'
        '<text x="{}" y="{}" class="chart-count">{}</text>'
        '<rect x="0" y="{}" width="{}" height="' + str(CHANGE_BAR) + '" class="chart-bar"></rect>'
        '<text x="{}" y="{}" class="chart-count">{}</text>',
        parts,
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        CHANGE_WIDTH,
        CHANGE_ROW * len(shown) + 4,
        title,
        title,
        body,
    )
