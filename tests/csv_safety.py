"""A check that a CSV text is safe to open in a spreadsheet: no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
#: Values of scraped or partner data that a spreadsheet would run; each writer is fed some and must neutralise them.
HOSTILE = ("=HYPERLINK(\"http://x.example\",\"open\")", "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)",
           "\t=1+1", "\r=1+1")  # fmt: skip


def cells(text: str, delimiter: str = ",") -> list[str]:
    return [c for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for c in row]


def assert_spreadsheet_safe(text: str, delimiter: str = ",", must_contain: tuple[str, ...] = ()) -> None:
    """No cell of ``text`` would run as a formula, and each of ``must_contain`` is there, quote-prefixed."""
    all_cells = cells(text, delimiter)
    risky = [c for c in all_cells if c[:1] in TRIGGERS and not _NUMBER.fullmatch(c)]
    assert not risky, f"cells a spreadsheet would run as formulas: {risky[:5]}"
    for value in must_contain:
        assert "'" + value in all_cells, f"{value!r} is not in the CSV as text"
