"""Issue #19 item 12: the audit log names cases by their code and people by their name, to viewers allowed
to see them, resolved when the page is shown (never stored); it can be searched by them; runs of like entries
of one request (a dashboard computation writes 26) are folded into one row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from threadline.audit.models import AuditEntry
from threadline.audit.services import audit_record
from threadline.core import context

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(org, make_user):
    from tests.cases.factories import new_case

    worker = make_user(org, "caseworker", email="worker@agency.example")
    worker.display_name = "Dana Reyes"
    worker.save()
    return new_case(org, worker), worker


def test_auditors_see_case_codes_and_the_record_keeps_only_ids(org, make_user, signed_in, opened):
    case, _worker = opened
    auditor = make_user(org, "auditor")
    page = signed_in(auditor, org).get(reverse("audit:list")).content.decode()
    assert case.code in page and f"cases.case:{case.pk}" in page
    stored = AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk))
    assert stored.exists() and not AuditEntry.objects.filter(note__contains=case.code).exists()


def test_administrators_see_peoples_names_and_auditors_their_recorded_email(org, make_user, signed_in, opened):
    _case, worker = opened
    admin, auditor = make_user(org, "administrator"), make_user(org, "auditor")
    audit_record(action="view", object_type="accounts.user", object_id=str(worker.pk), actor=admin,
                 organisation_id=org.pk)  # fmt: skip
    audit_record(action="view", object_type="x.y", object_id="1", actor=worker, organisation_id=org.pk)
    as_admin = signed_in(admin, org).get(reverse("audit:list")).content.decode()
    assert "Dana Reyes &lt;worker@agency.example&gt;" in as_admin
    as_auditor = signed_in(auditor, org).get(reverse("audit:list")).content.decode()
    assert "worker@agency.example" in as_auditor and "Dana Reyes" not in as_auditor


def test_another_organisations_case_is_never_named(org, other_org, make_user, signed_in):
    from tests.cases.factories import new_case

    theirs = new_case(other_org, make_user(other_org, "caseworker"))
    auditor = make_user(org, "auditor")
    # An entry of ours that happens to point at their case's id (as a stray id would) stays an id.
    audit_record(action="view", object_type="cases.case", object_id=str(theirs.pk), actor=auditor,
                 organisation_id=org.pk)  # fmt: skip
    page = signed_in(auditor, org).get(reverse("audit:list")).content.decode()
    assert theirs.code not in page and f"cases.case:{theirs.pk}" in page


def test_the_log_is_searched_by_case_code_and_by_name(org, make_user, signed_in, opened):
    case, worker = opened
    admin = make_user(org, "administrator")
    audit_record(action="export", object_type="x.y", object_id="9", actor=admin, organisation_id=org.pk)
    audit_record(
        action="export", object_type="cases.case", object_id=str(case.pk), actor=worker, organisation_id=org.pk
    )
    client = signed_in(admin, org)
    by_code = client.get(reverse("audit:list"), {"q": case.code[2:6]}).context["entries"]
    assert by_code and {(e.object_type, e.object_id) for e in by_code} == {("cases.case", str(case.pk))}
    by_name = client.get(reverse("audit:list"), {"q": "reyes"}).context["entries"]
    assert by_name and all(e.actor_id == worker.pk or e.object_id == str(worker.pk) for e in by_name)
    assert not any(e.object_type == "x.y" for e in by_name)


def test_a_computation_of_many_entries_is_one_row(org, make_user, signed_in):
    admin = make_user(org, "administrator")
    with context.bind(context.RequestContext(request_id="req-dashboards", via="web")):
        for i in range(26):
            audit_record(action="create", object_type="insights.protectedfigures", object_id=str(i), actor=admin,
                         organisation_id=org.pk)  # fmt: skip
    response = signed_in(admin, org).get(reverse("audit:list"))
    groups = [row for row in response.context["rows"] if row.group]
    assert len(groups) == 1 and groups[0].count == 26
    assert "26 insights.protectedfigures entries in this request" in response.content.decode()
