"""Stage 1: per-ad analysis of a batch of records into Arrow tables (pure function, no I/O).

``analyse_records`` is the unit of work that a backend maps over record batches (locally with a process
pool; on Spark with ``mapInArrow``). It returns the ads, entities and indicators tables of the batch plus the
arrays needed for linking (identifier keys, MinHash signatures, LSH band keys and the word 3-gram hashes).
"""

from __future__ import annotations

import json
import operator
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import xxhash

from threadline.engines.online import geo, minhash
from threadline.engines.online.extract import (
    find_ages,
    find_emails,
    find_handles,
    find_names,
    find_phones,
    find_prices,
    find_urls,
    normalize_email,
    normalize_phone,
)
from threadline.engines.online.images import ImagePolicy, image_identity
from threadline.engines.online.lexicon import Lexicon
from threadline.engines.online.normalize import fold_joined
from threadline.engines.online.tokens import WordIndex

SEP = "\x02"  # separates ads in a batch string; never matched by any finder
LINK_KINDS = {"phone": 1, "email": 2, "handle": 3, "image": 4}
KIND_NAMES = {v: k for k, v in LINK_KINDS.items()}
STANDARD_FIELDS = ("id", "site", "url", "posted_at", "city", "country", "title", "body", "phone", "phones",
                   "email", "emails", "images", "image_hashes")  # fmt: skip

ADS_SCHEMA = pa.schema([
    ("ad_id", pa.string()), ("site", pa.string()), ("url", pa.string()),
    ("posted_at", pa.timestamp("us", tz="UTC")), ("city", pa.string()), ("country", pa.string()),
    ("region", pa.string()), ("title", pa.string()), ("body", pa.string()),
    ("phones", pa.list_(pa.string())), ("emails", pa.list_(pa.string())), ("handles", pa.list_(pa.string())),
    ("urls", pa.list_(pa.string())), ("names", pa.list_(pa.string())), ("ages", pa.list_(pa.int16())),
    ("cities_mentioned", pa.list_(pa.string())), ("image_hashes", pa.list_(pa.string())),
    ("price_min", pa.float64()), ("price_max", pa.float64()), ("price_mean", pa.float64()),
    ("currency", pa.string()), ("indicator_categories", pa.list_(pa.string())), ("indicator_weight", pa.float64()),
    ("obscured_contact", pa.bool_()), ("source_file", pa.string()), ("source_line", pa.int64()),
    ("extra", pa.string()),
])  # fmt: skip
ENTITIES_SCHEMA = pa.schema([
    ("ad_id", pa.string()), ("row", pa.int32()), ("kind", pa.string()), ("value", pa.string()),
    ("raw", pa.string()), ("field", pa.string()), ("start", pa.int32()), ("end", pa.int32()),
    ("obfuscated", pa.bool_()),
])  # fmt: skip
INDICATORS_SCHEMA = pa.schema([
    ("ad_id", pa.string()), ("row", pa.int32()), ("category", pa.string()), ("language", pa.string()),
    ("weight", pa.float64()), ("matched", pa.string()), ("field", pa.string()), ("start", pa.int32()),
    ("end", pa.int32()), ("pattern", pa.string()),
])  # fmt: skip


@dataclass
class BatchResult:
    ads: pa.Table
    entities: pa.Table
    indicators: pa.Table
    key_rows: np.ndarray  # int32 local row of each link key
    keys: np.ndarray  # uint64 identifier key
    key_kinds: np.ndarray  # int8
    sig: np.ndarray  # uint16 (n, NUM_PERM): low bits of the MinHash signature of all the text, for verification
    bands: np.ndarray  # uint64 (n, BANDS) LSH band keys of all the text
    shingles: np.ndarray  # uint32: high bits of the word 3-gram hashes of every ad, one ad after another
    n_shingles: np.ndarray  # int32 (n,): shingles per ad (for MinHash and LSH without the boilerplate)
    id_hash: np.ndarray  # uint64 hash of the ad id (stable network ids)


def link_key(kind: str, value: str) -> int:
    return xxhash.xxh3_64_intdigest(f"{kind}:{value}".encode())


def parse_time(value) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    s = str(value).strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    try:
        d = datetime.fromisoformat(s)
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _as_list(v) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        if v.startswith("["):
            try:
                x = json.loads(v)
                return [str(i) for i in x if i is not None]
            except ValueError:
                pass
        return [p for p in (s.strip() for s in v.replace(";", ",").split(",")) if p]
    if isinstance(v, list | tuple):
        return [str(i) for i in v if i is not None]
    return [str(v)]


