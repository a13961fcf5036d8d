import itertools

from tests.permissions import ViewSpec
from tests.policy import factories

_n = itertools.count(1)


def _user(org, role):
    from threadline.accounts.services import user_create

    return user_create(email=f"policy-spec-{next(_n)}@agency.example", password="x" * 16, organisation=org, role=role)


def _people(org):
    return _user(org, "policy_officer"), _user(org, "policy_reviewer"), _user(org, "policy_approver")


def _policy(org, user):
    return {"pk": factories.policy(org, _user(org, "policy_officer")).pk}, {}


def _policy_start(org, user):
    return {"pk": factories.policy(org, _user(org, "policy_officer")).pk}, {"template": factories.TEMPLATE}


def _draft(org, user):
    return {"pk": factories.started(org, _user(org, "policy_officer")).pk}, {}


def _stage(org, user):
    return {"pk": factories.started(org, _user(org, "policy_officer")).pk, "stage": "screening"}, {}


def _stage_post(org, user):
    kwargs, _data = _stage(org, user)
    return kwargs, {"q-affects_children": "yes", "q-which_children": "Pupils."}


def _citation(org, user):
    return {"pk": factories.started(org, _user(org, "policy_officer")).pk}, {"citation": "City survey 2025"}


def _prevention_citation(org, user):
    from threadline.prevention.models import PublishedSummary

    summary = PublishedSummary.objects.create(organisation=org, figures={"pupils_total": 40}, published_at=_now())
    return {"pk": factories.started(org, _user(org, "policy_officer")).pk}, {"summary_item": summary.pk}


def _now():
    from django.utils import timezone

    return timezone.now()


def _feedback(org, user):
    officer = _user(org, "policy_officer")
    a = factories.started(org, officer)
    return {"pk": a.pk, "cid": factories.consultation(a, officer, feedback=False).pk}, {}


def _evidence_item(org, user):
    from threadline.policy import services

    officer = _user(org, "policy_officer")
    a = factories.started(org, officer)
    item = services.evidence_add_citation(assessment=a, user=officer, citation="City survey 2025")
    return {"pk": a.pk, "eid": item.pk}, {"citation": "City survey 2025 (revised)", "summary": "Routes home."}


def _consultation_item(org, user):
    officer = _user(org, "policy_officer")
    a = factories.started(org, officer)
    c = factories.consultation(a, officer, feedback=False)
    data = {
        "method": "survey",
        "held_on": "2026-03-02",
        "what_they_said": "Buses are late.",
        "how_it_changed": "A timetable change.",
        "p_13_15_girls": "9",
    }
    return {"pk": a.pk, "cid": c.pk}, data


def _submitted(org, user):
    officer, _reviewer, _approver = _people(org)
    return {"pk": factories.submitted(org, officer).pk}, {"decision": "pass", "comment": "Clear."}


def _reviewed(org, user):
    officer, reviewer, _approver = _people(org)
    return {"pk": factories.reviewed(org, officer, reviewer).pk}, {"decision": "approve"}


def _approved(org, user):
    officer, reviewer, approver = _people(org)
    return {"pk": factories.approved(org, officer, reviewer, approver).pk}, {}


def _indicator(org, user):
    from threadline.policy import services

    data = _user(org, "data_officer")
    policy = factories.policy(org, data)
    indicator = services.indicator_create(policy=policy, user=data, name="Reach", source="time_to_services")
    return {"pk": indicator.pk}, {"period": "2025", "value": "3"}


def _submission(org, user):
    from threadline.policy import services

    s = services.advisory_submit(
        organisation=org, about="policy", area="other", answers={}, comments="Clearer leaflets."
    )
    return {"pk": s.pk}, {}


