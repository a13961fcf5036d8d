"""Reads of the online area that combine the database (reviews, notices) with the scan workspace."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from threadline.core import charts
from threadline.engines.online import workspace as ws_mod
from threadline.online.evidence import CATEGORY_LABELS, annotate, link_reasons
from threadline.online.models import (
    RELEVANT_LABELS,
    AdCorrection,
    AdLabel,
    Investigation,
    Label,
    NetworkReview,
    NoticeStatus,
    PlatformNotice,
    ReviewNote,
    Scan,
    WeightProposal,
)

NOT_RELEVANT_LABELS = {Label.INDEPENDENT, Label.SPAM_SCAM, Label.NOT_RELEVANT}
REVIEW_STATUSES = ("unreviewed", "labelled", "confirmed", "unconfirmed", "assigned_to_me")
PRECISION_KS = (5, 10, 20, 50)


def investigation_workspace(investigation: Investigation) -> ws_mod.Workspace | None:
    scan = investigation.current_scan
    if scan is None or not scan.workspace:
        return None
    ws = ws_mod.Workspace(Path(scan.workspace))
    return ws if ws.exists() else None


def review_filter_ids(*, investigation: Investigation, status: str, user) -> tuple[list[str] | None, list[str]]:
    """(include, exclude) network ids for a review-status filter; include None means no restriction."""
    reviews = NetworkReview.objects.filter(investigation=investigation)
    if not status:
        return None, []
    if status == "unreviewed":
        return None, list(reviews.exclude(label="").values_list("network_id", flat=True))
    if status == "labelled":
        return list(reviews.exclude(label="").values_list("network_id", flat=True)), []
    if status == "confirmed":
        return list(reviews.filter(confirmed_at__isnull=False).values_list("network_id", flat=True)), []
    if status == "unconfirmed":
        ids = reviews.exclude(label="").filter(confirmed_at__isnull=True).values_list("network_id", flat=True)
        return list(ids), []
    if status == "assigned_to_me":
        return list(reviews.filter(assigned_to=user).values_list("network_id", flat=True)), []
    if status in Label.values:
        return list(reviews.filter(label=status).values_list("network_id", flat=True)), []
    return None, []


def reviews_for(investigation: Investigation, network_ids: list[str]) -> dict[str, NetworkReview]:
    rows = NetworkReview.objects.filter(investigation=investigation, network_id__in=network_ids).select_related(
        "assigned_to", "labelled_by", "confirmed_by"
    )
    return {r.network_id: r for r in rows}


# ---------------------------------------------------------------------------------------------- platforms
def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def platform_stats(notices) -> list[dict]:
    """Per platform: notices sent, share removed, median and 90th percentile days to removal, still online
    after 7 days (sent at least 7 days ago and not removed within 7 days of sending)."""
    now = timezone.now()
    by_platform: dict[str, list[PlatformNotice]] = {}
    for notice in notices:
        by_platform.setdefault(notice.platform, []).append(notice)
    out = []
    for platform, items in sorted(by_platform.items()):
        sent = [n for n in items if n.sent_at is not None]
        removed = [n for n in sent if n.removed_at is not None]
        days = [max((n.removed_at - n.sent_at).total_seconds() / 86400, 0.0) for n in removed]
        due = [n for n in sent if n.sent_at <= now - timedelta(days=7)]
        still = [n for n in due if n.removed_at is None or n.removed_at > n.sent_at + timedelta(days=7)]
        out.append({
            "platform": platform,
            "notices": len(items),
            "sent": len(sent),
            "removed": len(removed),
            "refused": sum(1 for n in sent if n.status == NoticeStatus.REFUSED),
            "no_response": sum(1 for n in sent if n.status == NoticeStatus.NO_RESPONSE),
            "share_removed": (len(removed) / len(sent)) if sent else None,
            "median_days": statistics.median(days) if days else None,
            "p90_days": _percentile(days, 0.9),
            "due": len(due),
            "still_online_7d": len(still),
            "days_to_removal": days,
        })  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------------- calibration
def _labelled(investigation: Investigation) -> dict[str, bool]:
    """Network id -> relevant? for networks labelled relevant or not relevant ("needs more information" is left out)."""
    out = {}
    for network_id, label in NetworkReview.objects.filter(investigation=investigation).values_list(
        "network_id", "label"
    ):
        if label in RELEVANT_LABELS:
            out[network_id] = True
        elif label in NOT_RELEVANT_LABELS:
            out[network_id] = False
    return out


def precision_at_k(scored: list[tuple[float, bool]], ks=PRECISION_KS) -> dict[str, float | None]:
    """Share of relevant networks among the k highest-scored labelled networks (None while fewer than k)."""
    ranked = [rel for _score, rel in sorted(scored, key=lambda x: -x[0])]
    out: dict[str, float | None] = {}
    for k in ks:
        out[str(k)] = round(sum(ranked[:k]) / k, 3) if len(ranked) >= k else None
    if ranked:
        out["all"] = round(sum(ranked) / len(ranked), 3)
    return out


def corrections_by_evidence(*, investigation: Investigation) -> dict[str, int]:
    """Ads that reviewers split off or removed, per kind of link that had put them in their network."""
    counts: dict[str, int] = {}
    for evidence in AdCorrection.objects.filter(investigation=investigation).values_list("evidence", flat=True):
        for kind in evidence or []:
            counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def calibration_report(*, investigation: Investigation, overrides: dict | None = None) -> dict:
    ws = investigation_workspace(investigation)
    labelled = _labelled(investigation)
    corrections = corrections_by_evidence(investigation=investigation)
    if ws is None or not labelled:
        return {"n_labelled": len(labelled), "n_relevant": sum(labelled.values()), "precision": {}, "rows": [],
                "corrections": corrections}  # fmt: skip
    weights = investigation.risk_weights if overrides is None else overrides
    rows = ws_mod.network_ids_ranked(ws, list(labelled), weights)
    scored = [(float(r["risk_score"] or 0), labelled[r["network_id"]]) for r in rows]
    return {
        "n_labelled": len(scored),
        "n_relevant": sum(1 for _s, rel in scored if rel),
        "precision": precision_at_k(scored),
        "rows": rows,
        "corrections": corrections,
    }


def calibration_propose(*, investigation: Investigation) -> dict | None:
    """Propose weights from the labels: raise a feature's weight where it separates networks labelled relevant
    from those labelled not relevant, lower it where it does not. A transparent heuristic, for an analyst to
    accept or reject; precision at k before and after is measured on the same labelled networks."""
    report = calibration_report(investigation=investigation)
    rows = report["rows"]
    labelled = _labelled(investigation)
    pos = [r for r in rows if labelled.get(r["network_id"])]
    neg = [r for r in rows if r["network_id"] in labelled and not labelled[r["network_id"]]]
    if not pos or not neg:
        return None
    current = ws_mod.effective_weights(investigation.risk_weights)["features"]
    proposed = {}
    for name, spec in current.items():

        def level(row, name=name, spec=spec):
            v = float(row.get(name) or 0)
            if name in ws_mod.COUNT_FEATURES:
                v = max(v - 1, 0)
            return min(v / float(spec["cap"]), 1.0)

        gap = sum(level(r) for r in pos) / len(pos) - sum(level(r) for r in neg) / len(neg)
        factor = min(max(1.0 + gap, 0.5), 2.0)
        proposed[name] = round(float(spec["weight"]) * factor, 2)
    after = calibration_report(investigation=investigation, overrides=proposed)
    changes = {k: v for k, v in proposed.items() if abs(v - float(current[k]["weight"])) >= 0.01}
    return {
        "weights": proposed,
        "metrics": {
            "before": report["precision"],
            "after": after["precision"],
            "n_labelled": report["n_labelled"],
            "n_relevant": report["n_relevant"],
            "changed": sorted(changes),
        },
    }


@dataclass(frozen=True)
class NoticeText:
    """A platform notice as it is sent: the same words on the page, in the plain-text copy and in the PDF."""

    greeting: str
    reason: str
    intro: str
    urls: list[str]

    def plain(self) -> str:
        return "\n\n".join([self.greeting, self.reason, self.intro, "\n".join(f"- {url}" for url in self.urls)]) + "\n"


def notice_text(notice) -> NoticeText:
    """The notice's text in the reader's language (the reason is kept as the analyst wrote it)."""
    n = len(notice.ad_urls)
    return NoticeText(
        greeting=_("To the trust and safety team of %(platform)s:") % {"platform": notice.platform},
        reason=notice.reason,
        intro=ngettext("The following ad:", "The following %(n)d ads:", n) % {"n": n},
        urls=list(notice.ad_urls),
    )


def ad_corrections(*, investigation, ad_ids: list[str]) -> dict[str, AdCorrection]:
    """The analysts' grouping corrections of these ads (split off, removed), by ad id."""
    return {c.ad_id: c for c in AdCorrection.objects.filter(investigation=investigation, ad_id__in=ad_ids)}


