"""The insights pages on the shared scoped views (issue #17): a service's refusal reaches the person the same
way as before the move, on the form field it concerns or as a message on the page redirected to, and another
organisation's object stays a 404."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.insights.conftest import csv_upload, plan_rows

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_an_upload_refusal_is_shown_on_the_file_field(officer_client, settings):
    settings.INSIGHTS_UPLOAD_MAX_BYTES = 1000  # a plain refusal from core.uploads, not one naming the field
    response = officer_client.post(
        reverse("insights:imports"), {"file": csv_upload(plan_rows()), "format": "htcds", "source": "p"}
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert "the largest file accepted here" in " ".join(form.errors["file"])
    assert form.non_field_errors() == []


def test_a_refused_import_action_becomes_a_message_on_the_import_page(officer_client, loaded):
    response = officer_client.post(reverse("insights:import_cancel", args=[loaded.pk]))
    assert response.status_code == 302
    assert response.url == reverse("insights:import_detail", args=[loaded.pk])
    assert _messages(response) == ["Only an import that has not started can be cancelled."]


def test_a_withdrawal_says_so(officer_client, loaded):
    response = officer_client.post(reverse("insights:import_withdraw", args=[loaded.pk]))
    assert response.url == reverse("insights:import_detail", args=[loaded.pk])
    assert _messages(response) == ["The import was withdrawn: its records are no longer counted. Run linkage again."]


def test_an_incomplete_synthetic_request_goes_back_to_the_releases(officer_client):
    response = officer_client.post(reverse("insights:synthetic_create"), {"title": ""})
    assert response.url == reverse("insights:releases")
    assert _messages(response) == ["Give a title and choose at least one release."]


def test_a_release_refusal_is_shown_on_top_of_the_form(officer_client):
    response = officer_client.post(
        reverse("insights:releases"), {"title": "t", "group_by": ["gender"], "method": "suppression"}
    )
    assert response.status_code == 200
    assert any("no data to release" in e for e in response.context["form"].non_field_errors())


@pytest.mark.parametrize("name", ["import_run", "import_cancel", "import_withdraw", "import_mapping"])
def test_another_organisations_import_is_not_found(name, loaded, other_org, make_user, signed_in):
    stranger = signed_in(make_user(other_org, "data_officer"), other_org)
    assert stranger.post(reverse(f"insights:{name}", args=[loaded.pk])).status_code == 404
    assert stranger.get(reverse("insights:import_rejects", args=[loaded.pk])).status_code == 404
