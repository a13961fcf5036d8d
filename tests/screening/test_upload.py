"""Uploading an organisation's instrument: validated with errors naming the file, the field path and the reason."""

from __future__ import annotations

import json

import pytest

from tests.screening import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(org, make_user):
    return make_user(org, "supervisor")


def _errors(org, user, text: str, name: str = "mine.yaml"):
    from threadline.screening import services

    with pytest.raises(services.InstrumentUploadError) as caught:
        factories.upload(org, user, text, name)
    return caught.value.errors


def test_a_valid_file_is_stored_with_its_version_and_digest(org, supervisor):
    stored = factories.upload(org, supervisor)
    assert (stored.instrument_id, stored.version, stored.file_name) == (
        "harbour-first-contact",
        "1",
        "first-contact.yaml",
    )
    assert len(stored.digest) == 64 and stored.is_active
    assert stored.content["dimensions"][0]["id"] == "first_contact"


def test_json_files_are_accepted(org, supervisor):
    import yaml

    data = yaml.safe_load(factories.VALID_INSTRUMENT_YAML)
    stored = factories.upload(org, supervisor, json.dumps(data), "first-contact.json")
    assert stored.instrument_id == "harbour-first-contact"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (("found_at_least: 1", "found_at_least: many"), "rule.further_assessment"),
        (("population: any", "population: everyone"), "population"),
        (("      - id: papers_held\n", "      - id: cannot_leave\n"), "dimensions[0].indicators[1].id"),
    ],
)
def test_errors_name_the_file_the_field_path_and_the_reason(org, supervisor, change, path):
    text = factories.VALID_INSTRUMENT_YAML.replace(*change)
    assert text != factories.VALID_INSTRUMENT_YAML
    errors = _errors(org, supervisor, text, "broken.yaml")
    assert errors and all(e.source == "broken.yaml" for e in errors)
    assert any(e.path.startswith(path) for e in errors), [str(e) for e in errors]
    assert all(e.message for e in errors)


def test_not_yaml_at_all(org, supervisor):
    errors = _errors(org, supervisor, "id: [unclosed\n", "garbage.yaml")
    assert errors[0].source == "garbage.yaml"


def test_same_version_twice_is_refused_new_version_is_stored(org, supervisor):
    factories.upload(org, supervisor)
    errors = _errors(org, supervisor, factories.VALID_INSTRUMENT_YAML)
    assert [e.path for e in errors] == ["version"]
    second = factories.upload(org, supervisor, factories.VALID_INSTRUMENT_YAML.replace('version: "1"', 'version: "2"'))
    assert second.version == "2"


def test_the_id_of_a_shipped_instrument_is_refused(org, supervisor):
    text = factories.VALID_INSTRUMENT_YAML.replace("id: harbour-first-contact", f"id: {factories.CHILD_SEXUAL}")
    assert [e.path for e in _errors(org, supervisor, text)] == ["id"]


def test_too_large_files_are_refused(org, supervisor):
    from threadline.screening import services

    errors = _errors(org, supervisor, "#" * (services.MAX_UPLOAD_BYTES + 1))
    assert "larger than" in errors[0].message


def test_uploaded_instruments_are_offered_only_in_their_organisation(org, other_org, supervisor, make_user):
    from threadline.screening import selectors, services

    stored = factories.upload(org, supervisor)
    key = f"upload-{stored.pk}"
    worker = make_user(org, "caseworker")
    assert key in [c.key for c in selectors.instrument_choices(user=worker, organisation=org)]
    stranger = make_user(other_org, "caseworker")
    assert key not in [c.key for c in selectors.instrument_choices(user=stranger, organisation=other_org)]
    with pytest.raises(services.ScreeningError):
        factories.start(other_org, stranger, instrument=key)

    screening = factories.completed(org, worker, instrument=key, answers={"cannot_leave": "yes"})
    assert screening.instrument_upload == stored and screening.outcome == "further_assessment"

    # Retired versions are no longer offered, but the screenings that used them keep them.
    services.instrument_set_active(instrument=stored, user=supervisor, is_active=False)
    assert key not in [c.key for c in selectors.instrument_choices(user=worker, organisation=org)]
    assert selectors.instrument_for_screening(screening).id == "harbour-first-contact"