# ---------------------------------------------------------------------------------------------- pages
# What the online pages show, read here so the views stay declarative (``online/views.py``).

NETWORKS_PER_PAGE = 50
ADS_PER_PAGE = 20  # a network page lists its ads in pages: a 59-ad network was a 25,700-px page
NOTICE_CSV_COLUMNS = ("platform", "notices", "sent", "removed", "refused", "no_response", "share_removed",
                      "median_days", "p90_days", "due", "still_online_7d")  # fmt: skip


def investigation_overview(*, investigation: Investigation) -> dict:
    """The investigation page: its inputs, recent scans, the running one, packages, notices and reviews."""
    return {
        "sources": investigation.sources.all(),
        "scans": investigation.scans.select_related("task")[:10],
        "running": investigation.scans.filter(status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING]).first(),
        "packages": investigation.packages.select_related("created_by")[:20],
        "notices": investigation.notices.all()[:20],
        "n_reviews": investigation.reviews.exclude(label="").count(),
    }


def scan_finished_refresh(*, investigation: Investigation) -> dict:
    """What a finished scan changes on its investigation's page (refreshed out of band by the last poll)."""
    return {
        "investigation": investigation,
        "refresh_page": True,
        "scans": investigation.scans.select_related("task")[:10],
        "n_reviews": investigation.reviews.exclude(label="").count(),
    }


