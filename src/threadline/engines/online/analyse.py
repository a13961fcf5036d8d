"""Stage 1: per-ad analysis of a batch of records into Arrow tables (pure function, no I/O).

``analyse_records`` is the unit of work that a backend maps over record batches (locally with a process
pool; on Spark with ``mapInArrow``). It returns the ads, entities and indicators tables of the batch plus the
arrays needed for linking (identifier keys, MinHash signatures and LSH band keys).
"""

from __future__ import annotations

import json
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
    words_of,
)
from threadline.engines.online.lexicon import Lexicon
from threadline.engines.online.normalize import fold

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
    sig: np.ndarray  # uint16 (n, NUM_PERM): low bits of the MinHash signature, for verification
    bands: np.ndarray  # uint64 (n, BANDS) LSH band keys
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


_STRUCT = (("phone", "phone"), ("phones", "phone"), ("email", "email"), ("emails", "email"),
           ("image_hashes", "image"), ("images", "image"))  # fmt: skip


def _split_span(start: int, end: int, tlen: int) -> tuple[str, int, int]:
    if start < tlen:
        return "title", start, min(end, tlen)
    return "body", start - tlen - 1, end - tlen - 1


def _image_hash(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return "xxh64:" + xxhash.xxh64_hexdigest(fh.read())
    except OSError:
        return None


def analyse_records(records: list[dict], sources: list[tuple[str, int]], lexicon: Lexicon,
                    default_region: str | None = "US") -> BatchResult:  # fmt: skip
    """Analyse a list of ad records (dicts with the standard field names; other keys are kept as ``extra``)."""
    n = len(records)
    ad_rows: list[tuple] = []
    ent_rows: list[tuple] = []
    ind_rows: list[tuple] = []
    key_rows: list[int] = []
    keys: list[int] = []
    key_kinds: list[int] = []
    region_cache: dict[tuple, str | None] = {}
    split_span = _split_span
    std = frozenset(STANDARD_FIELDS)

    # ---- batch-level extraction: one folded string for the whole batch, each finder runs once over it
    titles: list[str] = []
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
        titles.append(title)
        texts.append(title + "\n" + body.replace(SEP, " "))
        rk = (rec.get("country"), rec.get("city"))
        if rk in region_cache:
            regions.append(region_cache[rk])
        else:
            r = geo.region_for(rk[0], rk[1], default_region)
            region_cache[rk] = r
            regions.append(r)
    starts = [0] * n
    pos = 0
    for i, t in enumerate(texts):
        starts[i] = pos
        pos += len(t) + 1
    big = SEP.join(texts)
    fbig = SEP.join(map(fold, texts))  # fold is length-preserving, so offsets in big and fbig agree
    all_words = words_of(fbig)
    wall = set(all_words)

    def doc_of(p: int) -> int:
        return bisect_right(starts, p) - 1

    def region_at(p: int) -> str | None:
        return regions[bisect_right(starts, p) - 1]

    per_doc: list[list] = [[] for _ in range(n)]  # (kind-tag, object)
    phones = find_phones(fbig, region_at, all_words)
    for h in phones:
        if not h.obfuscated and not big[h.start : h.end].isascii():
            h.obfuscated = True
    for group in (phones, find_emails(fbig, wall), find_handles(fbig, wall), find_urls(fbig)):
        for h in group:
            per_doc[doc_of(h.start)].append(("e", h))
    for h in find_names(big, wall, fbig):
        per_doc[doc_of(h.start)].append(("n", h))
    for h in find_ages(fbig, wall):
        per_doc[doc_of(h.start)].append(("a", h))
    for pr in find_prices(fbig, wall):
        per_doc[doc_of(pr.start)].append(("p", pr))
    for hit in lexicon.match(fbig, wall):
        per_doc[doc_of(hit.start)].append(("i", hit))
    for p, c in geo.find_cities_batch(fbig, wall):
        per_doc[doc_of(p)].append(("c", c))
    word_hashes, lens = minhash.batch_word_hashes(fbig.encode("utf-8", "surrogatepass"), ord(SEP), n)

    for row, rec in enumerate(records):
        ad_id = str(rec.get("id"))
        text = texts[row]
        title = titles[row]
        tlen = len(title)
        base = starts[row]
        region = regions[row]
        found = []
        cities: list[str] = []
        names = []
        ages = []
        prices = []
        lex_hits = []
        for tag, obj in per_doc[row]:
            if tag == "e":
                found.append(obj)
            elif tag == "i":
                lex_hits.append(obj)
            elif tag == "p":
                prices.append(obj)
            elif tag == "n":
                names.append(obj)
            elif tag == "c":
                if obj.name not in cities:
                    cities.append(obj.name)
            else:
                ages.append(obj)
        obscured = False
        seen: dict[tuple[str, str], None] = {}
        for h in found:
            fld, s, e = split_span(h.start - base, h.end - base, tlen)
            raw = big[h.start : h.end]
            ent_rows.append((ad_id, row, h.kind, h.value, raw, fld, s, e, h.obfuscated))
            if h.obfuscated and h.kind != "handle" and h.kind != "url":
                obscured = True
                ind_rows.append((ad_id, row, "obscured_contact", "any", 1.0, raw, fld, s, e, "obfuscated " + h.kind))
            seen[(h.kind, h.value)] = None
        # structured fields
        for fname, kind in _STRUCT:
            v = rec.get(fname)
            if v is None:
                continue
            for item in _as_list(v):
                if kind == "phone":
                    digits = "".join(c for c in item if c.isdigit())
                    val = normalize_phone(("+" if item.strip().startswith("+") else "") + digits, region)
                elif kind == "email":
                    val = normalize_email(item)
                elif fname == "images":
                    val = _image_hash(item)
                else:
                    val = item.strip().lower()
                if not val or (kind, val) in seen:
                    continue
                seen[(kind, val)] = None
                ent_rows.append((ad_id, row, kind, val, item, fname, None, None, False))
        by_kind: dict[str, list[str]] = {"phone": [], "email": [], "handle": [], "url": [], "image": []}
        for kind, val in seen:
            by_kind[kind].append(val)
            lk = LINK_KINDS.get(kind)
            if lk is not None:
                key_rows.append(row)
                keys.append(link_key(kind, val))
                key_kinds.append(lk)
        # indicators
        cats: list[str] = ["obscured_contact"] if obscured else []
        wsum = 1.0 if obscured else 0.0
        for hit in lex_hits:
            fld, s, e = split_span(hit.start - base, hit.end - base, tlen)
            ind_rows.append((ad_id, row, hit.category, hit.language, hit.weight, big[hit.start : hit.end], fld, s,
                             e, hit.pattern))  # fmt: skip
            if hit.category not in cats:
                cats.append(hit.category)
            wsum += hit.weight
        if prices:
            amounts = [p.amount for p in prices]
            pmin, pmax, pmean, cur = min(amounts), max(amounts), sum(amounts) / len(amounts), prices[0].currency
        else:
            pmin = pmax = pmean = cur = None
        for h in names:
            fld, s, e = split_span(h.start - base, h.end - base, tlen)
            ent_rows.append((ad_id, row, "name", h.value, h.raw, fld, s, e, False))
        extra = None
        if not std.issuperset(rec):
            ex = {k: v for k, v in rec.items() if k not in std}
            extra = json.dumps(ex, default=str, ensure_ascii=False)
        site = rec.get("site")
        url = rec.get("url")
        city = rec.get("city")
        country = rec.get("country")
        body = text[tlen + 1 :]
        src = sources[row]
        ad_rows.append((
            ad_id, None if site is None else str(site), None if url is None else str(url),
            parse_time(rec.get("posted_at")), None if city is None else str(city),
            None if country is None else str(country), region, title, body,
            by_kind["phone"], by_kind["email"], by_kind["handle"], by_kind["url"],
            list(dict.fromkeys(h.value for h in names)) if names else [],
            [int(a.value) for a in ages] if ages else [],
            cities,
            by_kind["image"], pmin, pmax, pmean, cur, cats, wsum, obscured, src[0], src[1], extra,
        ))  # fmt: skip

    cols = dict(zip(ADS_SCHEMA.names, map(list, zip(*ad_rows, strict=True)), strict=True)) if ad_rows else {
        k: [] for k in ADS_SCHEMA.names}  # fmt: skip
    ent = dict(zip(ENTITIES_SCHEMA.names, map(list, zip(*ent_rows, strict=True)), strict=True)) if ent_rows else {
        k: [] for k in ENTITIES_SCHEMA.names}  # fmt: skip
    ind = dict(zip(INDICATORS_SCHEMA.names, map(list, zip(*ind_rows, strict=True)), strict=True)) if ind_rows else {
        k: [] for k in INDICATORS_SCHEMA.names}  # fmt: skip
    sh, offsets = minhash.shingle_hashes(word_hashes, lens)
    sig = minhash.signatures(sh, offsets)
    bands = minhash.band_keys(sig)
    id_hash = np.fromiter((xxhash.xxh3_64_intdigest(a.encode()) for a in cols["ad_id"]), dtype=np.uint64, count=n)
    return BatchResult(
        ads=pa.table(cols, schema=ADS_SCHEMA),
        entities=pa.table(ent, schema=ENTITIES_SCHEMA),
        indicators=pa.table(ind, schema=INDICATORS_SCHEMA),
        key_rows=np.asarray(key_rows, dtype=np.int32),
        keys=np.asarray(keys, dtype=np.uint64),
        key_kinds=np.asarray(key_kinds, dtype=np.int8),
        sig=(sig & 0xFFFF).astype(np.uint16),
        bands=bands,
        id_hash=id_hash,
    )
