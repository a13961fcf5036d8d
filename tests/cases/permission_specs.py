from tests.cases import factories as f
from tests.permissions import ViewSpec


def _case(org, user):
    return {"pk": f.new_case(org).pk}, {}


def _case_with_services_consent(org, user):
    case = f.new_case(org)
    f.consent(case, f.new_user(org), "services")
    return {"pk": case.pk}, {
        "kind": "shelter",
        "provider": "Demo provider",
        "start_on": "2026-01-10",
        "status": "planned",
    }


def _consent(org, user):
    case = f.new_case(org)
    return {"pk": f.consent(case, f.new_user(org), "services").pk}, {}


def _service(org, user):
    from threadline.cases.services import service_add

    case = f.new_case(org)
    worker = f.new_user(org)
    f.consent(case, worker, "services")
    service = service_add(case=case, user=worker, kind="medical", provider="Clinic")
    return {"pk": service.pk}, {"status": "completed", "outcome": "Done"}


def _task(org, user):
    from threadline.cases.services import plan_task_add

    case = f.new_case(org)
    return {"pk": plan_task_add(case=case, user=f.new_user(org), goal="g", task="t", due_on="2026-02-01").pk}, {}


def _approval(org, user):
    from threadline.cases.services import approval_request

    case = f.new_case(org)
    approval = approval_request(case=case, user=f.new_user(org), subject="closure", note="done")
    return {"pk": approval.pk}, {"decision": "approve", "note": "ok"}


def _referral(org, user):
    from threadline.cases.services import referral_create

    other = f.new_org()
    f.partners(org, other)
    worker = f.new_user(org)
    case = f.new_case(org, worker)
    f.consent(case, worker, "sharing", partner=other, shares=["summary"])
    return {"pk": referral_create(case=case, user=worker, to_organisation=other, reason="r").pk}, {}


def _incoming(org, user):
    return {"pk": f.incoming_referral(org).pk}, {"decision": "reject", "reason": "No space"}


def _partner(org, user):
    from threadline.cases.models import ReferralPartner

    other = f.new_org()
    f.partners(org, other)
    return {"pk": ReferralPartner.objects.get(organisation=org, partner=other).pk}, {}


def _new_partner(org, user):
    return {}, {"partner": f.new_org().pk}


def _api_case(org, user):
    return {"pk": f.new_case(org).pk}, {}


def _api_service_create(org, user):
    case = f.new_case(org)
    f.consent(case, f.new_user(org), "services")
    return {}, {"case": case.pk, "kind": "shelter", "provider": "Demo provider"}


def _api_consent_create(org, user):
    return {}, {"case": f.new_case(org).pk, "scope": "statistics", "informed_on": "2026-01-05", "language": "English"}


def _api_referral_create(org, user):
    other = f.new_org()
    f.partners(org, other)
    case = f.new_case(org)
    f.consent(case, f.new_user(org), "sharing", partner=other, shares=["summary"])
    return {}, {"case": case.pk, "to_organisation": other.pk, "reason": "Shelter", "shares": ["summary"]}


def _api_partner_create(org, user):
    return {}, {"partner": f.new_org().pk}