def network_list_page(*, investigation: Investigation, ws: ws_mod.Workspace, data: dict, user, number: int) -> dict:
    """One page of the networks matching the filter form's cleaned ``data``, with their reviews."""
    include, exclude = review_filter_ids(investigation=investigation, status=data.get("review") or "", user=user)
    if data.get("q"):
        found = ws_mod.search_networks(ws, data["q"])
        include = found if include is None else [n for n in include if n in set(found)]
    flt = ws_mod.NetworkFilter(
        category=data.get("category") or "", city=data.get("city") or "", site=data.get("site") or "",
        min_ads=data.get("min_ads"), max_ads=data.get("max_ads"), date_from=data.get("date_from"),
        date_to=data.get("date_to"), include_ids=include, exclude_ids=exclude,
    )  # fmt: skip
    rows, total = ws_mod.network_page(
        ws, flt, offset=(number - 1) * NETWORKS_PER_PAGE, limit=NETWORKS_PER_PAGE,
        overrides=investigation.risk_weights,
    )  # fmt: skip
    reviews = reviews_for(investigation, [r["network_id"] for r in rows])
    for row in rows:
        row["review"] = reviews.get(row["network_id"])
        row["category_labels"] = [CATEGORY_LABELS.get(c, c) for c in row["indicator_categories"]]
    paginator = Paginator(range(total), NETWORKS_PER_PAGE)
    page = Page(rows, min(number, max(paginator.num_pages, 1)), paginator)
    return {"networks": rows, "total": total, "page_obj": page, "is_paginated": paginator.num_pages > 1}


def network_platforms(ads: list[dict]) -> list[str]:
    """The sites of a network's ads that have a link (the platforms a notice can go to)."""
    return sorted({a["site"] for a in ads if a.get("site") and a.get("url")})


