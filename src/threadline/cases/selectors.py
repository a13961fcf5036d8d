"""Reads on cases. Lists never load identifying fields; statistics leave only for consenting cases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.cases import consent_rules
from threadline.cases import vocabulary as v
from threadline.cases.models import (
    Approval,
    Case,
    ChildView,
    Consent,
    Cooperation,
    IncomingReferral,
    PlanTask,
    Service,
)
from threadline.cases.models.case import IDENTITY_FIELDS, NARRATIVE_FIELDS

LIST_DEFERRED = (*IDENTITY_FIELDS, *NARRATIVE_FIELDS)


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    status: str = ""
    child_status: str = ""
    exploitation: str = ""
    mine: bool = False


def case_list(*, user, organisation, filters: CaseFilters) -> QuerySet[Case]:
    """The cases a user may see in one organisation, filtered; identifying fields are not even loaded."""
    # Caseworkers come by a second small query: a join would let SQLite drive the plan from the users table and
    # sort every matching case.
    qs = Case.objects.restrict(user, "view", organisation).defer(*LIST_DEFERRED).prefetch_related("assigned_to")
    if filters.q:
        qs = qs.filter(code_prefix_q(filters.q))
    if filters.status == "active":
        qs = qs.filter(status__in=v.OPEN_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.child_status:
        qs = qs.filter(child_status=filters.child_status)
    if filters.exploitation:
        qs = qs.filter(exploitation=filters.exploitation)
    if filters.mine:
        qs = qs.filter(assigned_to=user)
    return qs.order_by("-opened_on", "-id")


def code_prefix_q(text: str) -> Q:
    """Case codes starting with ``text`` (case-insensitive), as a condition an index can answer on every database.

    SQLite does not use an index for ``LIKE 'C-7K%'`` (its LIKE ignores case), so on SQLite the prefix becomes a
    range ``code >= 'C-7K' AND code < 'C-7L'`` (codes are upper-case ASCII, compared byte by byte). PostgreSQL
    uses the pattern index Django creates for the unique code.
    """
    from django.db import connection

    code = text.strip().upper()
    if len(code) == 11:
        return Q(code=code)
    if not code:
        return Q()
    if connection.vendor == "sqlite" and code.isascii():
        upper = code[:-1] + chr(ord(code[-1]) + 1)
        return Q(code__gte=code, code__lt=upper)
    return Q(code__startswith=code)


def case_cooperation(*, case: Case) -> Cooperation:
    """The case's cooperation section; an unsaved "not discussed yet" record when nothing was recorded."""
    found = Cooperation.objects.filter(case=case).first()
    return found or Cooperation(case=case, stance=Cooperation.Stance.NOT_DISCUSSED, updated_on=None)


def views_by_topic(*, case: Case) -> dict[str, list[ChildView]]:
    """The person's views, grouped by the decision they concern; general views belong beside every decision."""
    grouped: dict[str, list[ChildView]] = {topic: [] for topic in ChildView.Topic.values}
    for item in ChildView.objects.filter(case=case).order_by("-recorded_on", "-id"):
        grouped[item.topic].append(item)
    return grouped


def consent_summary(*, case: Case) -> dict:
    """What is in force now, for the case page and for every form that depends on it."""
    records = list(Consent.objects.filter(case=case).select_related("partner", "informed_by"))
    partners = {r.partner_id: r.partner for r in records if r.partner_id}
    return {
        "records": records,
        "services": consent_rules.allows(records, consent_rules.SERVICES),
        "statistics": consent_rules.allows(records, consent_rules.STATISTICS),
        "law_enforcement": consent_rules.allows(records, consent_rules.LAW_ENFORCEMENT),
        "sharing": {
            partner: sorted(consent_rules.shares_allowed(records, pk))
            for pk, partner in partners.items()
            if consent_rules.shares_allowed(records, pk)
        },
    }


@dataclass(frozen=True)
class Dashboard:
    urgent_safety: list
    overdue_tasks: list
    due_tasks: list
    follow_ups: list
    reflection_ending: list
    services_ending: list
    approvals: list
    incoming: list


