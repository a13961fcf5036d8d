"""Small builders for case tests (synthetic, bland)."""

from __future__ import annotations

import itertools
from datetime import date

_n = itertools.count(1)


def new_org(name: str | None = None):
    from threadline.accounts.services import organisation_create

    return organisation_create(name=name or f"Partner Agency {next(_n)}")


def new_user(org, role: str = "caseworker"):
    from threadline.accounts.services import user_create

    return user_create(
        email=f"cases-{next(_n)}@agency.example",
        password="correct-horse-battery-staple-42",
        organisation=org,
        role=role,
    )


def new_case(org, user=None, **details):
    from threadline.cases.services import case_open

    details.setdefault("full_name", "Synthetic Person")
    details.setdefault("child_status", "child")
    return case_open(organisation=org, user=user or new_user(org), **details)


def consent(case, user, scope: str, **kwargs):
    from threadline.cases.services import consent_record

    kwargs.setdefault("informed_on", date(2026, 1, 5))
    kwargs.setdefault("language", "English")
    return consent_record(case=case, user=user, scope=scope, **kwargs)


def partners(org, other):
    from threadline.cases.services import referral_partner_add

    referral_partner_add(organisation=org, user=None, partner=other)
    referral_partner_add(organisation=other, user=None, partner=org)


def incoming_referral(org):
    """A referral from a new partner organisation to ``org``, within consent."""
    from threadline.cases.services import referral_create

    sender = new_org()
    partners(sender, org)
    worker = new_user(sender)
    case = new_case(sender, worker)
    consent(case, worker, "sharing", partner=org, shares=["summary", "identity"])
    return referral_create(
        case=case, user=worker, to_organisation=org, reason="Specialist shelter", shares=["summary", "identity"]
    )
