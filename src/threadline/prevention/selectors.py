"""Reads of the prevention area. Querysets are restricted here (organisation, role, a facilitator's schools);
aggregates are computed in SQL from precomputed rows (class reach, outcome tallies), never by loading
responses; every pupil figure below 11 is suppressed (primary and complementary, by the disclosure engine)."""

from __future__ import annotations

import math
from collections import defaultdict
from statistics import median
from typing import Any

import numpy as np
import pyarrow as pa
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from threadline.accounts.models import Membership
from threadline.engines.disclosure import DEFAULT_K
from threadline.engines.prevention import SEXES, Analysis, analyse, check_table, hidden_categories, welch
from threadline.prevention import definitions
from threadline.prevention.models import (
    ClassReach,
    Concern,
    District,
    OutcomeTally,
    ProgrammePlan,
    PublishedSummary,
    SafetyProtocol,
    School,
    SessionDelivery,
    SurveyResponse,
    SurveyRound,
)

K = DEFAULT_K


def schools(*, user, organisation, action: str = "view"):
    return School.objects.restrict(user, action, organisation).select_related("district")


def plans(*, user, organisation, action: str = "view"):
    return ProgrammePlan.objects.restrict(user, action, organisation).select_related("school", "school__district")


def sessions(*, user, organisation, action: str = "view"):
    return SessionDelivery.objects.restrict(user, action, organisation).select_related("plan__school")


def rounds(*, user, organisation, action: str = "view"):
    return SurveyRound.objects.restrict(user, action, organisation).select_related("plan__school")


def concerns(*, user, organisation, action: str = "view"):
    return Concern.objects.restrict(user, action, organisation).select_related("school", "lead__user")


# -- analysis -------------------------------------------------------------------------------------------


def responses_table(responses, questionnaire) -> pa.Table:
    """The engine's responses table (strings) for a queryset of responses: never names, only keyed codes."""
    rows = list(responses.values_list("phase", "pair_key", "school_id", "sex", "age_band", "answers"))
    columns: dict[str, list[Any]] = {
        "instrument": [questionnaire.id] * len(rows),
        "phase": [r[0] for r in rows],
        "code": [r[1] or None for r in rows],
        "school": [str(r[2]) for r in rows],
        "sex": [r[3] or None for r in rows],
        "age_band": [r[4] or None for r in rows],
    }
    for item in questionnaire.items:
        columns[item.id] = [(r[5] or {}).get(item.id) or None for r in rows]
    return pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})


def analysis_for(responses, questionnaire) -> Analysis:
    table = responses_table(responses.filter(questionnaire_id=questionnaire.id), questionnaire)
    return analyse(check_table(table, questionnaire, "survey responses"), k=K)


def plan_responses(plan):
    return SurveyResponse.objects.filter(plan=plan)


def programme_responses(*, organisation, school: str | None = None):
    """The organisation's responses, optionally one school's: read only for aggregates (nobody views them)."""
    responses = SurveyResponse.objects.filter(organisation=organisation)
    if school and school.isdigit():
        responses = responses.filter(school_id=int(school))
    return responses


def members_to_choose(*, organisation):
    """Active members of the organisation, for choosing a facilitator or a designated lead."""
    return Membership.objects.filter(organisation=organisation, is_active=True).select_related("user")


# -- aggregates -----------------------------------------------------------------------------------------


def _protected(counts: dict[str, int]) -> dict[str, int | None]:
    hidden = hidden_categories(dict(counts), k=K)
    return {key: (None if key in hidden else value) for key, value in counts.items()}


def _protect_total(n: int) -> int | None:
    return None if 0 < n < K else n