def dashboard(*, user, organisation, today: date | None = None, horizon_days: int = 7) -> Dashboard:
    """What is due or overdue in one organisation: plan tasks, follow-ups, reflection periods, services,
    approvals waiting, referrals waiting for an answer."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=horizon_days)
    cases = Case.objects.restrict(user, "view", organisation).filter(status__in=v.OPEN_STATUSES)
    open_case = {"case__status__in": v.OPEN_STATUSES}
    tasks = (
        PlanTask.objects.restrict(user, "view", organisation)
        .filter(done_on__isnull=True, **open_case)
        .select_related("case", "assigned_to")
        .defer(*[f"case__{name}" for name in LIST_DEFERRED])
    )
    limit = 100
    approvals = (
        Approval.objects.restrict(user, "view", organisation)
        .filter(decision=Approval.Decision.PENDING)
        .select_related("case", "requested_by")
        .defer(*[f"case__{name}" for name in LIST_DEFERRED])
        .order_by("requested_at")
    )
    return Dashboard(
        urgent_safety=list(approvals.filter(subject=Approval.Subject.SAFETY)[:limit]),
        overdue_tasks=list(tasks.filter(due_on__lt=today).order_by("due_on")[:limit]),
        due_tasks=list(tasks.filter(due_on__gte=today, due_on__lte=soon).order_by("due_on")[:limit]),
        follow_ups=list(
            PlanTask.objects.restrict(user, "view", organisation)
            .filter(follow_up_on__isnull=False, follow_up_on__lte=soon, **open_case)
            .filter(Q(done_on__isnull=True) | Q(done_on__lt=F("follow_up_on")))
            .select_related("case")
            .defer(*[f"case__{name}" for name in LIST_DEFERRED])
            .order_by("follow_up_on")[:limit]
        ),
        reflection_ending=list(
            cases.filter(reflection_end__gte=today, reflection_end__lte=soon)
            .defer(*LIST_DEFERRED)
            .order_by("reflection_end")[:limit]
        ),
        services_ending=list(
            Service.objects.restrict(user, "view", organisation)
            .filter(end_on__gte=today, end_on__lte=soon, **open_case)
            .exclude(status__in=[Service.Status.COMPLETED, Service.Status.STOPPED, Service.Status.DECLINED])
            .select_related("case")
            .defer(*[f"case__{name}" for name in LIST_DEFERRED])
            .order_by("end_on")[:limit]
        ),
        approvals=list(approvals.exclude(subject=Approval.Subject.SAFETY)[:limit]),
        incoming=list(
            IncomingReferral.objects.restrict(user, "view", organisation)
            .filter(status=IncomingReferral.Status.PENDING)
            .select_related("organisation")
            .order_by("created_at")[:limit]
        ),
    )


# --- Statistics and non-identifying exports -------------------------------------------------------------------

AGE_BANDS = ((0, 8), (9, 17), (18, 20), (21, 23), (24, 26), (27, 29), (30, 38), (39, 47))
MEANS_COLUMNS = [f"meansOfControl{m}" for m in v.MeansOfControl.values] + ["meansOfControlNotSpecified"]
RECRUITER_COLUMNS = [f"recruiterRelation{r}" for r in v.RecruiterRelation.values]
STATISTICS_COLUMNS = [
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    "CountryOfExploitation",
    *MEANS_COLUMNS,
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "isSexAndLabour",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
    "isSlaveryAndPractices",
    "isForcedCriminality",
    "isIllegalAdoption",
    "isExploitationOfSurrogacy",
    "typeOfExploitConcatenated",
    "RecruiterRelationship",
    *RECRUITER_COLUMNS,
]


def age_broad(age: int | None) -> str:
    """CTDC ``ageBroad`` band (``0--8`` ... ``48+``), ``Unknown`` when not known."""
    if age is None:
        return "Unknown"
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}--{high}"
    return "48+"


def majority_status(case: Case) -> str:
    if case.child_status in (v.ChildStatus.CHILD, v.ChildStatus.PRESUMED_CHILD):
        return "Minor"
    if case.child_status == v.ChildStatus.ADULT:
        return "Adult"
    return "Unknown"


GENDER_CTDC = {
    v.Gender.FEMALE: "Female",
    v.Gender.MALE: "Male",
    v.Gender.NON_CONFORMING: "Transgender/NonConforming",
    v.Gender.UNKNOWN: "Unknown",
}


def _statistics_row(case: Case) -> dict:
    types = set(case.exploitation_types) - {v.Exploitation.UNKNOWN}
    sexual = bool(types & v.SEXUAL_TYPES)
    labour = bool(types & v.LABOUR_TYPES)
    named = (
        v.SEXUAL_TYPES
        | v.LABOUR_TYPES
        | {v.Exploitation.FORCED_MARRIAGE, v.Exploitation.FORCED_MILITARY, v.Exploitation.ORGAN_REMOVAL}
        | {v.Exploitation.SLAVERY}
    )
    means = set(case.means_of_control)
    row: dict = {
        "yearOfRegistration": case.opened_on.year,
        "Datasource": "Case management",
        "gender": GENDER_CTDC.get(case.gender, "Unknown"),
        "ageBroad": age_broad(case.age_at_registration),
        "majorityStatus": majority_status(case),
        "citizenship": case.citizenship or "Unknown",
        "CountryOfExploitation": case.country_of_exploitation or "Unknown",
    }
    for m in v.MeansOfControl.values:
        row[f"meansOfControl{m}"] = int(m in means)
    row["meansOfControlNotSpecified"] = int(not means)
    row.update(
        {
            "isForcedLabour": int(labour),
            "isSexualExploit": int(sexual),
            "isOtherExploit": int(bool(types - named)),
            "isSexAndLabour": int(sexual and labour),
            "isForcedMarriage": int(v.Exploitation.FORCED_MARRIAGE in types),
            "isForcedMilitary": int(v.Exploitation.FORCED_MILITARY in types),
            "isOrganRemoval": int(v.Exploitation.ORGAN_REMOVAL in types),
            "isSlaveryAndPractices": int(v.Exploitation.SLAVERY in types),
            "isForcedCriminality": int(v.Exploitation.FORCED_CRIMINALITY in types),
            "isIllegalAdoption": int(v.Exploitation.ILLEGAL_ADOPTION in types),
            "isExploitationOfSurrogacy": int(v.Exploitation.SURROGACY in types),
            "typeOfExploitConcatenated": ";".join(sorted(types)) or "Unknown",
            "RecruiterRelationship": case.recruiter_relation,
        }
    )
    for r in v.RecruiterRelation.values:
        row[f"recruiterRelation{r}"] = int(case.recruiter_relation == r)
    return row


def _statistics_case_ids(organisation) -> set[int]:
    """Cases whose person agreed to non-identifying statistics (the latest statistics consent decides)."""
    records: dict[int, list[Consent]] = {}
    for record in Consent.objects.filter(case__organisation=organisation, scope=Consent.Scope.STATISTICS).only(
        "id", "case_id", "scope", "partner_id", "shares", "granted", "informed_on", "revoked_on"
    ):
        records.setdefault(record.case_id, []).append(record)
    return {case_id for case_id, items in records.items() if consent_rules.allows(items, consent_rules.STATISTICS)}


def case_statistics_rows(*, organisation) -> Iterator[dict]:
    """One non-identifying row per case of ``organisation`` whose person consented to statistics.

    For the insights area, so cases need not be entered twice. Keys follow the CTDC global dataset
    (see shared/reference/data-standards.md):

    - ``yearOfRegistration`` (int), ``Datasource`` ("Case management");
    - ``gender``: "Female" | "Male" | "Transgender/NonConforming" | "Unknown";
    - ``ageBroad``: "0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+" or
      "Unknown" (from the age at registration);
    - ``majorityStatus``: "Adult" | "Minor" | "Unknown" (presumed children count as minors);
    - ``citizenship``, ``CountryOfExploitation``: ISO 3166 alpha-2, or "Unknown";
    - ``meansOfControl<Name>``: 0/1 for each CTDC means of control, plus ``meansOfControlNotSpecified``;
    - ``isForcedLabour``, ``isSexualExploit``, ``isOtherExploit``, ``isSexAndLabour``, ``isForcedMarriage``,
      ``isForcedMilitary``, ``isOrganRemoval``, ``isSlaveryAndPractices``: 0/1 as in CTDC, and the gaps filled
      with the same convention: ``isForcedCriminality``, ``isIllegalAdoption``, ``isExploitationOfSurrogacy``
      (forced criminality and begging also count in ``isOtherExploit``);
    - ``typeOfExploitConcatenated``: Threadline exploitation codes joined by ";";
    - ``RecruiterRelationship`` and ``recruiterRelation<IntimatePartner|Friend|Family|Other|Unknown>`` 0/1.

    No code, date finer than a year, name, or free text is ever included. Cases without a statistics consent in
    force (never given, refused or revoked) are left out. Rows stream in case-id order.
    """
    allowed = _statistics_case_ids(organisation)
    if not allowed:
        return
    qs = (
        Case.objects.filter(organisation=organisation)
        .only(
            "id",
            "opened_on",
            "gender",
            "age_at_registration",
            "child_status",
            "citizenship",
            "country_of_exploitation",
            "means_of_control",
            "exploitation",
            "other_exploitation",
            "recruiter_relation",
        )
        .order_by("id")
    )
    for case in qs.iterator(chunk_size=2000):
        if case.pk in allowed:
            yield _statistics_row(case)


# --- Incoming referrals, in words ------------------------------------------------------------------------------

SHARED_PART_LABELS = {
    consent_rules.SHARE_SUMMARY: _("a summary of the case"),
    consent_rules.SHARE_SERVICES: _("the services so far"),
    consent_rules.SHARE_VIEWS: _("the person's views and wishes"),
    consent_rules.SHARE_IDENTITY: _("identifying data"),
}
KIND_SHORT = {IncomingReferral.Kind.REFERRAL: _("Referral for services"), IncomingReferral.Kind.TRANSFER: _("Transfer")}
REFLECTION_SOON_DAYS = 7


def _words(choices, values) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(value, value)) for value in values or []]


@dataclass(frozen=True)
class IncomingTriage:
    """What a receiving organisation needs to triage a referral, in words (never raw codes)."""

    kind: str
    child: str
    needs: list[str]
    urgency: list[str]
    shared: list[str]
    summary: dict
    services: list[dict]

    @property
    def urgent(self) -> bool:
        return bool(self.urgency)


def incoming_triage(referral: IncomingReferral, *, today: date | None = None) -> IncomingTriage:
    """The referral's snapshot read for triage: the child's needs, how urgent it is and what was shared."""
    today = today or timezone.localdate()
    raw = dict(referral.shared.get("summary") or {})
    urgency = [f"{label}" for label in _words(v.SafetyConcern, raw.get("safety_concerns"))]
    end = raw.get("reflection_end")
    if end and referral.status == IncomingReferral.Status.PENDING:
        days = (date.fromisoformat(end) - today).days
        if days <= REFLECTION_SOON_DAYS:
            urgency.append(
                str(_("Reflection period ends in %(days)d days") % {"days": max(days, 0)})
                if days > 0
                else str(_("Reflection period has ended"))
            )
    summary = {}
    if raw:
        names = {"child_status": v.ChildStatus, "gender": v.Gender, "exploitation": v.Exploitation,
                 "recruitment": v.Recruitment, "recruiter_relation": v.RecruiterRelation}  # fmt: skip
        summary = {k: (str(dict(c.choices).get(raw[k], raw[k])) if raw.get(k) else "") for k, c in names.items()}
        summary.update(
            age_at_registration=raw.get("age_at_registration"),
            citizenship=raw.get("citizenship") or "",
            country_of_exploitation=raw.get("country_of_exploitation") or "",
            transit_countries=raw.get("transit_countries") or "",
            reflection_end=end or "",
            other_exploitation=_words(v.Exploitation, raw.get("other_exploitation")),
            means_of_control=_words(v.MeansOfControl, raw.get("means_of_control")),
            needs=_words(v.Need, raw.get("needs")),
        )
    services = [
        {**s, "kind": _words(v.ServiceKind, [s.get("kind")])[0], "status": _words(Service.Status, [s.get("status")])[0]}
        for s in referral.shared.get("services") or []
    ]
    return IncomingTriage(
        kind=str(KIND_SHORT.get(referral.kind, referral.kind)),
        child=summary.get("child_status", ""),
        needs=_words(v.Need, referral.services),
        urgency=urgency,
        shared=[str(SHARED_PART_LABELS.get(p, p)) for p in referral.shared.get("parts", [])],
        summary=summary,
        services=services,
    )
