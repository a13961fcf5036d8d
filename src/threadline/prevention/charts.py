"""Server-rendered SVG charts for prevention pages: no JavaScript, no inline styles (classes only), a title
for screen readers; every chart sits next to a table with the same figures."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from threadline.screening.charts import bar_chart

__all__ = ["bar_chart", "change_chart"]

WIDTH = 640
ROW = 70
BAR = 14
VALUE_SPACE = 70


def _fraction(row: dict[str, Any], value: float | None) -> float:
    if value is None:
        return 0.0
    if row["unit"] == "share":
        return max(0.0, min(1.0, value))
    return max(0.0, min(1.0, value / float(row["high"] or 1)))


def _label(row: dict[str, Any], value: float | None) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.0f}%" if row["unit"] == "share" else f"{value:.2f}"


def change_chart(rows: list[tuple[str, dict[str, Any]]], *, title: str) -> SafeString:
    """For each scale: the mean before (light bar) and after (dark bar); suppressed scales are left out."""
    shown = [(label, r) for label, r in rows if not r["suppressed"]]
    if not shown:
        return SafeString("")
    usable = WIDTH - VALUE_SPACE
    parts = []
    for index, (label, r) in enumerate(shown):
        top = index * ROW
        pre = round(usable * _fraction(r, r["mean_pre"]))
        post = round(usable * _fraction(r, r["mean_post"]))
        parts.append(
            (
                top + 14,
                label,
                top + 20,
                max(pre, 1),
                pre + 6,
                top + 32,
                _label(r, r["mean_pre"]),
                top + 38,
                max(post, 1),
                post + 6,
                top + 50,
                _label(r, r["mean_post"]),
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}" class="chart-label">{}</text>'
        '<rect x="0" y="{}" width="{}" height="' + str(BAR) + '" class="chart-bar-before"></rect>'
        '<text x="{}" y="{}" class="chart-count">{}</text>'
        '<rect x="0" y="{}" width="{}" height="' + str(BAR) + '" class="chart-bar"></rect>'
        '<text x="{}" y="{}" class="chart-count">{}</text>',
        parts,
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        WIDTH,
        ROW * len(shown) + 4,
        title,
        title,
        body,
    )