def coverage(*, organisation) -> dict[str, Any]:
    """Schools and pupils reached per district against its totals, and pupils reached by sex and age band."""
    reach = ClassReach.objects.filter(organisation=organisation)
    per_district = {
        row["district"]: row
        for row in reach.values("district").annotate(
            pupils_reached=Sum("pupils"), schools_reached=Count("school", distinct=True)
        )
    }
    rows = []
    for district in District.objects.filter(organisation=organisation).annotate(
        schools_listed=Count("schools", distinct=True)
    ):
        found = per_district.get(district.pk, {})
        pupils = int(found.get("pupils_reached") or 0)
        schools_reached = int(found.get("schools_reached") or 0)
        rows.append(
            {
                "district": district.name,
                "schools_reached": schools_reached,
                "schools_total": district.schools_total or district.schools_listed,
                "schools_share": _share(schools_reached, district.schools_total or district.schools_listed),
                "pupils_reached": _protect_total(pupils),
                "pupils_total": district.pupils_total,
                "pupils_share": _share(pupils, district.pupils_total) if _protect_total(pupils) is not None else None,
            }
        )
    cells = {(r["sex"], r["age_band"]): r["n"] for r in reach.values("sex", "age_band").annotate(n=Sum("pupils"))}
    by_sex = {s: sum(n for (sex, _b), n in cells.items() if sex == s) for s in SEXES}
    bands = sorted({b for _s, b in cells})
    by_band = {b: sum(n for (_s, band), n in cells.items() if band == b) for b in bands}
    total = sum(cells.values())
    return {
        "districts": rows,
        "pupils_total": _protect_total(total),
        "by_sex": _protected({s: n for s, n in by_sex.items() if n}),
        "by_age_band": _protected(by_band),
    }


def reach_cells(*, organisation) -> dict[tuple[str, str], int]:
    """Pupils reached by sessions, per (sex, age band), as raw counts from the precomputed class reach (a pupil
    counts once per class: the most present at one session). For disclosure-controlled indicators only: a
    caller suppresses them before showing anything."""
    rows = (
        ClassReach.objects.filter(organisation=organisation)
        .values("sex", "age_band")
        .annotate(n=Sum("pupils"))
        .order_by("sex", "age_band")
    )
    return {(row["sex"], row["age_band"]): int(row["n"] or 0) for row in rows}


def pupils_in_reached_districts(*, organisation) -> int | None:
    """The pupils of the districts the programme reached, from the districts' own totals (None when any of
    them has no total: a share of an unknown whole is not given)."""
    reached = ClassReach.objects.filter(organisation=organisation).values_list("district", flat=True).distinct()
    totals = list(
        District.objects.filter(organisation=organisation, pk__in=reached).values_list("pupils_total", flat=True)
    )
    if not totals or any(t is None for t in totals):
        return None
    return int(sum(totals))


def _share(part: int, whole: int | None) -> float | None:
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


def sessions_per_module(*, organisation, language: str = "en") -> list[dict[str, Any]]:
    rows = (
        SessionDelivery.objects.filter(organisation=organisation)
        .values("plan__curriculum_id", "plan__curriculum_version", "module_id")
        .annotate(sessions=Count("id"), attendance=Sum("pupils"))
        .order_by("plan__curriculum_id", "module_id")
    )
    curricula: dict[tuple[str, str], Any] = {}
    out = []
    for row in rows:
        key = (row["plan__curriculum_id"], row["plan__curriculum_version"])
        if key not in curricula:
            try:
                from threadline.engines.prevention import get_curriculum

                found = get_curriculum(key[0])
                curricula[key] = found if found.version == key[1] else None
            except KeyError:
                curricula[key] = None
        out.append(
            {
                "curriculum": row["plan__curriculum_id"],
                "module": row["module_id"],
                "title": definitions.module_title(curricula[key], row["module_id"], language),
                "sessions": row["sessions"],
                "attendance": _protect_total(int(row["attendance"] or 0)),
            }
        )
    return out


def _moments(n: float, total: float, total_sq: float) -> tuple[float, float]:
    if n <= 0:
        return math.nan, math.nan
    mean = total / n
    var = (total_sq - n * mean * mean) / (n - 1) if n > 1 else math.nan
    return mean, max(var, 0.0) if not math.isnan(var) else var


