"""The survivor advisory: anonymous feedback on services and policies, shown inside only in aggregate."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.policy.models import AdvisorySubmission
from threadline.policy.services.common import PolicyError


@transaction.atomic
def advisory_submit(
    *,
    organisation,
    about: str,
    area: str,
    answers: dict[str, str],
    comments: str = "",
    contact_consent: bool = False,
    contact: str = "",
    language: str = "en",
) -> AdvisorySubmission:
    """Store anonymous feedback. A contact is kept only with the explicit consent given beside it."""
    clean = {}
    for dimension in AdvisorySubmission.DIMENSIONS:
        value = (answers.get(dimension) or "").strip()
        if value and value not in AdvisorySubmission.Answer.values:
            raise PolicyError(_("Choose one of the answers."), dimension)
        clean[dimension] = value
    if contact.strip() and not contact_consent:
        contact = ""  # no consent, no contact: never stored
    return AdvisorySubmission.objects.create(
        organisation=organisation,
        about=about,
        area=area,
        comments=comments.strip()[:4000],
        contact_consent=bool(contact_consent and contact.strip()),
        contact=contact.strip()[:300] if contact_consent else "",
        language=language[:8],
        received_on=timezone.localdate(),
        **clean,
    )
