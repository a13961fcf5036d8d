"""Helpers that build screenings through the services, as the pages do."""

from __future__ import annotations

CHILD_SEXUAL = "ilo-2009-child-sexual"

# Two strong deceptive-recruitment indicators and two strong exploitation indicators: with the child rule
# (recruitment dimension AND exploitation) this is a presumed victim.
PRESUMED_CHILD_ANSWERS = {
    "deceived_job_location_employer": "yes",
    "deceived_education_access": "yes",
    "excessive_hours": "yes",
    "hazardous_work": "yes",
}

VALID_INSTRUMENT_YAML = """\
schema_version: 1
id: harbour-first-contact
version: "1"
title: Harbour first-contact screen
status: organisation
source:
  citation: Harbour Test Agency, internal first-contact screen (synthetic test file)
population: any
exploitation: [any]
languages: [en]
rule:
  type: k_of_n
  further_assessment: {found_at_least: 1}
dimensions:
  - id: first_contact
    name: First contact
    indicators:
      - id: cannot_leave
        name: Cannot leave
        question: Is there a place you cannot leave when you want to?
      - id: papers_held
        name: Papers held by someone else
        question: Does someone else keep your papers from you?
"""


def start(org, user, *, instrument: str = CHILD_SEXUAL, age_group: str = "child", language: str = "en"):
    from threadline.screening import services

    return services.screening_start(
        organisation=org,
        user=user,
        instrument_key=instrument,
        reference="",
        age_group=age_group,
        language=language,
    )


def completed(org, user, *, answers=None, instrument: str = CHILD_SEXUAL, age_group: str = "child"):
    from threadline.screening import services

    return services.screening_create_complete(
        organisation=org,
        user=user,
        instrument_key=instrument,
        reference="",
        age_group=age_group,
        answers=PRESUMED_CHILD_ANSWERS if answers is None else answers,
    )


def upload(org, user, text: str = VALID_INSTRUMENT_YAML, name: str = "first-contact.yaml"):
    from threadline.screening import services

    return services.instrument_upload(organisation=org, user=user, file_name=name, content=text.encode())


def contact(org, user, name: str = "Duty line"):
    from threadline.screening import services

    return services.referral_contact_save(organisation=org, user=user, name=name, phone="020 7946 0018")
