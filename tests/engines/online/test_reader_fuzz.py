"""Property fuzzers for the scan's readers: whatever a JSONL or CSV file holds (BOM, line endings, deep nesting,
surrogate escapes, giant cells, broken quoting), each record is read or rejected with its line, and reading and
analysing a batch never raises (issue #18, item 11). These generators produce the inputs that used to abort a
scan."""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from threadline.engines.online import readers
from threadline.engines.online.analyse import analyse_records

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def _lexicon():
    from threadline.engines.online.lexicon import load_lexicon

    return load_lexicon(None)


text = st.text(max_size=40)
scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text)
surrogate = st.integers(0xD800, 0xDFFF).map(lambda c: f"\\u{c:04x}")
nesting = st.integers(1, 120_000).map(lambda n: "[" * n + "]" * n)
record = st.fixed_dictionaries(
    {"id": st.one_of(text, st.integers(), st.none()), "title": scalar, "body": scalar},
    optional={"country": text, "city": text, "phones": st.lists(text, max_size=3), "images": st.lists(text, max_size=2),
              "image_hashes": st.one_of(text, st.lists(text, max_size=2)), "posted_at": text},
)  # fmt: skip


@st.composite
def jsonl_line(draw) -> str:
    kind = draw(st.sampled_from(["record", "record", "raw", "nested", "surrogate"]))
    if kind == "record":
        return json.dumps(draw(record), ensure_ascii=draw(st.booleans()))
    if kind == "raw":
        return draw(st.text(max_size=60).filter(lambda s: "\n" not in s and "\r" not in s))
    if kind == "nested":
        return '{"id": "n", "body": "x", "extra": ' + draw(nesting) + "}"
    return '{"id": "s", "body": "a' + draw(surrogate) + draw(st.sampled_from(["", "b", "\\udc00"])) + '"}'


def _read_all(path: Path) -> tuple[int, int, int]:
    n_input = n_read = n_rejected = 0
    for f in readers.discover([path]):
        for task in readers.iter_tasks(f, 4, 1 << 20, {}):
            recs, srcs, rejects = readers.records_of(task, {})
            for r in rejects:
                assert r["file"] == path.name and (r["line"] is None or r["line"] >= 1)
            analyse_records(recs, srcs, _lexicon())
            n_input, n_read, n_rejected = n_input + task.n_input, n_read + len(recs), n_rejected + len(rejects)
    return n_input, n_read, n_rejected


@FUZZ
@given(lines=st.lists(jsonl_line(), max_size=8), bom=st.booleans(), newline=st.sampled_from(["\n", "\r\n"]))
@example(lines=["\x85", "\u2028", " \t", '{"id": 1, "body": "x"}'], bom=False, newline="\n")
def test_jsonl_files_never_abort_a_scan(lines, bom, newline):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ads.jsonl"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + newline.join(lines).encode("utf-8", "surrogatepass"))
        n_input, n_read, n_rejected = _read_all(path)
        # Blank means JSON's whitespace only (bytes.strip: ASCII); a line of U+0085 or U+2028 is not blank to
        # a JSON reader and is rejected as a record, so it counts (hypothesis found "\x85" once).
        blank = [not x.encode("utf-8", "surrogatepass").strip() for x in lines]
        assert n_read + n_rejected == n_input == blank.count(False)


cell = st.one_of(text, st.text(alphabet=',"\r\n;x', max_size=10), st.integers(0, 140_000).map(lambda n: "F" * n))


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=1, max_size=5), max_size=6), bom=st.booleans(),
       newline=st.sampled_from(["\n", "\r\n", "\r"]))  # fmt: skip
def test_csv_files_never_abort_a_scan(rows, bom, newline):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ads.csv"
        body = newline.join(",".join(r) for r in [["id", "title", "body"], *rows])
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8", "surrogatepass"))
        try:
            n_input, n_read, n_rejected = _read_all(path)
        except readers.InputError as exc:  # a file-level problem, said before any work starts
            assert "ads.csv" in str(exc)
            assert newline == "\r"  # the header is readable with any other line ending
            return
        assert n_read + n_rejected == n_input
