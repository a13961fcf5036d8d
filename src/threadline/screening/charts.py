"""Server-rendered SVG charts: no JavaScript, no inline styles (presentation attributes and classes only)."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
ROW = 46
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
    usable = WIDTH - COUNT_SPACE
    height = ROW * len(rows) + 4
    bars = []
    for index, (label, count) in enumerate(rows):
        top = index * ROW
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
        WIDTH,
        height,
        title,
        title,
        body,
    )
