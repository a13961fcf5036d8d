"""The batch analysis as it was before round 5 of the extraction work (2026-12-05): the oracle of
``test_analyse_oracle.py``. Kept as it was, with its module's helpers imported. It pins a refactor, not a
specification: when ``analyse_records`` changes its output on purpose, delete this file and its test rather than
editing both to match."""

from __future__ import annotations

import json
import operator
from bisect import bisect_right

import numpy as np
import pyarrow as pa
import xxhash

from threadline.engines.online import geo, minhash
from threadline.engines.online.analyse import (
    ADS_SCHEMA,
    ENTITIES_SCHEMA,
    INDICATORS_SCHEMA,
    LINK_KINDS,
    SEP,
    STANDARD_FIELDS,
    BatchResult,
    link_key,
    parse_time,
)
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
from threadline.engines.online.normalize import fold
from threadline.engines.online.tokens import WordIndex


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


_ROW = operator.itemgetter(1)  # the module's private helpers, as they were
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
    ent_rows: list[tuple] = []
    ind_rows: list[tuple] = []
    key_rows: list[int] = []
    keys: list[int] = []
    key_kinds: list[int] = []
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
    fbig = SEP.join(map(fold, texts))  # fold is length-preserving, so offsets in big and fbig agree
    index = WordIndex(fbig, SEP, n)

    def docs(positions: list[int]) -> list[int]:
        return (np.searchsorted(starts_np, np.asarray(positions, dtype=np.int64), side="right") - 1).tolist()

    def region_at(p: int) -> str | None:
        return regions[bisect_right(starts, p) - 1]

    # ---- identifiers in the text: within an ad, phones, emails, handles then URLs, each in text order (the
    # entity and indicator rows are sorted stably by ad at the end, which keeps that order).
    phones = find_phones(fbig, region_at, index)
    for h in phones:
        if not h.obfuscated and not big[h.start : h.end].isascii():
            h.obfuscated = True
    found = [*phones, *find_emails(fbig, index), *find_handles(fbig, index), *find_urls(fbig)]
    found_docs = docs([h.start for h in found])
    seen: list[dict | None] = [None] * n  # per ad: {(kind, value): None}, in order of first appearance
    obscured = [False] * n
    for h, row in zip(found, found_docs, strict=True):
        fld, s, e = _split(h.start, h.end, starts[row], tlens[row])
        raw = big[h.start : h.end]
        ent_rows.append((ids[row], row, h.kind, h.value, raw, fld, s, e, h.obfuscated))
        if h.obfuscated and h.kind != "handle" and h.kind != "url":
            obscured[row] = True
            ind_rows.append((ids[row], row, "obscured_contact", "any", 1.0, raw, fld, s, e, "obfuscated " + h.kind))
        d = seen[row]
        if d is None:
            d = seen[row] = {}
        d[(h.kind, h.value)] = None

    # ---- structured identifier fields
    for fname, kind in _STRUCT:
        col = [rec.get(fname) for rec in records]
        for row in [i for i, v in enumerate(col) if v is not None]:
            d = seen[row]
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
                if not val or (d is not None and (kind, val) in d):
                    continue
                if d is None:
                    d = seen[row] = {}
                d[(kind, val)] = None
                ent_rows.append((ids[row], row, kind, val, item, fname, None, None, False))

    empty: list = []
    by_kind_cols: dict[str, list] = {k: [empty] * n for k in ("phone", "email", "handle", "url", "image")}
    for row in range(n):
        d = seen[row]
        if d is None:
            continue
        by_kind: dict[str, list[str]] = {"phone": [], "email": [], "handle": [], "url": [], "image": []}
        for kind, val in d:
            by_kind[kind].append(val)
            lk = LINK_KINDS.get(kind)
            if lk is not None:
                key_rows.append(row)
                keys.append(link_key(kind, val))
                key_kinds.append(lk)
        for kind, vals in by_kind.items():
            if vals:
                by_kind_cols[kind][row] = vals

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
    for h, row in zip(names, docs([h.start for h in names]), strict=True):
        fld, s, e = _split(h.start, h.end, starts[row], tlens[row])
        ent_rows.append((ids[row], row, "name", h.value, h.raw, fld, s, e, False))
        c = names_col[row]
        if c is empty:
            c = names_col[row] = []
        if h.value not in c:
            c.append(h.value)
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
    ent_rows.sort(key=_ROW)
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
        shingles=(sh >> np.uint64(32)).astype(np.uint32),
        n_shingles=np.diff(offsets).astype(np.int32),
        id_hash=id_hash,
    )
