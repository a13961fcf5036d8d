"""Input discovery and streaming readers: JSONL, CSV, Parquet (optionally gzip) and saved HTML pages.

Reading is split into *tasks*, each a bounded batch of raw records with a stable id (file index and chunk
index), so a run can skip finished tasks on resume and a backend can ship tasks to workers. Every physical
record either becomes a parsed record or a reject with file, line and reason, so read + rejected = input.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from threadline.engines.archives import ArchiveRefused, gunzip_bounded

SUFFIXES = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "csv", ".parquet": "parquet",
    ".html": "html", ".htm": "html",
}  # fmt: skip


BOM = "\ufeff"
UTF8_BOM = BOM.encode()


def _has_lone_surrogate(obj: dict) -> bool:
    """Whether a parsed record holds a lone UTF-16 surrogate (from an escape such as ``\\ud800``), which no
    output can store; only records whose line has a ``\\u`` escape are checked."""
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class InputError(ValueError):
    """An input that cannot be used at all (no records can be read): raised before any work starts."""


@dataclass
class InputFile:
    index: int
    path: str
    fmt: str
    gz: bool
    size: int
    mtime: float


@dataclass
class Task:
    task_id: str
    file: InputFile
    kind: str  # "lines" | "rows" | "parquet" | "html"
    payload: object = None
    first_line: int = 1
    rejects: list[dict] = field(default_factory=list)
    n_input: int = 0


def _fmt_of(p: Path) -> tuple[str | None, bool]:
    name = p.name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    return SUFFIXES.get(os.path.splitext(name)[1]), gz


def is_uri(path: str | Path) -> bool:
    """An input given as a URI (``s3a://``, ``hdfs://``, ``gs://``, ``abfss://``, ``file://``): only the Spark
    engine reads those (with Spark's own Parquet reader)."""
    return "://" in str(path)


def discover(inputs: list[str | Path]) -> list[InputFile]:
    """Expand files and directories into a sorted list of readable inputs (HTML pages grouped per directory)."""
    found: list[tuple[str, str, bool]] = []
    for raw in inputs:
        if is_uri(raw):
            raise InputError("inputs given as URIs (s3a://, hdfs://, ...) are read with the Spark engine")
        p = Path(raw)
        if not p.exists():
            raise InputError(f"input not found: {p}")
        if p.is_dir():
            html_files = []
            for q in sorted(p.rglob("*")):
                if not q.is_file() or q.name.startswith("."):
                    continue
                fmt, gz = _fmt_of(q)
                if fmt == "html":
                    html_files.append(q)
                elif fmt:
                    found.append((str(q), fmt, gz))
            if html_files:
                found.append((str(p), "html", False))
        else:
            fmt, gz = _fmt_of(p)
            if fmt is None:
                raise InputError(f"{p.name}: unknown format (expected .jsonl, .csv, .parquet or .html, optionally .gz)")
            found.append((str(p), fmt, gz))
    if not found:
        raise InputError("no input files found")
    out = []
    for i, (path, fmt, gz) in enumerate(found):
        st = os.stat(path)
        out.append(InputFile(i, path, fmt, gz, st.st_size, st.st_mtime))
    return out


def _open_binary(f: InputFile):
    if f.gz:
        return gzip.open(f.path, "rb")
    return open(f.path, "rb")


def _reject(f: InputFile, line: int | None, reason: str) -> dict:
    return {"file": os.path.basename(f.path), "path": f.path, "line": line, "reason": reason}


def check_columns(f: InputFile, columns: list[str], field_map: dict[str, str]) -> None:
    inv = {v: k for k, v in field_map.items()}  # column -> field
    mapped = {inv.get(c, c) for c in columns}
    missing = [c for c in ("id",) if c not in mapped]
    if "title" not in mapped and "body" not in mapped:
        missing.append("body (or title)")
    if missing:
        raise InputError(
            f"{os.path.basename(f.path)}: missing column(s) {', '.join(missing)}; columns present: "
            f"{', '.join(columns[:30])}. Map them with --map field=column" + (f" (current map: {inv})" if inv else "")
        )


def _read_line(fh, limit: int) -> tuple[bytes | None, bool]:
    """One line, or (None, False) at EOF; (prefix, True) when the line exceeds ``limit`` (the rest is skipped)."""
    line = fh.readline(limit + 1)
    if not line:
        return None, False
    if len(line) > limit and not line.endswith(b"\n"):
        while True:
            chunk = fh.readline(1 << 20)
            if not chunk or chunk.endswith(b"\n"):
                break
        return line[:200], True
    return line, False


def iter_tasks(f: InputFile, batch_size: int, max_line_bytes: int, field_map: dict[str, str],
               encoding: str = "utf-8") -> Iterator[Task]:  # fmt: skip
    """Yield the tasks of one input file; file-level problems become a reject in a final task."""
    if f.fmt == "jsonl":
        yield from _jsonl_tasks(f, batch_size, max_line_bytes)
    elif f.fmt == "csv":
        yield from _csv_tasks(f, batch_size, max_line_bytes, field_map, encoding)
    elif f.fmt == "parquet":
        yield from _parquet_tasks(f, field_map, batch_size)
    elif f.fmt == "html":
        yield from _html_tasks(f, batch_size)


def _jsonl_tasks(f: InputFile, batch_size: int, max_line_bytes: int) -> Iterator[Task]:
    chunk = 0
    line_no = 0
    lines: list[bytes] = []
    rejects: list[dict] = []
    first = 1
    n_input = 0
    try:
        with _open_binary(f) as fh:
            while True:
                try:
                    line, too_long = _read_line(fh, max_line_bytes)
                except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
                    kind = "truncated or corrupt gzip" if f.gz else "read error"
                    rejects.append(_reject(f, line_no + 1, f"{kind} after line {line_no}: {type(exc).__name__}"))
                    n_input += 1
                    break
                if line is None:
                    break
                line_no += 1
                if line_no == 1 and line.startswith(UTF8_BOM):
                    line = line[len(UTF8_BOM) :]
                if too_long:
                    rejects.append(_reject(f, line_no, f"line longer than {max_line_bytes} bytes"))
                    lines.append(b"")
                    n_input += 1
                elif line.strip():
                    lines.append(line)
                    n_input += 1
                else:
                    lines.append(b"")  # blank lines are not records
                if len(lines) >= batch_size:
                    yield Task(f"{f.index:05d}-{chunk:07d}", f, "lines", lines, first, rejects, n_input)
                    chunk += 1
                    first = line_no + 1
                    lines, rejects, n_input = [], [], 0
    except (OSError, gzip.BadGzipFile) as exc:
        rejects.append(_reject(f, None, f"cannot open: {type(exc).__name__}"))
        n_input += 1
    if lines or rejects:
        yield Task(f"{f.index:05d}-{chunk:07d}", f, "lines", lines, first, rejects, n_input)


class _LineReader:
    """Decoded lines for the csv module, remembering undecodable lines as rejects."""

    def __init__(self, fh, f: InputFile, encoding: str, max_line_bytes: int) -> None:
        self.fh = fh
        self.f = f
        self.encoding = encoding
        self.max = max_line_bytes
        self.line_no = 0
        self.bad: list[dict] = []
        self.error: str | None = None

    def __iter__(self):
        return self

    def __next__(self) -> str:
        while True:
            try:
                line, too_long = _read_line(self.fh, self.max)
            except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
                self.error = f"truncated or corrupt input after line {self.line_no}: {type(exc).__name__}"
                raise StopIteration from None
            if line is None:
                raise StopIteration
            self.line_no += 1
            if too_long:
                self.bad.append(_reject(self.f, self.line_no, f"line longer than {self.max} bytes"))
                continue
            try:
                text = line.decode(self.encoding)
                return text[1:] if self.line_no == 1 and text.startswith(BOM) else text
            except UnicodeDecodeError as exc:
                self.bad.append(_reject(self.f, self.line_no, f"not valid {self.encoding} at byte {exc.start}"))
                continue


def _csv_tasks(f: InputFile, batch_size: int, max_line_bytes: int, field_map: dict[str, str],
               encoding: str) -> Iterator[Task]:  # fmt: skip
    csv.field_size_limit(max_line_bytes)
    delim = "\t" if ".tsv" in f.path.lower() else ","
    try:
        fh = _open_binary(f)
    except OSError as exc:
        yield Task(f"{f.index:05d}-0000000", f, "rows", ([], []), 1, [_reject(f, None, f"cannot open: {exc}")], 1)
        return
    with fh:
        lr = _LineReader(fh, f, encoding, max_line_bytes)
        reader = csv.reader(lr, delimiter=delim)
        try:
            header = next(reader)
        except StopIteration:
            header = None
        except csv.Error as exc:
            raise InputError(f"{os.path.basename(f.path)}: unreadable CSV header: {exc}") from None
        if header is None:
            rej = lr.bad + ([_reject(f, lr.line_no, lr.error)] if lr.error else [])
            yield Task(f"{f.index:05d}-0000000", f, "rows", ([], []), 1, rej, len(rej))
            return
        header = [h.strip() for h in header]
        check_columns(f, header, field_map)
        chunk = 0
        rows: list[list[str]] = []
        lines: list[int] = []
        n_input = 0
        rejects: list[dict] = []
        while True:
            start_line = lr.line_no + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rejects.append(_reject(f, start_line, f"CSV error: {exc}"))
                n_input += 1
                continue
            if lr.bad:
                rejects.extend(lr.bad)
                n_input += len(lr.bad)
                lr.bad = []
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            n_input += 1
            if len(row) != len(header):
                rejects.append(_reject(f, start_line, f"expected {len(header)} fields, found {len(row)}"))
                continue
            rows.append(row)
            lines.append(start_line)
            if len(rows) >= batch_size:
                yield Task(f"{f.index:05d}-{chunk:07d}", f, "rows", (header, rows, lines), 1, rejects, n_input)
                chunk += 1
                rows, lines, rejects, n_input = [], [], [], 0
        if lr.bad:
            rejects.extend(lr.bad)
            n_input += len(lr.bad)
        if lr.error:
            rejects.append(_reject(f, lr.line_no + 1, lr.error))
            n_input += 1
        if rows or rejects:
            yield Task(f"{f.index:05d}-{chunk:07d}", f, "rows", (header, rows, lines), 1, rejects, n_input)


def _parquet_tasks(f: InputFile, field_map: dict[str, str], batch_size: int) -> Iterator[Task]:

    try:
        pf = _parquet_file(f)
        n_groups = pf.num_row_groups
        names = pf.schema_arrow.names
    except ArchiveRefused as exc:
        yield Task(f"{f.index:05d}-0000000", f, "parquet", None, 1, [_reject(f, None, str(exc))], 1)
        return
    except Exception as exc:  # pyarrow raises several types for corrupt files
        yield Task(f"{f.index:05d}-0000000", f, "parquet", None, 1,
                   [_reject(f, None, f"unreadable Parquet file: {type(exc).__name__}")], 1)  # fmt: skip
        return
    check_columns(f, names, field_map)
    first = 1
    chunk = 0
    for g in range(n_groups):
        n = pf.metadata.row_group(g).num_rows
        for off in range(0, max(n, 1), batch_size):
            length = min(batch_size, n - off)
            if length <= 0:
                break
            yield Task(f"{f.index:05d}-{chunk:07d}", f, "parquet", (g, off, length), first + off, [], length)
            chunk += 1
        first += n


def _html_tasks(f: InputFile, batch_size: int) -> Iterator[Task]:
    root = Path(f.path)
    files = sorted(str(q) for q in root.rglob("*") if q.is_file() and _fmt_of(q)[0] == "html")
    for chunk, i in enumerate(range(0, len(files), batch_size)):
        part = files[i : i + batch_size]
        yield Task(f"{f.index:05d}-{chunk:07d}", f, "html", part, 1, [], len(part))


# ------------------------------------------------------------------------------------------ record parsing
def _apply_map(rec: dict, field_map: dict[str, str]) -> dict:
    if not field_map:
        return rec
    out = {}
    for k, v in rec.items():
        out[field_map.get(k, k)] = v
    return out


def accept_table(tbl, lines, f: InputFile, inv: dict[str, str], recs: list, srcs: list, rejects: list) -> None:
    """The rows of an Arrow table (Parquet), each with its line number (1-based row), as records or rejects;
    ``inv`` maps column names to field names."""
    base = os.path.basename(f.path)
    names = [inv.get(c, c) for c in tbl.column_names]
    columns = [tbl.column(i).to_pylist() for i in range(tbl.num_columns)]
    for line, row in zip(lines, zip(*columns, strict=True), strict=True):
        _accept(dict(zip(names, row, strict=True)), base, line, f, recs, srcs, rejects)


def records_of(task: Task, field_map: dict[str, str], encoding: str = "utf-8"):
    """Parse a task into (records, sources, rejects). Runs inside a worker."""
    f = task.file
    base = os.path.basename(f.path)
    recs: list[dict] = []
    srcs: list[tuple[str, int]] = []
    rejects = list(task.rejects)
    inv = {v: k for k, v in field_map.items()}  # column name -> field name
    if task.kind == "lines":
        line_no = task.first_line - 1
        for raw in task.payload:
            line_no += 1
            if not raw:
                continue
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                rejects.append(_reject(f, line_no, f"not valid {encoding} at byte {exc.start}"))
                continue
            try:
                obj = json.loads(text)
            except ValueError as exc:
                rejects.append(_reject(f, line_no, f"invalid JSON: {exc.msg} at column {exc.colno}"))
                continue
            except RecursionError:
                rejects.append(_reject(f, line_no, "invalid JSON: nested too deeply"))
                continue
            if not isinstance(obj, dict):
                rejects.append(_reject(f, line_no, "record is not a JSON object"))
                continue
            if b"\\u" in raw and _has_lone_surrogate(obj):
                rejects.append(_reject(f, line_no, "invalid JSON: a \\u escape is a lone surrogate (not a character)"))
                continue
            _accept(_apply_map(obj, inv), base, line_no, f, recs, srcs, rejects)
    elif task.kind == "rows":
        header, rows, lines = task.payload if task.payload and len(task.payload) == 3 else ([], [], [])
        cols = [inv.get(h, h) for h in header]
        for row, ln in zip(rows, lines, strict=True):
            obj = {c: (v if v != "" else None) for c, v in zip(cols, row, strict=True)}
            _accept(obj, base, ln, f, recs, srcs, rejects)
    elif task.kind == "parquet" and task.payload is not None:
        try:
            g, off, length = task.payload
            tbl = _row_group(f, g).slice(off, length)
        except Exception as exc:
            g = task.payload[0]
            rejects.append(_reject(f, task.first_line, f"unreadable row group {g}: {type(exc).__name__}"))
            for _ in range(max(0, task.n_input - 1)):
                rejects.append(_reject(f, None, f"row in unreadable row group {g}"))
            return recs, srcs, rejects
        accept_table(tbl, range(task.first_line, task.first_line + tbl.num_rows), f, inv, recs, srcs, rejects)
    elif task.kind == "html":
        for path in task.payload:
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
                obj = parse_html(data.decode(encoding, errors="strict"), path)
            except UnicodeDecodeError as exc:
                rejects.append({"file": os.path.basename(path), "path": path, "line": None,
                                "reason": f"not valid {encoding} at byte {exc.start}"})  # fmt: skip
                continue
            except OSError as exc:
                rejects.append({"file": os.path.basename(path), "path": path, "line": None,
                                "reason": f"cannot read: {type(exc).__name__}"})  # fmt: skip
                continue
            if not obj.get("body") and not obj.get("title"):
                rejects.append({"file": os.path.basename(path), "path": path, "line": None,
                                "reason": "no text found in the page"})  # fmt: skip
                continue
            recs.append(obj)
            srcs.append((os.path.basename(path), 1))
    return recs, srcs, rejects


_GROUP_CACHE: dict[tuple, object] = {}


def _parquet_file(f: InputFile):
    """A Parquet input; a gzip-compressed one is unpacked in memory within the archive limits."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(io.BytesIO(gunzip_bounded(f.path)) if f.gz else f.path)


def _row_group(f: InputFile, g: int):
    """Row group ``g`` of a Parquet input. The last one read is kept: the tasks of one row group mostly follow
    each other, so a worker decodes a row group once instead of once per slice."""

    key = (f.path, f.size, f.mtime, g)
    tbl = _GROUP_CACHE.get(key)
    if tbl is None:
        tbl = _parquet_file(f).read_row_group(g)
        _GROUP_CACHE.clear()
        _GROUP_CACHE[key] = tbl
    return tbl


def _accept(obj: dict, base: str, line: int, f: InputFile, recs, srcs, rejects) -> None:
    rid = obj.get("id")
    if rid is None or (isinstance(rid, str) and not rid.strip()):
        rejects.append(_reject(f, line, "missing field id"))
        return
    if not obj.get("title") and not obj.get("body"):
        rejects.append(_reject(f, line, "missing fields title and body"))
        return
    for k in ("title", "body"):
        v = obj.get(k)
        if v is not None and not isinstance(v, str):
            if isinstance(v, int | float):
                obj[k] = str(v)
            else:
                rejects.append(_reject(f, line, f"field {k} is not text"))
                return
    recs.append(obj)
    srcs.append((base, line))


# ------------------------------------------------------------------------------------------------- HTML
class _TextExtractor(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "svg", "head"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "section", "article", "td"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.title: list[str] = []
        self.in_title = False
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "title":
            self.in_title = True
        if tag in self.SKIP:
            self.skip += 1
        if tag in self.BLOCK:
            self.parts.append("\n")
        if tag == "meta":
            key = a.get("property") or a.get("name") or a.get("itemprop")
            if key and a.get("content"):
                self.meta[key.lower()] = a["content"]
        if tag == "link" and a.get("rel") == "canonical" and a.get("href"):
            self.meta["canonical"] = a["href"]
        if tag == "time" and a.get("datetime") and "time" not in self.meta:
            self.meta["time"] = a["datetime"]

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in self.SKIP and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        elif not self.skip:
            self.parts.append(data)


def parse_html(html: str, path: str) -> dict:
    """A saved ad page as a record: title from <title>/og:title, body from the visible text, url and time from
    canonical/og:url and <time datetime> or article:published_time."""
    p = _TextExtractor()
    p.feed(html)
    p.close()
    body = "\n".join(" ".join(line.split()) for line in "".join(p.parts).split("\n"))
    body = "\n".join(x for x in body.split("\n") if x)
    url = p.meta.get("og:url") or p.meta.get("canonical")
    site = None
    if url and "://" in url:
        site = url.split("://", 1)[1].split("/", 1)[0]
    rid = p.meta.get("ad:id") or os.path.splitext(os.path.basename(path))[0]
    return {
        "id": rid, "site": site, "url": url,
        "posted_at": p.meta.get("article:published_time") or p.meta.get("time"),
        "city": p.meta.get("ad:city") or p.meta.get("geo.placename"), "country": p.meta.get("ad:country"),
        "title": " ".join("".join(p.title).split()) or p.meta.get("og:title"), "body": body,
    }  # fmt: skip
