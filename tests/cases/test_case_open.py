from types import SimpleNamespace

import pytest

from threadline.cases import vocabulary as v
from threadline.cases.models import Case
from threadline.cases.services import case_open, case_open_from_screening, exploitation_hint


@pytest.mark.django_db
def test_case_open_gives_a_pseudonymous_code_and_a_reflection_period(org, make_user):
    user = make_user(org, "caseworker")
    case = case_open(organisation=org, user=user, full_name="Synthetic Person", child_status="child")
    assert case.code.startswith("C-") and "Synthetic" not in case.code
    assert (case.reflection_end - case.reflection_start).days >= 30
    assert case.reflection_days_remaining >= 29
    stored = Case.objects.values_list("full_name", flat=True).get(pk=case.pk)
    assert stored == "Synthetic Person"  # decrypted on read
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name FROM cases_case WHERE id = %s", [case.pk])
        assert "Synthetic" not in cursor.fetchone()[0]


@pytest.mark.django_db
def test_case_open_from_screening_is_prefilled(org, make_user):
    user = make_user(org, "caseworker")
    screening = SimpleNamespace(
        organisation=org, is_child=True, instrument_id="ilo-2009-child-sexual", outcome="indicators found", pk=7
    )
    case = case_open_from_screening(screening=screening, user=user)
    assert case.child_status == v.ChildStatus.CHILD
    assert case.exploitation == v.Exploitation.SEXUAL
    assert case.identification_method == v.IdentificationMethod.SCREENING
    assert case.screening_instrument == "ilo-2009-child-sexual"
    assert case.screening_ref == "7"


def test_exploitation_hints():
    assert exploitation_hint("ilo-2009-child-labour") == v.Exploitation.FORCED_LABOUR
    assert exploitation_hint("ilo-2009-adult-sexual") == v.Exploitation.SEXUAL
    assert exploitation_hint("anything") == v.Exploitation.UNKNOWN


@pytest.mark.django_db
def test_case_open_from_a_real_screening_links_it_and_the_page_shows_it(org, make_user, signed_in):
    from django.urls import reverse

    from threadline.screening.models import Screening

    user = make_user(org, "caseworker")
    screening = Screening.objects.create(
        organisation=org,
        reference="S-1",
        is_child=True,
        instrument_id="ilo-2009-child-labour",
        instrument_version="1",
        instrument_digest="0" * 64,
        outcome="presumed_victim",
    )
    case = case_open_from_screening(screening=screening, user=user)
    assert case.screening == screening and case.exploitation == v.Exploitation.FORCED_LABOUR
    page = signed_in(user, org).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "ilo-2009-child-labour" in page
    assert reverse("screening:detail", args=[screening.pk]) in page