_ROW = operator.itemgetter(1)
_FIRST = operator.itemgetter(0)
_STRUCT = (("phone", "phone"), ("phones", "phone"), ("email", "email"), ("emails", "email"),
           ("image_hashes", "image"), ("images", "image"))  # fmt: skip


def _split(h_start: int, h_end: int, base: int, tlen: int) -> tuple[str, int, int]:
    s = h_start - base
    if s < tlen:
        return "title", s, min(h_end - base, tlen)
    return "body", s - tlen - 1, h_end - base - tlen - 1


def analyse_records(records: list[dict], sources: list[tuple[str, int]], lexicon: Lexicon,
                    default_region: str | None = "US", images: ImagePolicy | None = None) -> BatchResult:  # fmt: skip
    """Analyse a list of ad records (dicts with the standard field names; other keys are kept as ``extra``).

    The text of the whole batch is folded into one string and every finder runs once over it; the hits are
    then assigned to their ads. Per-ad Python work is limited to building the output columns. ``images`` says
    whether and where local image files named in ``images`` may be read (default: never).
    """
    image_policy = images or ImagePolicy()
    n = len(records)
    ind_rows: list[tuple] = []
    region_cache: dict[tuple, str | None] = {}
    std = frozenset(STANDARD_FIELDS)

    # ---- batch-level extraction: one folded string for the whole batch, each finder runs once over it
    ids = [str(rec.get("id")) for rec in records]
    titles: list[str] = []
    bodies: list[str] = []
    texts: list[str] = []
    regions: list[str | None] = []
    for rec in records:
        title = rec.get("title") or ""
        body = rec.get("body") or ""
        if type(title) is not str:
            title = str(title)
        if type(body) is not str:
            body = str(body)
        title = title.replace(SEP, " ")
        body = body.replace(SEP, " ")
        titles.append(title)
        bodies.append(body)
        texts.append(title + "\n" + body)
        rk = (rec.get("country"), rec.get("city"))
        if rk in region_cache:
            regions.append(region_cache[rk])
        else:
            r = geo.region_for(rk[0], rk[1], default_region)
            region_cache[rk] = r
            regions.append(r)
    tlens = [len(t) for t in titles]
    starts = [0] * n
    pos = 0
    for i, t in enumerate(texts):
        starts[i] = pos
        pos += len(t) + 1
    starts_np = np.asarray(starts, dtype=np.int64)
    big = SEP.join(texts)
    fbig = fold_joined(texts, SEP)  # fold is length-preserving, so offsets in big and fbig agree
    index = WordIndex(fbig, SEP, n)

    def docs(positions: list[int]) -> list[int]:
        return (np.searchsorted(starts_np, np.asarray(positions, dtype=np.int64), side="right") - 1).tolist()

    def docs_np(positions: list[int]) -> np.ndarray:
        return np.searchsorted(starts_np, np.asarray(positions, dtype=np.int64), side="right") - 1

    tlens_np = np.asarray(tlens, dtype=np.int64)

    def split_np(hs: list[int], he: list[int], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`_split` of many hits: (in the title?, start, end) within the title or the body."""
        base = starts_np[rows]
        tl = tlens_np[rows]
        s = np.asarray(hs, dtype=np.int64) - base
        e = np.asarray(he, dtype=np.int64) - base
        title = s < tl
        return title, np.where(title, s, s - tl - 1), np.where(title, np.minimum(e, tl), e - tl - 1)

    def region_at(p: int) -> str | None:
        return regions[bisect_right(starts, p) - 1]

    # ---- identifiers in the text: within an ad, phones, emails, handles then URLs, each in text order (the
    # entity and indicator rows are sorted stably by ad at the end, which keeps that order).
    phones = find_phones(fbig, region_at, index)
    for h in phones:
        if not h.obfuscated and not big[h.start : h.end].isascii():
            h.obfuscated = True
    found = [*phones, *find_emails(fbig, index), *find_handles(fbig, index), *find_urls(fbig)]
    f_starts = [h.start for h in found]
    f_ends = [h.end for h in found]
    f_kinds = [h.kind for h in found]
    f_values = [h.value for h in found]
    f_obf = [h.obfuscated for h in found]
    f_rows = docs_np(f_starts)
    f_title, f_s, f_e = split_np(f_starts, f_ends, f_rows)
    f_raw = [big[a:b] for a, b in zip(f_starts, f_ends, strict=True)]
    f_rows_l = f_rows.tolist()
    obscured = [False] * n
    for i in [i for i, o in enumerate(f_obf) if o]:
        kind = f_kinds[i]
        if kind != "handle" and kind != "url":
            row = f_rows_l[i]
            obscured[row] = True
            ind_rows.append((ids[row], row, "obscured_contact", "any", 1.0, f_raw[i], "title" if f_title[i] else "body",
                             int(f_s[i]), int(f_e[i]), "obfuscated " + kind))  # fmt: skip
    # every (row, kind, value) once, in order of first appearance: the text's identifiers, then the fields'
    seen = dict.fromkeys(zip(f_rows_l, f_kinds, f_values, strict=True))

    # ---- structured identifier fields
    present = set().union(*records)
    s_rows: list[int] = []
    s_kinds: list[str] = []
    s_values: list[str] = []
    s_raw: list[str] = []
    s_fields: list[str] = []
    for fname, kind in _STRUCT:
        if fname not in present:
            continue
        col = [rec.get(fname) for rec in records]
        for row in [i for i, v in enumerate(col) if v is not None]:
            for item in _as_list(col[row]):
                if kind == "phone":
                    digits = "".join(c for c in item if c.isdigit())
                    val = normalize_phone(("+" if item.strip().startswith("+") else "") + digits, regions[row])
                elif kind == "email":
                    val = normalize_email(item)
                elif fname == "images":
                    val = image_identity(item, image_policy)
                else:
                    val = item.strip().lower()
                if not val or (row, kind, val) in seen:
                    continue
                seen[(row, kind, val)] = None
                s_rows.append(row)
                s_kinds.append(kind)
                s_values.append(val)
                s_raw.append(item)
                s_fields.append(fname)

    empty: list = []
    by_kind_cols: dict[str, list] = {k: [empty] * n for k in ("phone", "email", "handle", "url", "image")}
    items = sorted(seen, key=_FIRST)  # by ad, stably
    for row, kind, val in items:
        c = by_kind_cols[kind]
        vals = c[row]
        if vals is empty:
            vals = c[row] = []
        vals.append(val)
    keyed = [it for it in items if it[1] != "url"]
    key_rows = [it[0] for it in keyed]
    keys = [link_key(k, v) for _, k, v in keyed]
    key_kinds = [LINK_KINDS[it[1]] for it in keyed]

    # ---- indicators
    cats: list[list[str]] = [["obscured_contact"] if o else empty for o in obscured]
    wsum = [1.0 if o else 0.0 for o in obscured]
    lex_hits = lexicon.match(fbig, index)
    for hit, row in zip(lex_hits, docs([h.start for h in lex_hits]), strict=True):
        fld, s, e = _split(hit.start, hit.end, starts[row], tlens[row])
        ind_rows.append((ids[row], row, hit.category, hit.language, hit.weight, big[hit.start : hit.end], fld, s, e,
                         hit.pattern))  # fmt: skip
        c = cats[row]
        if c is empty:
            c = cats[row] = []
        if hit.category not in c:
            c.append(hit.category)
        wsum[row] += hit.weight

    # ---- prices (the currency is that of the first price found), names, ages, cities mentioned
    pmin: list[float | None] = [None] * n
    pmax: list[float | None] = [None] * n
    pmean: list[float | None] = [None] * n
    cur: list[str | None] = [None] * n
    prices = find_prices(fbig, index)
    amounts: dict[int, list[float]] = {}
    for pr, row in zip(prices, docs([p.start for p in prices]), strict=True):
        if row not in amounts:
            amounts[row] = []
            cur[row] = pr.currency
        amounts[row].append(pr.amount)
    for row, am in amounts.items():
        pmin[row], pmax[row], pmean[row] = min(am), max(am), sum(am) / len(am)
    names_col: list[list[str]] = [empty] * n
    names = find_names(big, index, fbig)
    n_starts = [h.start for h in names]
    n_values = [h.value for h in names]
    n_rows = docs_np(n_starts)
    n_title, n_s, n_e = split_np(n_starts, [h.end for h in names], n_rows)
    for row, v in zip(n_rows.tolist(), n_values, strict=True):
        c = names_col[row]
        if c is empty:
            c = names_col[row] = []
        if v not in c:
            c.append(v)
    ages_col: list[list[int]] = [empty] * n
    ages = find_ages(fbig, index)
    for h, row in zip(ages, docs([h.start for h in ages]), strict=True):
        if ages_col[row] is empty:
            ages_col[row] = []
        ages_col[row].append(int(h.value))
    cities_col: list[list[str]] = [empty] * n
    mentions = geo.find_cities_batch(fbig, index)
    for (_, city), row in zip(mentions, docs([p for p, _ in mentions]), strict=True):
        c = cities_col[row]
        if c is empty:
            c = cities_col[row] = []
        if city.name not in c:
            c.append(city.name)
    word_hashes, lens = minhash.batch_word_hashes(fbig.encode("utf-8", "surrogatepass"), ord(SEP), n)

    # rows of each ad together: text identifiers, structured identifiers, names (entities); contact, lexicon
    ind_rows.sort(key=_ROW)
    cols = {
        "ad_id": ids,
        "site": [None if (v := rec.get("site")) is None else str(v) for rec in records],
        "url": [None if (v := rec.get("url")) is None else str(v) for rec in records],
        "posted_at": [parse_time(rec.get("posted_at")) for rec in records],
        "city": [None if (v := rec.get("city")) is None else str(v) for rec in records],
        "country": [None if (v := rec.get("country")) is None else str(v) for rec in records],
        "region": regions,
        "title": titles,
        "body": bodies,
        "phones": by_kind_cols["phone"],
        "emails": by_kind_cols["email"],
        "handles": by_kind_cols["handle"],
        "urls": by_kind_cols["url"],
        "names": names_col,
        "ages": ages_col,
        "cities_mentioned": cities_col,
        "image_hashes": by_kind_cols["image"],
        "price_min": pmin,
        "price_max": pmax,
        "price_mean": pmean,
        "currency": cur,
        "indicator_categories": cats,
        "indicator_weight": wsum,
        "obscured_contact": obscured,
        "source_file": [src[0] for src in sources],
        "source_line": [src[1] for src in sources],
        "extra": [
            None if std.issuperset(rec) else json.dumps({k: v for k, v in rec.items() if k not in std}, default=str,
                                                        ensure_ascii=False)
            for rec in records
        ],
    }  # fmt: skip
    # the entities, one column at a time, sorted stably by ad: text identifiers, structured fields, names
    e_rows = np.concatenate([f_rows, np.asarray(s_rows, dtype=np.int64), n_rows])
    order_np = np.argsort(e_rows, kind="stable")
    order = pa.array(order_np)
    n_f, n_s_, n_n = len(found), len(s_rows), len(names)
    e_title = np.concatenate([f_title, np.zeros(n_s_, dtype=bool), n_title])
    e_fields = np.where(e_title, "title", "body").astype(object)
    e_fields[n_f : n_f + n_s_] = s_fields
    no_span = np.zeros(n_f + n_s_ + n_n, dtype=bool)
    no_span[n_f : n_f + n_s_] = True
    e_start = np.concatenate([f_s, np.zeros(n_s_, dtype=np.int64), n_s]).astype(np.int32)
    e_end = np.concatenate([f_e, np.zeros(n_s_, dtype=np.int64), n_e]).astype(np.int32)
    sorted_rows = e_rows[order_np]
    entities = pa.Table.from_arrays([
        pa.array(ids, pa.string()).take(pa.array(sorted_rows)),
        pa.array(sorted_rows.astype(np.int32)),
        pa.array([*f_kinds, *s_kinds, *(["name"] * n_n)], pa.string()).take(order),
        pa.array([*f_values, *s_values, *n_values], pa.string()).take(order),
        pa.array([*f_raw, *s_raw, *(h.raw for h in names)], pa.string()).take(order),
        pa.array(e_fields, pa.string()).take(order),
        pa.array(e_start, pa.int32(), mask=no_span).take(order),
        pa.array(e_end, pa.int32(), mask=no_span).take(order),
        pa.array([*f_obf, *([False] * (n_s_ + n_n))], pa.bool_()).take(order),
    ], schema=ENTITIES_SCHEMA)  # fmt: skip
    ind = dict(zip(INDICATORS_SCHEMA.names, map(list, zip(*ind_rows, strict=True)), strict=True)) if ind_rows else {
        k: [] for k in INDICATORS_SCHEMA.names}  # fmt: skip
    sh, offsets = minhash.shingle_hashes(word_hashes, lens)
    sig = minhash.signatures(sh, offsets)
    bands = minhash.band_keys(sig)
    id_hash = np.fromiter((xxhash.xxh3_64_intdigest(a.encode()) for a in cols["ad_id"]), dtype=np.uint64, count=n)
    return BatchResult(
        ads=pa.table(cols, schema=ADS_SCHEMA),
        entities=entities,
        indicators=pa.table(ind, schema=INDICATORS_SCHEMA),
        key_rows=np.asarray(key_rows, dtype=np.int32),
        keys=np.asarray(keys, dtype=np.uint64),
        key_kinds=np.asarray(key_kinds, dtype=np.int8),
        sig=(sig & 0xFFFF).astype(np.uint16),
        bands=bands,
        shingles=(sh >> np.uint64(32)).astype(np.uint32),
        n_shingles=np.diff(offsets).astype(np.int32),
        id_hash=id_hash,
    )