OBJ = {"object_scoped": True}
SPECS = [
    ViewSpec("cases:list", "caseworker", "auditor"),
    ViewSpec("cases:dashboard", "supervisor", "data_officer"),
    ViewSpec("cases:open", "caseworker", "auditor"),
    ViewSpec(
        "cases:open",
        "caseworker",
        "data_officer",
        method="post",
        data={
            "child_status": "child",
            "gender": "female",
            "exploitation": "sexual",
            "identification_method": "outreach",
        },
        ok_status=(302,),
    ),
    ViewSpec("cases:detail", "caseworker", "auditor", make=_case, **OBJ),
    ViewSpec("cases:edit", "caseworker", "data_officer", make=_case, **OBJ),
    ViewSpec("cases:identity", "caseworker", "data_officer", make=_case, **OBJ),
    ViewSpec(
        "cases:identity",
        "supervisor",
        "auditor",
        method="post",
        make=lambda o, u: (_case(o, u)[0], {"full_name": "Synthetic"}),
        ok_status=(302,),
        **OBJ,
    ),
    ViewSpec("cases:view_add", "caseworker", "auditor", make=_case, **OBJ),
    ViewSpec(
        "cases:view_add",
        "caseworker",
        "administrator",
        method="post",
        make=lambda o, u: (_case(o, u)[0], {"topic": "general", "text": "Wants school", "recorded_on": "2026-01-05"}),
        ok_status=(302,),
        **OBJ,
    ),
    ViewSpec("cases:consent_add", "caseworker", "auditor", make=_case, **OBJ),
    ViewSpec(
        "cases:consent_add",
        "caseworker",
        "data_officer",
        method="post",
        make=lambda o, u: (
            _case(o, u)[0],
            {
                "scope": "services",
                "granted": "on",
                "given_by": "person",
                "informed_on": "2026-01-05",
                "method": "in_person",
                "language": "English",
            },
        ),
        ok_status=(302,),
        **OBJ,
    ),
    ViewSpec("cases:consent_revoke", "caseworker", "auditor", method="post", make=_consent, ok_status=(302,), **OBJ),
    ViewSpec("cases:assessment", "caseworker", "auditor", make=_case, **OBJ),
    ViewSpec("cases:service_add", "caseworker", "auditor", make=_case, **OBJ),
    ViewSpec(
        "cases:service_add",
        "caseworker",
        "data_officer",
        method="post",
        make=_case_with_services_consent,
        ok_status=(302,),
        **OBJ,
    ),
    ViewSpec("cases:service_edit", "caseworker", "auditor", make=_service, **OBJ),
    ViewSpec("cases:task_add", "caseworker", "auditor", make=_case, **OBJ),
    ViewSpec("cases:task_done", "caseworker", "auditor", method="post", make=_task, ok_status=(302,), **OBJ),
    ViewSpec("cases:approval_request", "caseworker", "auditor", make=_case, **OBJ),
    ViewSpec("cases:approval_decide", "supervisor", "caseworker", make=_approval, **OBJ),
    ViewSpec(
        "cases:approval_decide", "supervisor", "caseworker", method="post", make=_approval, ok_status=(302,), **OBJ
    ),
    ViewSpec("cases:cooperation", "caseworker", "auditor", make=_case, **OBJ),
    ViewSpec("cases:refer", "caseworker", "auditor", make=_case, **OBJ),
    ViewSpec(
        "cases:referral_withdraw", "caseworker", "auditor", method="post", make=_referral, ok_status=(302,), **OBJ
    ),
    ViewSpec("cases:incoming", "caseworker", "auditor"),
    ViewSpec("cases:incoming_detail", "caseworker", "data_officer", make=_incoming, **OBJ),
    ViewSpec("cases:incoming_answer", "supervisor", "auditor", method="post", make=_incoming, ok_status=(302,), **OBJ),
    ViewSpec("cases:access_export", "caseworker", "data_officer", make=_case, **OBJ),
    ViewSpec(
        "cases:access_export",
        "caseworker",
        "auditor",
        method="post",
        make=lambda o, u: (_case(o, u)[0], {"password": "a long enough password"}),
        **OBJ,
    ),
    ViewSpec("cases:erase", "supervisor", "caseworker", make=_case, **OBJ),
    ViewSpec("cases:export", "data_officer", "auditor"),
    ViewSpec("cases:settings", "administrator", "caseworker"),
    ViewSpec("cases:partner_add", "administrator", "supervisor", method="post", make=_new_partner, ok_status=(302,)),
    ViewSpec(
        "cases:partner_remove", "administrator", "caseworker", method="post", make=_partner, ok_status=(302,), **OBJ
    ),
    ViewSpec("api:case-list", "caseworker", "auditor", api=True),
    ViewSpec(
        "api:case-list",
        "caseworker",
        "data_officer",
        api=True,
        method="post",
        data={"child_status": "child", "exploitation": "forced_criminality"},
        ok_status=(201,),
    ),
    ViewSpec("api:case-detail", "caseworker", "data_officer", api=True, make=_api_case, **OBJ),
    ViewSpec("api:caseservice-list", "caseworker", "auditor", api=True),
    ViewSpec(
        "api:caseservice-list",
        "caseworker",
        "auditor",
        api=True,
        method="post",
        make=_api_service_create,
        ok_status=(201,),
    ),
    ViewSpec("api:caseservice-detail", "caseworker", "data_officer", api=True, make=_service, **OBJ),
    ViewSpec("api:consent-list", "caseworker", "auditor", api=True),
    ViewSpec(
        "api:consent-list",
        "caseworker",
        "administrator",
        api=True,
        method="post",
        make=_api_consent_create,
        ok_status=(201,),
    ),
    ViewSpec("api:consent-detail", "caseworker", "data_officer", api=True, make=_consent, **OBJ),
    ViewSpec("api:consent-revoke", "caseworker", "auditor", api=True, method="post", make=_consent, **OBJ),
    ViewSpec("api:referral-list", "caseworker", "auditor", api=True),
    ViewSpec(
        "api:referral-list",
        "caseworker",
        "data_officer",
        api=True,
        method="post",
        make=_api_referral_create,
        ok_status=(201,),
    ),
    ViewSpec("api:referral-detail", "caseworker", "auditor", api=True, make=_referral, **OBJ),
    ViewSpec("api:incomingreferral-list", "caseworker", "auditor", api=True),
    ViewSpec("api:incomingreferral-detail", "caseworker", "data_officer", api=True, make=_incoming, **OBJ),
    ViewSpec("api:incomingreferral-answer", "supervisor", "auditor", api=True, method="post", make=_incoming, **OBJ),
    ViewSpec("api:case-cooperation", "caseworker", "auditor", api=True, make=_api_case, **OBJ),
    ViewSpec(
        "api:case-cooperation",
        "supervisor",
        "data_officer",
        api=True,
        method="put",
        make=_api_case,
        data={"stance": "considering"},
        **OBJ,
    ),
    ViewSpec("api:referralpartner-list", "caseworker", "auditor", api=True),
    ViewSpec(
        "api:referralpartner-list",
        "administrator",
        "supervisor",
        api=True,
        method="post",
        make=_api_partner_create,
        ok_status=(201,),
    ),
    ViewSpec("api:referralpartner-detail", "administrator", "auditor", api=True, make=_partner, **OBJ),
    ViewSpec(
        "api:referralpartner-detail",
        "administrator",
        "caseworker",
        api=True,
        method="delete",
        make=_partner,
        ok_status=(204,),
        **OBJ,
    ),
]