def network_detail(*, investigation: Investigation, ws: ws_mod.Workspace, network: dict, ads_page: str | None) -> dict:
    """The network page: its ads (one page, annotated with labels, link reasons and corrections), where they
    are, what they share, the score's explanation and the charts."""
    network_id = network["network_id"]
    ads = ws_mod.network_ads(ws, network_id)
    indicators = ws_mod.network_indicators(ws, network_id)
    entities = ws_mod.network_entities(ws, network_id)
    review = NetworkReview.objects.filter(investigation=investigation, network_id=network_id).select_related(
        "labelled_by", "confirmed_by", "assigned_to").first()  # fmt: skip
    ad_labels = dict(
        AdLabel.objects.filter(investigation=investigation, network_id=network_id).values_list("ad_id", "label")
    )
    cities: dict[tuple, int] = {}
    for ad in ads:
        key = (ad.get("city") or "?", ad.get("country") or "")
        cities[key] = cities.get(key, 0) + 1
    shared: dict[tuple, set] = {}
    for e in entities:
        if e["kind"] in ("phone", "email", "handle", "image", "url", "name"):
            shared.setdefault((e["kind"], e["value"]), set()).add(e["ad_id"])
    explanation = ws_mod.explain(network, investigation.risk_weights)
    page = Paginator(ads, ADS_PER_PAGE).get_page(ads_page)
    page_ads = list(page.object_list)
    annotated = annotate(page_ads, indicators, entities)
    reasons = link_reasons(ws_mod.network_links(ws, network_id))
    corrections = ad_corrections(investigation=investigation, ad_ids=[a["ad_id"] for a in page_ads])
    for ad in annotated:
        ad["label"] = ad_labels.get(ad["ad_id"], "")
        ad["why"] = reasons.get(ad["ad_id"], [])
        ad["correction"] = corrections.get(ad["ad_id"])
    return {
        "investigation": investigation, "network": network, "ads": annotated, "n_ads_shown": len(ads),
        "ads_page": page, "graph_kinds": sorted({e["kind"] for e in entities} & set(charts.GRAPH_KINDS)),
        "review": review, "platforms": network_platforms(ads),
        "notes": ReviewNote.objects.filter(investigation=investigation, network_id=network_id).select_related("author"),
        "cities": sorted(cities.items(), key=lambda x: -x[1]),
        "shared": sorted(((k, len(v)) for k, v in shared.items()), key=lambda x: (-x[1], x[0])),
        "explanation": explanation, "explanation_chart": charts.bars(
            [(e["label"], e["points"]) for e in explanation], label=_("Risk score contributions (points)")),
        "timeline": charts.timeline(ads), "graph": charts.graph(ads, entities),
        "categories": [CATEGORY_LABELS.get(c, c) for c in network.get("indicator_categories") or []],
        "packages": investigation.packages.filter(network_id=network_id),
        "notices": investigation.notices.filter(network_id=network_id),
    }  # fmt: skip


def network_evidence(*, ws: ws_mod.Workspace, network_id: str) -> tuple[set[str], dict[str, list[str]]]:
    """A network's ad ids, and for each ad the kinds of link that put it in the network."""
    members = {a["ad_id"] for a in ws_mod.network_ads(ws, network_id, limit=100_000)}
    reasons = link_reasons(ws_mod.network_links(ws, network_id))
    return members, {ad: [r["kind"] for r in rs] for ad, rs in reasons.items()}


def signal_network_ids(*, investigation: Investigation, scope: str) -> list[str]:
    """The labelled networks whose identifiers a signals export hashes (``relevant``: the concerning ones)."""
    reviews = NetworkReview.objects.filter(investigation=investigation).exclude(label="")
    if scope == "relevant":
        reviews = reviews.filter(label__in=["likely_trafficking", "possible_minor"])
    return list(reviews.values_list("network_id", flat=True))


def platform_charts(stats: list[dict]) -> dict:
    """The platform accountability page's charts: share removed and median days to removal."""
    return {
        "chart_removed": charts.bars([(s["platform"], s["share_removed"] or 0.0) for s in stats if s["sent"]],
                                     label=_("Share of notices sent that led to removal"), unit="%", maximum=1),
        "chart_median": charts.bars([(s["platform"], s["median_days"]) for s in stats if s["median_days"] is not None],
                                    label=_("Median days from notice to removal"), unit=" d"),
    }  # fmt: skip


def platform_detail_charts(stats: dict) -> dict:
    """One platform's page: its notices by days to removal."""
    return {"histogram": charts.histogram(stats["days_to_removal"], label=_("Notices by days to removal"))}


def platform_csv_rows(stats: list[dict]) -> list[list]:
    """The platform statistics as CSV rows (header first): blanks for unknowns, shares to three places."""
    rows: list[list] = [list(NOTICE_CSV_COLUMNS)]
    for row in stats:
        rows.append([("" if row[c] is None else (round(row[c], 3) if isinstance(row[c], float) else row[c]))
                     for c in NOTICE_CSV_COLUMNS])  # fmt: skip
    return rows


def calibration_overview(*, investigation: Investigation, proposals) -> dict:
    """The calibration page: precision report, the effective weights and the (restricted) proposals."""
    return {
        "report": calibration_report(investigation=investigation),
        "weights": ws_mod.effective_weights(investigation.risk_weights)["features"],
        "proposals": proposals[:10],
        "open": proposals.filter(status=WeightProposal.Status.PROPOSED).first(),
    }
