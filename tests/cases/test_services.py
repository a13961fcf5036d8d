"""Services: consent gates services and sharing; cooperation with police gates nothing; approvals; referrals."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.cases import factories as f
from threadline.cases import services
from threadline.cases.models import Case, ChildView, Cooperation, Referral, Service
from threadline.cases.services import ConsentRequired

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(org, other_org):
    worker = f.new_user(org, "caseworker")
    supervisor = f.new_user(org, "supervisor")
    f.partners(org, other_org)
    case = f.new_case(org, worker)
    return case, worker, supervisor


def test_services_need_consent_to_services(setup):
    case, worker, _ = setup
    with pytest.raises(ConsentRequired):
        services.service_add(case=case, user=worker, kind="shelter", provider="Shelter")
    f.consent(case, worker, "services")
    assert services.service_add(case=case, user=worker, kind="shelter", provider="Shelter").pk


def test_revoked_or_refused_consent_stops_new_services(setup):
    case, worker, _ = setup
    record = f.consent(case, worker, "services")
    services.consent_revoke(consent=record, user=worker, note="changed mind")
    with pytest.raises(ConsentRequired):
        services.service_add(case=case, user=worker, kind="medical", provider="Clinic")
    f.consent(case, worker, "services", informed_on=date(2026, 2, 1))
    assert services.service_add(case=case, user=worker, kind="medical", provider="Clinic")
    f.consent(case, worker, "services", informed_on=date(2026, 3, 1), granted=False)
    with pytest.raises(ConsentRequired):
        services.service_add(case=case, user=worker, kind="medical", provider="Clinic")


@pytest.mark.parametrize("stance", [s for s, _label in Cooperation.Stance.choices])
def test_declining_to_cooperate_never_gates_services_or_referrals(setup, other_org, stance):
    """EU 2011/36 Art. 11(3), CoE Art. 12(6): every service and every referral, whatever the person's choice."""
    case, worker, _ = setup
    services.cooperation_save(case=case, user=worker, stance=stance)
    f.consent(case, worker, "services")
    f.consent(case, worker, "sharing", partner=other_org, shares=["summary", "services"])
    for kind, _label in Service._meta.get_field("kind").choices:
        assert services.service_add(case=case, user=worker, kind=kind, provider="Provider").pk
    for kind, _label in Referral.Kind.choices[:1]:
        referral = services.referral_create(
            case=case,
            user=worker,
            to_organisation=other_org,
            reason="Support",
            kind=kind,
            shares=["summary", "services"],
        )
        assert referral.status == Referral.Status.PENDING
    accepted = services.referral_accept(referral=referral, user=f.new_user(other_org), reason="Welcome")
    assert accepted.organisation == other_org


def test_cooperating_with_an_authority_needs_law_enforcement_consent(setup):
    case, worker, _ = setup
    with pytest.raises(ConsentRequired):
        services.cooperation_save(case=case, user=worker, stance="cooperating", authority="Police")
    f.consent(case, worker, "law_enforcement")
    assert services.cooperation_save(case=case, user=worker, stance="cooperating", authority="Police").pk


def test_referral_beyond_consent_is_refused(setup, other_org):
    case, worker, _supervisor = setup
    with pytest.raises(ConsentRequired):
        services.referral_create(case=case, user=worker, to_organisation=other_org, reason="Shelter")
    f.consent(case, worker, "sharing", partner=other_org, shares=["summary"])
    with pytest.raises(ConsentRequired):
        services.referral_create(
            case=case, user=worker, to_organisation=other_org, reason="Shelter", shares=["summary", "identity"]
        )
    referral = services.referral_create(case=case, user=worker, to_organisation=other_org, reason="Shelter")
    assert referral.shared["parts"] == ["summary"] and "identity" not in referral.shared
    assert referral.shared_identity == ""


def test_referral_only_to_partners(setup, make_org):
    case, worker, _ = setup
    stranger = make_org("Not A Partner")
    f.consent(case, worker, "sharing", partner=stranger, shares=["summary"])
    with pytest.raises(ValidationError):
        services.referral_create(case=case, user=worker, to_organisation=stranger, reason="Shelter")


def test_consent_override_needs_permission_and_reason_and_is_flagged_and_audited(setup, other_org):
    from threadline.audit.models import AuditEntry

    case, worker, supervisor = setup
    with pytest.raises(PermissionDenied):
        services.referral_create(
            case=case, user=worker, to_organisation=other_org, reason="Danger", override_reason="Immediate risk"
        )
    with pytest.raises(ConsentRequired):
        services.referral_create(case=case, user=supervisor, to_organisation=other_org, reason="Danger")
    referral = services.referral_create(
        case=case, user=supervisor, to_organisation=other_org, reason="Danger", override_reason="Immediate risk"
    )
    assert referral.consent_override and referral.override_reason == "Immediate risk"
    assert AuditEntry.objects.filter(action="consent_override", object_id=str(referral.pk)).exists()