def _change(pre: tuple[float, float, float], post: tuple[float, float, float]) -> dict[str, Any]:
    """Unpaired change (Welch) from running sums (n, sum, sum of squares) before and after."""
    n1, m1, v1 = pre[0], *_moments(*pre)
    n2, m2, v2 = post[0], *_moments(*post)
    low = min(n1, n2) if min(n1, n2) > 0 else max(n1, n2)
    out: dict[str, Any] = {"n_pre": int(n1), "n_post": int(n2), "suppressed": 0 < low < K}
    if out["suppressed"]:
        out.update(n_pre=None, n_post=None)
        return out
    out["mean_pre"] = None if math.isnan(m1) else m1
    out["mean_post"] = None if math.isnan(m2) else m2
    if n1 > 1 and n2 > 1:
        est = welch(*(np.asarray([x], dtype=float) for x in (n1, m1, v1, n2, m2, v2)))
        out.update({k: _finite(float(v[0])) for k, v in est.items() if k in ("change", "ci_low", "ci_high", "g")})
    return out


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def outcomes(*, organisation, language: str = "en") -> list[dict[str, Any]]:
    """Per questionnaire and scale: change before -> after per month, and overall by sex and by age band."""
    tallies = OutcomeTally.objects.filter(organisation=organisation).exclude(outcome="")
    by_period = tallies.values("questionnaire_id", "outcome", "period", "phase").annotate(
        n_sum=Sum("n"), t=Sum("total"), tt=Sum("total_sq")
    )
    by_sex = tallies.values("questionnaire_id", "outcome", "sex", "phase").annotate(
        n_sum=Sum("n"), t=Sum("total"), tt=Sum("total_sq")
    )
    by_band = tallies.values("questionnaire_id", "outcome", "age_band", "phase").annotate(
        n_sum=Sum("n"), t=Sum("total"), tt=Sum("total_sq")
    )
    cells: dict[tuple, dict[str, tuple[float, float, float]]] = defaultdict(dict)
    for group, rows, key in (
        ("period", by_period, "period"),
        ("sex", by_sex, "sex"),
        ("age_band", by_band, "age_band"),
    ):
        for row in rows:
            cells[(row["questionnaire_id"], row["outcome"], group, row[key])][row["phase"]] = (
                float(row["n_sum"]),
                float(row["t"]),
                float(row["tt"]),
            )
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for (qid, scale_id, group, category), phases in sorted(cells.items()):
        q = definitions.questionnaire(qid)
        scale = next((s for s in q.scales if s.id == scale_id), None) if q else None
        entry = out.setdefault(
            (qid, scale_id),
            {
                "questionnaire": qid,
                "scale": scale_id,
                "title": q.text(scale.title, language) if scale else scale_id,
                "htype_indicator": scale.htype_indicator if scale else None,
                "unit": _unit(q, scale),
                "period": [],
                "sex": [],
                "age_band": [],
            },
        )
        change = _change(phases.get("pre", (0, 0.0, 0.0)), phases.get("post", (0, 0.0, 0.0)))
        entry[group].append({"category": category or "unknown", **change})
    for entry in out.values():
        for group in ("sex", "age_band"):
            _complement(entry[group])
    return list(out.values())


def _unit(q, scale) -> str:
    if not q or not scale:
        return "points"
    return "share" if q.item(scale.items[0]).kind == "knowledge" else "points"


def _complement(rows: list[dict[str, Any]]) -> None:
    """Complementary suppression within a breakdown by the disclosure engine: the pupils a row describes (the
    smaller of before and after) decide; a hidden group cannot be worked out from the total and the others."""
    counts = {r["category"]: _count(r) for r in rows}
    hidden = hidden_categories(counts, k=K)
    for row in rows:
        if row["category"] in hidden and not row["suppressed"]:
            for key in list(row):
                if key != "category":
                    row[key] = None
            row["suppressed"] = True


