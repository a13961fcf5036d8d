"""Indicator evidence for reading: each ad's text split into plain and highlighted parts, with explanations."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CATEGORY_LABELS = {
    "youth_cues": _("Youth cues"),
    "third_party_control": _("Third-party control"),
    "movement": _("Movement"),
    "restricted_autonomy": _("Restricted autonomy"),
    "coded_emoji": _("Coded emoji"),
    "deceptive_recruitment": _("Deceptive recruitment"),
    "obscured_contact": _("Obscured contact"),
}
CATEGORY_EXPLANATIONS = {
    "youth_cues": _("Words that published indicator lists associate with advertising a young person."),
    "third_party_control": _("Someone other than the person advertised seems to arrange or answer."),
    "movement": _("The person is described as newly arrived or moving between places for short stays."),
    "restricted_autonomy": _("Availability or conditions suggest the person cannot choose freely."),
    "coded_emoji": _("Emoji used as code in published indicator lists."),
    "deceptive_recruitment": _("Job-offer wording that published lists associate with deceptive recruitment."),
    "obscured_contact": _("A contact written to avoid detection (spelled-out digits, odd separators)."),
}


LINK_LABELS = {
    "phone": _("Shared phone"),
    "email": _("Shared e-mail"),
    "handle": _("Shared handle"),
    "image": _("Shared image"),
    "text": _("Distinctive shared text"),
}


def link_reasons(links: list[dict]) -> dict[str, list[dict]]:
    """Per ad, why it is in its network: each shared identifier once (with how many of the network's links
    carry it), and the ads whose distinctive text (boilerplate set aside) it shares. A link explains both ads."""
    reasons: dict[str, dict[tuple, dict]] = {}
    for link in links:
        kind = link["kind"]
        for ad, other in ((link["ad_id"], link["other_ad_id"]), (link["other_ad_id"], link["ad_id"])):
            key = (kind, link["value"] if kind != "text" else other)
            r = reasons.setdefault(ad, {}).get(key)
            if r is None:
                reasons[ad][key] = {"kind": kind, "label": LINK_LABELS.get(kind, kind), "value": link["value"],
                                    "other_ad_id": other if kind == "text" else "", "n_links": 1}  # fmt: skip
            else:
                r["n_links"] += 1
    return {ad: sorted(rs.values(), key=lambda r: (r["kind"] == "text", r["kind"], r["value"] or "",
                                                   r["other_ad_id"])) for ad, rs in reasons.items()}  # fmt: skip


@dataclass
class Part:
    text: str
    category: str = ""
    kind: str = ""  # "indicator" or an identifier kind
    note: str = ""
    ref: int | None = None


def split(text: str, spans: list[dict]) -> list[Part]:
    """Cut ``text`` at non-overlapping spans (earliest first; overlapping later spans are dropped)."""
    text = text or ""
    usable = sorted(
        (s for s in spans if s.get("start") is not None and 0 <= s["start"] < s["end"] <= len(text)),
        key=lambda s: (s["start"], -s["end"]),
    )
    parts: list[Part] = []
    pos = 0
    for s in usable:
        if s["start"] < pos:
            continue
        if s["start"] > pos:
            parts.append(Part(text[pos : s["start"]]))
        parts.append(
            Part(text[s["start"] : s["end"]], s.get("category", ""), s["kind"], s.get("note", ""), s.get("ref"))
        )
        pos = s["end"]
    if pos < len(text):
        parts.append(Part(text[pos:]))
    return parts


def annotate(ads: list[dict], indicators: list[dict], entities: list[dict]) -> list[dict]:
    """For each ad: title and body parts with indicator evidence and identifiers marked, and the evidence list."""
    by_ad: dict[str, list[dict]] = {}
    for ind in indicators:
        by_ad.setdefault(ind["ad_id"], []).append(ind)
    ents: dict[str, list[dict]] = {}
    for ent in entities:
        ents.setdefault(ent["ad_id"], []).append(ent)
    out = []
    for ad in ads:
        evidence = []
        spans: dict[str, list[dict]] = {"title": [], "body": []}
        for i, ind in enumerate(by_ad.get(ad["ad_id"], []), start=1):
            category = ind["category"]
            evidence.append({
                "ref": i, "category": category, "label": CATEGORY_LABELS.get(category, category),
                "explanation": CATEGORY_EXPLANATIONS.get(category, ""), "matched": ind["matched"],
                "language": ind["language"], "weight": ind["weight"], "pattern": ind["pattern"],
            })  # fmt: skip
            if ind["field"] in spans:
                spans[ind["field"]].append({"start": ind["start"], "end": ind["end"], "category": category,
                                            "kind": "indicator", "note": str(CATEGORY_LABELS.get(category, category)),
                                            "ref": i})  # fmt: skip
        for ent in ents.get(ad["ad_id"], []):
            if ent["field"] in spans and ent["kind"] != "name":
                spans[ent["field"]].append({"start": ent["start"], "end": ent["end"], "kind": ent["kind"],
                                            "note": f"{ent['kind']}: {ent['value']}"})  # fmt: skip
        out.append({
            **ad,
            "title_parts": split(ad.get("title") or "", spans["title"]),
            "body_parts": split(ad.get("body") or "", spans["body"]),
            "evidence": evidence,
            "identifiers": list(ents.get(ad["ad_id"], [])),
        })  # fmt: skip
    return out