def test_accept_creates_the_receivers_own_case_with_only_what_was_shared(setup, other_org):
    case, worker, _ = setup
    services.child_view_record(case=case, user=worker, text="Wants to stay with her aunt.")
    f.consent(case, worker, "sharing", partner=other_org, shares=["summary", "views"])
    referral = services.referral_create(
        case=case,
        user=worker,
        to_organisation=other_org,
        reason="Shelter",
        shares=["summary", "views"],
        kind="transfer",
    )
    receiver = f.new_user(other_org)
    new_case = services.referral_accept(referral=referral, user=receiver, reason="Place available")
    assert new_case.organisation == other_org and new_case.received_from == case.organisation
    assert new_case.full_name == ""  # identity was not shared
    assert new_case.child_status == case.child_status
    assert ChildView.objects.get(case=new_case).text == "Wants to stay with her aunt."
    case.refresh_from_db()
    assert case.status == "transferred" and case.closed_on


def test_reject_needs_a_reason_and_drops_shared_identity(org, other_org):
    referral = f.incoming_referral(org)
    assert referral.shared_identity
    with pytest.raises(ValidationError):
        services.referral_reject(referral=referral, user=f.new_user(org), reason=" ")
    services.referral_reject(referral=referral, user=f.new_user(org), reason="No space")
    referral.refresh_from_db()
    assert referral.status == "rejected" and referral.shared_identity == ""


def test_revoking_sharing_consent_withdraws_pending_referrals(setup, other_org):
    case, worker, _ = setup
    record = f.consent(case, worker, "sharing", partner=other_org, shares=["summary"])
    referral = services.referral_create(case=case, user=worker, to_organisation=other_org, reason="Shelter")
    services.consent_revoke(consent=record, user=worker)
    referral.refresh_from_db()
    assert referral.status == "withdrawn"


def test_approvals_move_the_case_and_need_another_supervisor(setup):
    case, worker, supervisor = setup
    with pytest.raises(ValidationError):
        services.approval_request(case=case, user=worker, subject="assessment")
    services.assessment_save(case=case, user=worker, needs=["shelter"])
    approval = services.approval_request(case=case, user=worker, subject="assessment")
    with pytest.raises(PermissionDenied):
        services.approval_decide(approval=approval, user=worker, approve=True)
    services.approval_decide(approval=approval, user=supervisor, approve=True)
    case.refresh_from_db()
    assert case.status == "plan"
    closure = services.approval_request(case=case, user=supervisor, subject="closure", note="Goals met")
    with pytest.raises(ValidationError):  # nobody approves their own request
        services.approval_decide(approval=closure, user=supervisor, approve=True)
    with pytest.raises(ValidationError):  # returning needs a reason
        services.approval_decide(approval=closure, user=f.new_user(case.organisation, "supervisor"), approve=False)
    services.approval_decide(approval=closure, user=f.new_user(case.organisation, "supervisor"), approve=True)
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_on


def test_reflection_period_is_at_least_thirty_days(org):
    from threadline.cases.services import case_settings_save

    with pytest.raises(ValidationError):
        case_settings_save(organisation=org, user=None, retention_days=10, reflection_days=20)
    case_settings_save(organisation=org, user=None, retention_days=10, reflection_days=90)
    case = f.new_case(org, opened_on=date(2026, 1, 1))
    assert case.reflection_end == date(2026, 4, 1)


def test_erase_and_scheduled_anonymisation(setup):
    from threadline.cases.services import case_settings_save
    from threadline.cases.tasks import anonymise_closed
    from threadline.core.tasks import enqueue, run_task

    case, worker, supervisor = setup
    services.child_view_record(case=case, user=worker, text="Private words")
    with pytest.raises(PermissionDenied):
        services.case_erase(case=case, user=worker, reason="Request")
    case_settings_save(organisation=case.organisation, user=None, retention_days=30, reflection_days=30)
    recent = f.new_case(case.organisation, worker)
    Case.objects.filter(pk=case.pk).update(status="closed", closed_on=date.today() - timedelta(days=31))
    Case.objects.filter(pk=recent.pk).update(status="closed", closed_on=date.today() - timedelta(days=5))
    assert anonymise_closed  # registered
    record = run_task(enqueue("cases.anonymise_closed"))
    assert record.result == {"anonymised": 1}
    case.refresh_from_db()
    recent.refresh_from_db()
    assert case.full_name == "" and case.anonymised_at
    assert ChildView.objects.get(case=case).text == ""
    assert recent.full_name == "Synthetic Person" and recent.anonymised_at is None
    services.case_erase(case=recent, user=supervisor, reason="The person's request")
    recent.refresh_from_db()
    assert recent.full_name == "" and recent.anonymised_at