def _count(row: dict[str, Any]) -> int:
    if row["suppressed"]:
        return 1  # already below k: any count from 1 to k - 1 gives the same pattern
    n_pre, n_post = row["n_pre"] or 0, row["n_post"] or 0
    low = min(n_pre, n_post)
    return low if low > 0 else max(n_pre, n_post)


def concern_handling(*, organisation) -> dict[str, Any]:
    now = timezone.now()
    rows = list(
        Concern.objects.filter(organisation=organisation).values(
            "category",
            "sex",
            "age_band",
            "status",
            "received_at",
            "acknowledged_at",
            "closed_at",
            "acknowledge_due_at",
            "close_due_at",
        )
    )
    ack_hours = [(r["acknowledged_at"] - r["received_at"]).total_seconds() / 3600 for r in rows if r["acknowledged_at"]]
    close_hours = [(r["closed_at"] - r["received_at"]).total_seconds() / 3600 for r in rows if r["closed_at"]]
    late_ack = sum(1 for r in rows if (r["acknowledged_at"] or now) > r["acknowledge_due_at"])
    late_close = sum(1 for r in rows if (r["closed_at"] or now) > r["close_due_at"])
    count = defaultdict(int)
    by_sex = defaultdict(int)
    by_band = defaultdict(int)
    for r in rows:
        count[r["category"]] += 1
        by_sex[r["sex"]] += 1
        by_band[r["age_band"] or "unknown"] += 1
    return {
        "total": len(rows),
        "open": sum(1 for r in rows if r["status"] != Concern.Status.CLOSED),
        "by_category": _protected(dict(count)),
        "by_sex": _protected(dict(by_sex)),
        "by_age_band": _protected(dict(by_band)),
        "median_hours_to_acknowledge": round(median(ack_hours), 1) if ack_hours else None,
        "median_hours_to_close": round(median(close_hours), 1) if close_hours else None,
        "late_acknowledgements": late_ack,
        "late_closures": late_close,
    }


def dashboard(*, organisation, language: str = "en") -> dict[str, Any]:
    return {
        "coverage": coverage(organisation=organisation),
        "modules": sessions_per_module(organisation=organisation, language=language),
        "outcomes": outcomes(organisation=organisation, language=language),
        "concerns": concern_handling(organisation=organisation),
        "k": K,
    }


def public_figures(*, organisation) -> dict[str, Any]:
    """What the public page may show: reach and outcome change, already suppressed; no safeguarding data."""
    cov = coverage(organisation=organisation)
    outs = outcomes(organisation=organisation)
    return {
        "organisation": organisation.name,
        "k": K,
        "districts": cov["districts"],
        "pupils_total": cov["pupils_total"],
        "by_sex": cov["by_sex"],
        "by_age_band": cov["by_age_band"],
        "sessions": sum(m["sessions"] for m in sessions_per_module(organisation=organisation)),
        "outcomes": outcome_overall(outs),
    }


