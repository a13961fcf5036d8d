"""Self-contained ``report.html``: top networks with their evidence, charts as inline SVG, no external assets."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

import pyarrow as pa

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1b1b1b;max-width:1200px}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #ddd;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}.note{background:#fff8e1;border-left:4px solid #f0b400;
padding:.6rem 1rem}.ev{border:1px solid #ddd;padding:.5rem;margin:.4rem 0;font-size:.9rem;white-space:pre-wrap}
mark.ind{background:#ffd6d6}mark.ent{background:#d6e8ff}.bar{fill:#3b6ea5}.lbl{font-size:11px}
details{margin:.5rem 0}summary{cursor:pointer;font-weight:600}
"""


def _svg_bars(items: list[tuple[str, float]], width: int = 560, title: str = "") -> str:
    if not items:
        return "<p>No data.</p>"
    mx = max(v for _, v in items) or 1
    h = 22 * len(items) + 10
    rows = []
    for i, (label, v) in enumerate(items):
        w = int((width - 220) * v / mx)
        y = 5 + 22 * i
        rows.append(f'<text class="lbl" x="0" y="{y + 14}">{html.escape(label)}</text>'
                    f'<rect class="bar" x="180" y="{y}" width="{w}" height="16"/>'
                    f'<text class="lbl" x="{185 + w}" y="{y + 14}">{v:,.0f}</text>')  # fmt: skip
    return (f'<svg role="img" aria-label="{html.escape(title)}" width="{width}" height="{h}" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>')  # fmt: skip


def _highlight(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    spans = sorted((s for s in spans if s[0] is not None and 0 <= s[0] < s[1] <= len(text)), key=lambda s: s[0])
    out, pos = [], 0
    for s, e, cls, tip in spans:
        if s < pos:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f'<mark class="{cls}" title="{html.escape(tip)}">{html.escape(text[s:e])}</mark>')
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


