"""Network lists, filters and identifier search over the workspace Parquet files."""

from __future__ import annotations

import pytest

from threadline.engines.online import workspace as ws_mod


def _us_formats(e164: str) -> list[str]:
    d = e164[2:]
    return [e164, f"({d[:3]}) {d[3:6]}-{d[6:]}", f"{d[:3]}.{d[3:6]}.{d[6:]}", f"+1 {d[:3]} {d[3:6]} {d[6:]}", d]


def _network_with(ws, prefix: str) -> dict:
    rows, _ = ws_mod.network_page(ws, ws_mod.NetworkFilter(min_ads=2), offset=0, limit=200)
    return next(r for r in (ws_mod.network_get(ws, r["network_id"]) for r in rows) if any(
        p.startswith(prefix) for p in r["phones"]))  # fmt: skip


def test_first_page_is_ranked_by_risk_and_counts_all(ws):
    rows, total = ws_mod.network_page(ws, ws_mod.NetworkFilter(), offset=0, limit=10)
    assert total > 10 and len(rows) == 10
    scores = [r["risk_score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    second, _ = ws_mod.network_page(ws, ws_mod.NetworkFilter(), offset=10, limit=10)
    assert not {r["network_id"] for r in rows} & {r["network_id"] for r in second}


def test_a_phone_typed_in_any_format_finds_its_network(ws):
    network = _network_with(ws, "+1")
    phone = next(p for p in network["phones"] if p.startswith("+1"))
    for typed in _us_formats(phone):
        assert network["network_id"] in ws_mod.search_networks(ws, typed), typed


def test_a_french_phone_typed_nationally_is_found(ws):
    network = _network_with(ws, "+33")
    phone = next(p for p in network["phones"] if p.startswith("+33"))
    national = "0" + phone[3:]
    typed = " ".join(national[i : i + 2] for i in range(0, 10, 2))
    assert network["network_id"] in ws_mod.search_networks(ws, typed)


def test_email_and_ad_id_and_unknown_identifier(ws, top):
    network = ws_mod.network_get(ws, top["network_id"])
    ad = ws_mod.network_ads(ws, top["network_id"], limit=1)[0]
    assert ws_mod.search_networks(ws, ad["ad_id"]) == [top["network_id"]]
    if network["emails"]:
        assert top["network_id"] in ws_mod.search_networks(ws, network["emails"][0].upper())
    assert ws_mod.search_networks(ws, "+1 999 000 0000") == []


@pytest.mark.parametrize("field", ["category", "city", "site", "size", "dates"])
def test_filters_keep_only_matching_networks(ws, top, field):
    network = ws_mod.network_get(ws, top["network_id"])
    flt = ws_mod.NetworkFilter()
    if field == "category":
        flt.category = network["indicator_categories"][0]
    elif field == "city":
        flt.city = network["cities"][0].upper()
    elif field == "site":
        flt.site = network["sites"][0]
    elif field == "size":
        flt.min_ads, flt.max_ads = network["n_ads"], network["n_ads"]
    else:
        flt.date_from = flt.date_to = network["first_seen"].date()
    rows, total = ws_mod.network_page(ws, flt, offset=0, limit=500)
    assert top["network_id"] in {r["network_id"] for r in rows}
    _all, everything = ws_mod.network_page(ws, ws_mod.NetworkFilter(), offset=0, limit=1)
    assert 0 < total < everything or field in ("dates", "site", "city")
    for row in rows:
        if field == "category":
            assert flt.category in row["indicator_categories"]
        if field == "size":
            assert row["n_ads"] == network["n_ads"]


def test_changed_weights_score_the_same_in_sql_and_in_the_explanation(ws, top):
    overrides = {"n_ads": 30.0, "share_youth_cues": 2.0}
    rows, _ = ws_mod.network_page(ws, ws_mod.NetworkFilter(include_ids=[top["network_id"]]), offset=0, limit=1,
                                  overrides=overrides)  # fmt: skip
    network = ws_mod.network_get(ws, top["network_id"])
    explained = sum(item["points"] for item in ws_mod.explain(network, overrides))
    assert rows[0]["risk_score"] == pytest.approx(explained, abs=0.1)
    unchanged, _ = ws_mod.network_page(ws, ws_mod.NetworkFilter(include_ids=[top["network_id"]]), offset=0, limit=1)
    assert unchanged[0]["risk_score"] == pytest.approx(network["risk_score"])
