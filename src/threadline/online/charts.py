"""Server-rendered SVG for the online pages: timeline, graph of ads and identifiers, bar charts.

Every value is escaped; no style attributes (the CSP forbids them): classes and presentation attributes only.
"""

from __future__ import annotations

import itertools
import math
from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


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