SPECS = [
    ViewSpec("policy:list", "policy_officer", "auditor"),
    ViewSpec("policy:create", "policy_officer", "policy_reviewer"),
    ViewSpec(
        "policy:create",
        "policy_officer",
        "caseworker",
        method="post",
        data={"title": "Night buses", "kind": "policy"},
        ok_status=(302,),
    ),
    ViewSpec("policy:detail", "policy_reviewer", "caseworker", make=_policy, object_scoped=True),
    ViewSpec(
        "policy:assessment_start",
        "policy_officer",
        "policy_reviewer",
        method="post",
        make=_policy_start,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec(
        "policy:result_add",
        "data_officer",
        "policy_reviewer",
        method="post",
        make=_policy,
        data={"level": "output", "description": "Buses added"},
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("policy:indicator_create", "data_officer", "policy_officer", make=_policy, object_scoped=True),
    ViewSpec("policy:assessment", "policy_approver", "caseworker", make=_draft, object_scoped=True),
    ViewSpec("policy:stage", "policy_officer", "policy_reviewer", make=_stage, object_scoped=True),
    ViewSpec(
        "policy:stage",
        "policy_officer",
        "policy_approver",
        method="post",
        make=_stage_post,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("policy:evidence_citation", "policy_officer", "policy_reviewer", make=_draft, object_scoped=True),
    ViewSpec(
        "policy:evidence_citation",
        "policy_officer",
        "data_officer",
        method="post",
        make=_citation,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("policy:evidence_release", "policy_officer", "data_officer", make=_draft, object_scoped=True),
    ViewSpec("policy:evidence_prevention", "policy_officer", "data_officer", make=_draft, object_scoped=True),
    ViewSpec(
        "policy:evidence_prevention",
        "policy_officer",
        "policy_reviewer",
        method="post",
        make=_prevention_citation,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("policy:consultation_create", "policy_officer", "policy_reviewer", make=_draft, object_scoped=True),
    ViewSpec("policy:consultation_feedback", "policy_officer", "policy_approver", make=_feedback, object_scoped=True),
    ViewSpec("policy:evidence_edit", "policy_officer", "policy_reviewer", make=_evidence_item, object_scoped=True),
    ViewSpec(
        "policy:evidence_edit",
        "policy_officer",
        "policy_approver",
        method="post",
        make=_evidence_item,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec(
        "policy:evidence_delete",
        "policy_officer",
        "policy_reviewer",
        method="post",
        make=_evidence_item,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("policy:consultation_edit", "policy_officer", "data_officer", make=_consultation_item, object_scoped=True),
    ViewSpec(
        "policy:consultation_edit",
        "policy_officer",
        "policy_reviewer",
        method="post",
        make=_consultation_item,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec(
        "policy:consultation_delete",
        "policy_officer",
        "policy_approver",
        method="post",
        make=_consultation_item,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("policy:version_compare", "policy_approver", "caseworker", make=_approved, object_scoped=True),
    ViewSpec("policy:impacts", "policy_officer", "policy_reviewer", make=_draft, object_scoped=True),
    ViewSpec("policy:decision", "policy_officer", "policy_approver", make=_draft, object_scoped=True),
    ViewSpec(
        "policy:submit",
        "policy_officer",
        "policy_reviewer",
        method="post",
        make=_draft,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec(
        "policy:comment",
        "policy_reviewer",
        "policy_officer",
        method="post",
        make=_submitted,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec(
        "policy:review",
        "policy_reviewer",
        "policy_approver",
        method="post",
        make=_submitted,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec(
        "policy:approve",
        "policy_approver",
        "policy_reviewer",
        method="post",
        make=_reviewed,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("policy:publish", "policy_officer", "policy_approver", make=_approved, object_scoped=True),
    ViewSpec("policy:monitoring", "data_officer", "caseworker"),
    ViewSpec("policy:indicator", "policy_officer", "caseworker", make=_indicator, object_scoped=True),
    ViewSpec(
        "policy:indicator_value",
        "data_officer",
        "policy_officer",
        method="post",
        make=_indicator,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec(
        "policy:indicator_recompute",
        "data_officer",
        "policy_officer",
        method="post",
        make=_indicator,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec(
        "policy:indicator_reviewed",
        "data_officer",
        "policy_reviewer",
        method="post",
        make=_indicator,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("policy:population", "data_officer", "policy_officer"),
    ViewSpec("policy:service_quality", "caseworker", "data_officer"),
    ViewSpec("policy:advisory_list", "policy_officer", "caseworker"),
    ViewSpec("policy:advisory_detail", "policy_officer", "supervisor", make=_submission, object_scoped=True),
    ViewSpec("api:policy-list", "policy_officer", "caseworker", api=True),
    ViewSpec(
        "api:policy-list",
        "policy_officer",
        "policy_reviewer",
        api=True,
        method="post",
        data={"title": "School transport", "kind": "programme"},
        ok_status=(201,),
    ),
    ViewSpec("api:policy-detail", "policy_reviewer", "caseworker", api=True, make=_policy, object_scoped=True),
    ViewSpec("api:policy-assessment-list", "policy_approver", "data_officer", api=True),
    ViewSpec(
        "api:policy-assessment-detail", "policy_officer", "data_officer", api=True, make=_draft, object_scoped=True
    ),
    ViewSpec("api:policy-indicator-list", "data_officer", "caseworker", api=True),
    ViewSpec(
        "api:policy-indicator-detail", "policy_officer", "supervisor", api=True, make=_indicator, object_scoped=True
    ),
]

PUBLIC = {"rights:register", "rights:detail", "rights:pdf", "rights:advisory", "rights:advisory_thanks"}
