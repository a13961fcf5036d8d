"""``analyse_records`` builds its entity columns whole and deduplicates identifiers in one dict (round 5): it must
give exactly what the per-row version before it gave (``analyse_round4``), tables and link arrays alike."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.engines.online.analyse import analyse_records
from threadline.engines.online.lexicon import load_lexicon

from .analyse_round4 import analyse_records as analyse_round4

LEXICON = load_lexicon()
_TEXT = st.lists(
    st.sampled_from([
        "Call 650-253-1234", "(650) 253 1234", "+33 6 12 34 56 78", "six five oh two five three one two three four",
        "me@example.com", "me at example dot com", "telegram: sweetann", "snap @kiki_22", "t.me/annie",
        "https://site.test/x", "www.a.test", "$120/hr", "80 usd", "150 roses", "my name is Anna", "soy Lucia",
        "i'm 24", "22 yo", "new in town", "Miami", "Los Angeles", "Paris", "París", "🌹", "é", "５５５", " ", ". ",
        "\n", "Ref 949.", "2024-03-05", "nеw", "\x00", "\x02",
    ]),
    max_size=10,
).map("".join)  # fmt: skip
_RECORD = st.fixed_dictionaries(
    {"id": st.text("abc123", min_size=1, max_size=4), "title": st.one_of(st.none(), _TEXT), "body": _TEXT},
    optional={
        "country": st.sampled_from(["US", "FR", "Mexico", "", None]),
        "city": st.sampled_from(["Paris", "Miami", "Lyon", None]),
        "phone": st.sampled_from(["650-253-1234", "+33 6 12 34 56 78", "0612345678", "bad", "", None]),
        "phones": st.sampled_from([["650-253-1234", "650 253 1234"], "650-253-1235; 650-253-1236", "[]", None]),
        "email": st.sampled_from(["Me@Example.com", "me at example dot com", "x", None]),
        "emails": st.sampled_from([["a@b.test", "A@B.test"], None]),
        "image_hashes": st.sampled_from([["ABC", "abc", " d "], "e,f", None]),
        "site": st.sampled_from(["s1", None]),
        "posted_at": st.sampled_from(["2026-01-02T03:04:05Z", "bad", None]),
        "other": st.sampled_from(["x", 3, None]),
    },
)


def _equal(a, b) -> None:
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), name
        else:
            assert x.schema.equals(y.schema) and x.equals(y), (name, x.to_pylist(), y.to_pylist())


@settings(max_examples=200, deadline=None)
@given(st.lists(_RECORD, max_size=8))
def test_analyse_records_gives_what_the_per_row_version_gave(records):
    sources = [("f.jsonl", i + 1) for i in range(len(records))]
    _equal(analyse_records([dict(r) for r in records], sources, LEXICON),
           analyse_round4([dict(r) for r in records], sources, LEXICON))  # fmt: skip