def outcome_overall(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each outcome of :func:`outcomes` with its change over all months, already suppressed at k."""
    return [{"scale": o["scale"], "title": o["title"], "unit": o["unit"], "overall": _overall(o)} for o in entries]


def outcome_changes(*, organisation, language: str = "en") -> list[dict[str, Any]]:
    """Per questionnaire and scale, the change before -> after over every month, sex and age band together, with
    its Welch 95 % interval; suppressed (no counts) when fewer than k pupils answered before or after."""
    rows = (
        OutcomeTally.objects.filter(organisation=organisation)
        .exclude(outcome="")
        .values("questionnaire_id", "outcome", "phase")
        .annotate(n_sum=Sum("n"), t=Sum("total"), tt=Sum("total_sq"))
    )
    sums: dict[tuple[str, str], dict[str, tuple[float, float, float]]] = defaultdict(dict)
    for row in rows:
        sums[(row["questionnaire_id"], row["outcome"])][row["phase"]] = (
            float(row["n_sum"]),
            float(row["t"]),
            float(row["tt"]),
        )
    out = []
    for (qid, scale_id), phases in sorted(sums.items()):
        q = definitions.questionnaire(qid)
        scale = next((s for s in q.scales if s.id == scale_id), None) if q else None
        change = _change(phases.get("pre", (0, 0.0, 0.0)), phases.get("post", (0, 0.0, 0.0)))
        title = q.text(scale.title, language) if scale else scale_id
        out.append({"questionnaire": qid, "scale": scale_id, "title": title, "unit": _unit(q, scale), **change})
    return out


def _overall(entry: dict[str, Any]) -> dict[str, Any]:
    """All months together (from the sex breakdown's sums would double-hide; recompute from the tallies)."""
    return entry["overall"] if "overall" in entry else _sum_periods(entry)


def _sum_periods(entry: dict[str, Any]) -> dict[str, Any]:
    shown = [r for r in entry["period"] if not r["suppressed"] and r.get("change") is not None]
    if not shown:
        return {"suppressed": True}
    n_pre = sum(r["n_pre"] for r in shown)
    n_post = sum(r["n_post"] for r in shown)
    mean_pre = sum(r["mean_pre"] * r["n_pre"] for r in shown) / n_pre
    mean_post = sum(r["mean_post"] * r["n_post"] for r in shown) / n_post
    return {
        "suppressed": False,
        "n_pre": n_pre,
        "n_post": n_post,
        "mean_pre": mean_pre,
        "mean_post": mean_post,
        "change": mean_post - mean_pre,
    }


# -- HTYPE export ---------------------------------------------------------------------------------------

HTYPE_COLUMNS = [
    "reporting_period",
    "htype_indicator",
    "measure",
    "breakdown",
    "category",
    "value",
    "denominator",
    "share_percent",
    "n_before",
    "n_after",
    "mean_before",
    "mean_after",
    "change",
    "ci95_low",
    "ci95_high",
    "hedges_g",
    "unit",
    "suppressed",
]


def htype_rows(*, organisation, data: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The organisation's figures in the shape of the HTYPE performance indicators, one row per figure
    (``data``: the organisation's :func:`dashboard`, when the caller already has it)."""
    data = data or dashboard(organisation=organisation)
    cov = data["coverage"]
    period = _period_label(organisation)
    rows: list[dict[str, Any]] = []

    def add(indicator, measure, breakdown="all", category="all", value=None, denominator=None, **extra):
        row = dict.fromkeys(HTYPE_COLUMNS)
        row.update(
            reporting_period=period,
            htype_indicator=indicator,
            measure=measure,
            breakdown=breakdown,
            category=category,
            value=value,
            denominator=denominator,
        )
        if value is not None and denominator:
            row["share_percent"] = round(100.0 * value / denominator, 1)
        row.update(extra)
        row["suppressed"] = bool(row.pop("_suppressed", False))
        rows.append(row)

    schools_implementing = School.objects.filter(organisation=organisation, plans__sessions__isnull=False).distinct()
    add(
        "schools_implementing",
        "schools with at least one session delivered",
        value=schools_implementing.count(),
        denominator=School.objects.filter(organisation=organisation).count() or None,
    )
    from threadline.prevention.models import Training

    trained = Training.objects.filter(organisation=organisation).values("facilitator").distinct().count()
    add("educators_trained", "facilitators with a training record", value=trained)
    for d in cov["districts"]:
        add(
            "pupils_reached",
            "pupils reached",
            "district",
            d["district"],
            d["pupils_reached"],
            d["pupils_total"],
            _suppressed=d["pupils_reached"] is None,
        )
    add("pupils_reached", "pupils reached", value=cov["pupils_total"], _suppressed=cov["pupils_total"] is None)
    for group, values in (("sex", cov["by_sex"]), ("age_band", cov["by_age_band"])):
        for category, value in values.items():
            add("pupils_reached", "pupils reached", group, category, value, _suppressed=value is None)
    for o in data["outcomes"]:
        indicator = o["htype_indicator"] or o["scale"]
        for group in ("sex", "age_band"):
            for r in o[group]:
                add(
                    indicator,
                    f"{o['questionnaire']}: {o['scale']}",
                    group,
                    r["category"],
                    unit=o["unit"],
                    n_before=r.get("n_pre"),
                    n_after=r.get("n_post"),
                    mean_before=_round(r.get("mean_pre")),
                    mean_after=_round(r.get("mean_post")),
                    change=_round(r.get("change")),
                    ci95_low=_round(r.get("ci_low")),
                    ci95_high=_round(r.get("ci_high")),
                    hedges_g=_round(r.get("g")),
                    _suppressed=r["suppressed"],
                )
    c = data["concerns"]
    add(
        "school_safety_protocol",
        "concerns recorded",
        value=_protect_total(c["total"]),
        _suppressed=_protect_total(c["total"]) is None,
    )
    add("school_safety_protocol", "median hours to acknowledge", value=c["median_hours_to_acknowledge"])
    add("school_safety_protocol", "median hours to handle", value=c["median_hours_to_close"])
    add("school_safety_protocol", "acknowledged after the deadline", value=c["late_acknowledgements"])
    return rows


def _round(value):
    return None if value is None else round(float(value), 4)


def _period_label(organisation) -> str:
    span = SessionDelivery.objects.filter(organisation=organisation).aggregate(
        first=Min("delivered_on"), last=Max("delivered_on")
    )
    if not span["first"]:
        return ""
    return f"{span['first']:%Y-%m-%d}/{span['last']:%Y-%m-%d}"


def facilitator_home(*, user, organisation) -> dict[str, Any]:
    return {
        "plans": list(plans(user=user, organisation=organisation).filter(ends_on__gte=timezone.localdate())[:20]),
        "recent_sessions": list(sessions(user=user, organisation=organisation)[:10]),
        "open_rounds": list(
            rounds(user=user, organisation=organisation).filter(closed_at__isnull=True, expires_at__gt=timezone.now())
        ),
        "my_concerns": list(Concern.objects.restrict(user, "view", organisation).filter(Q(reported_by=user))[:10]),
    }


def published_summaries() -> list:
    """Each organisation's latest summary that is not withdrawn (for the public page: published figures only)."""
    latest: dict[int, PublishedSummary] = {}
    summaries = PublishedSummary.objects.filter(withdrawn_at__isnull=True).select_related("organisation")
    for summary in summaries.order_by("-published_at"):
        latest.setdefault(summary.organisation_id, summary)
    return list(latest.values())


def curriculum_outline(curriculum, language: str) -> list[dict[str, Any]]:
    """The curriculum's modules in ``language``: title, age bands, objectives and (title, minutes) sessions."""
    return [
        {
            "title": curriculum.text(m["title"], language),
            "age_bands": m["age_bands"],
            "objectives": [curriculum.text(o["text"], language) for o in m["objectives"]],
            "sessions": [(curriculum.text(s["title"], language), s["minutes"]) for s in m["sessions"]],
        }
        for m in curriculum.modules
    ]


def analysis_headlines(result: Analysis, questionnaire, language: str) -> list[dict[str, Any]]:
    """The analysis's headline rows, each labelled in ``language`` (``label``)."""
    return [{**row, "label": questionnaire.text(row["title"], language)} for row in result.rows if row["headline"]]


def safety_protocol(*, organisation):
    """The organisation's safety protocol (shown on a concern to whoever may see the concern), or None."""
    return SafetyProtocol.objects.filter(organisation=organisation).first()