def write_report(out: Path, networks: pa.Table, hubs: list[dict], times: dict, top: int = 50) -> None:
    import duckdb

    scan = {}
    multi = networks.filter(pa.compute.greater_equal(networks["n_ads"], 2))
    top_tbl = multi.slice(0, top)
    top_rows = top_tbl.select(["network_id", "n_ads", "risk_score", "risk_explanation", "n_phones", "n_cities",
                               "n_sites", "n_names", "cities", "sites", "first_seen", "last_seen",
                               "indicator_categories", "price_median"]).to_pylist()  # fmt: skip
    ids = [r["network_id"] for r in top_rows]
    evidence: dict[str, list[dict]] = {i: [] for i in ids}
    if ids:
        con = duckdb.connect()
        con.execute("SET threads = 2")
        con.register("top_ids", pa.table({"network_id": ids}))
        ads_p = str((out / "ads.parquet").resolve()).replace("'", "''")
        ind_p = str((out / "indicators.parquet").resolve()).replace("'", "''")
        ent_p = str((out / "entities.parquet").resolve()).replace("'", "''")
        sample = con.execute(f"""
            SELECT network_id, ad_id, title, body, city, site, posted_at FROM (
              SELECT *, row_number() OVER (PARTITION BY network_id ORDER BY indicator_weight DESC, ad_id) rn
              FROM read_parquet('{ads_p}') WHERE network_id IN (SELECT network_id FROM top_ids)) WHERE rn <= 3
        """).fetchall()  # noqa: S608
        ad_ids = [s[1] for s in sample]
        con.register("sample_ids", pa.table({"ad_id": ad_ids}))
        spans: dict[str, list] = {}
        q_ind = f"SELECT ad_id, field, start, \"end\", category FROM read_parquet('{ind_p}') WHERE ad_id IN (SELECT ad_id FROM sample_ids)"  # noqa: S608,E501
        q_ent = f"SELECT ad_id, field, start, \"end\", kind FROM read_parquet('{ent_p}') WHERE ad_id IN (SELECT ad_id FROM sample_ids)"  # noqa: S608,E501
        for q, cls in ((q_ind, "ind"), (q_ent, "ent")):
            for ad_id, fld, s, e, tip in con.execute(q).fetchall():
                spans.setdefault(ad_id, []).append((fld, s, e, cls, tip))
        con.close()
        for nid, ad_id, title, body, city, site, posted in sample:
            sp = spans.get(ad_id, [])
            evidence[nid].append({
                "ad_id": ad_id, "city": city, "site": site, "posted": str(posted)[:16],
                "title": _highlight(title or "", [(s, e, c, t) for f, s, e, c, t in sp if f == "title"]),
                "body": _highlight(body or "", [(s, e, c, t) for f, s, e, c, t in sp if f == "body"]),
            })  # fmt: skip
    sj = out / "scan.json"
    if sj.exists():
        try:
            scan = json.loads(sj.read_text())
        except ValueError:
            scan = {}
    n_ads = networks["n_ads"].to_numpy() if networks.num_rows else []
    buckets = [("1 ad", 1, 1), ("2-4 ads", 2, 4), ("5-9 ads", 5, 9), ("10-49 ads", 10, 49), ("50+ ads", 50, 10**12)]
    size_items = [(lbl, float(((n_ads >= lo) & (n_ads <= hi)).sum())) for lbl, lo, hi in buckets]
    cat_items = []
    for c in ("youth_cues", "third_party_control", "movement", "restricted_autonomy", "coded_emoji",
              "deceptive_recruitment", "obscured_contact"):  # fmt: skip
        col = f"n_{c}"
        if col in networks.column_names:
            cat_items.append((c.replace("_", " "), float(pa.compute.sum(networks[col]).as_py() or 0)))
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Threadline scan report</title>"
             f"<style>{CSS}</style></head><body>",
             "<h1>Threadline online scan</h1>",
             '<p class="note">Every score and flag in this report is an indicator for human review, never a verdict. '
             "An ad alone is not evidence.</p>"]  # fmt: skip
    counts = scan.get("counts", {})
    parts.append("<h2>Summary</h2><table>")
    for k in ("input_records", "read", "rejected", "ads", "networks", "multi_ad_networks", "ads_in_multi_ad_networks",
              "hubs", "indicator_hits"):  # fmt: skip
        if k in counts:
            parts.append(f"<tr><th>{html.escape(k.replace('_', ' '))}</th><td>{counts[k]:,}</td></tr>")
    parts.append("</table><h2>Time per stage (seconds)</h2>")
    parts.append(_svg_bars([(k, float(v)) for k, v in times.items()], title="time per stage"))
    parts.append("<h2>Network sizes</h2>" + _svg_bars(size_items, title="network sizes"))
    parts.append("<h2>Ads per indicator category</h2>" + _svg_bars(cat_items, title="indicator categories"))
    if hubs:
        parts.append("<h2>Hubs (shared identifiers not used for linking)</h2><table><tr><th>kind</th><th>value</th>"
                     "<th>ads</th><th>separate groups</th></tr>")  # fmt: skip
        for h in hubs[:30]:
            parts.append(f"<tr><td>{html.escape(h['kind'])}</td><td>{html.escape(h['value'])}</td>"
                         f"<td>{h['n_ads']}</td><td>{h['n_separate_groups']}</td></tr>")  # fmt: skip
        parts.append("</table>")
    parts.append(f"<h2>Top {len(top_rows)} networks by risk score</h2>")
    for r in top_rows:
        expl = json.loads(r["risk_explanation"] or "[]")
        why = ", ".join(f"{e['label']} = {e['value']} (+{e['points']})" for e in expl[:6])
        parts.append(f"<details><summary>{html.escape(r['network_id'])} · score {r['risk_score']} · {r['n_ads']} ads · "
                     f"{r['n_phones']} phones · {r['n_cities']} cities</summary>")  # fmt: skip
        parts.append("<table>")
        parts.append(f"<tr><th>why</th><td>{html.escape(why)}</td></tr>")
        parts.append(f"<tr><th>cities</th><td>{html.escape(', '.join(c for c in r['cities'] if c))}</td></tr>")
        parts.append(f"<tr><th>sites</th><td>{html.escape(', '.join(c for c in r['sites'] if c))}</td></tr>")
        parts.append(f"<tr><th>active</th><td>{html.escape(str(r['first_seen'])[:10])} to "
                     f"{html.escape(str(r['last_seen'])[:10])}</td></tr>")  # fmt: skip
        parts.append(f"<tr><th>indicators</th><td>{html.escape(', '.join(r['indicator_categories']))}</td></tr>")
        parts.append("</table>")
        for ev in evidence.get(r["network_id"], []):
            parts.append(f'<div class="ev"><strong>{html.escape(ev["ad_id"])}</strong> · '
                         f'{html.escape(ev["city"] or "")} · '
                         f"{html.escape(ev['site'] or '')} · {html.escape(ev['posted'])}\n<b>{ev['title']}</b>\n"
                         f"{ev['body']}</div>")  # fmt: skip
        parts.append("</details>")
    parts.append('<p>Legend: <mark class="ind">indicator</mark> <mark class="ent">identifier</mark></p>')
    parts.append("</body></html>")
    tmp = out / "report.html.tmp"
    tmp.write_text("".join(parts), encoding="utf-8")
    os.replace(tmp, out / "report.html")
