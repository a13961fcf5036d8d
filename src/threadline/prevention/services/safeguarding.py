"""Safeguarding: the organisation's protocol and concerns raised in sessions, with their deadlines and alerts."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.engines.prevention import (
    SEXES,
)
from threadline.prevention.models import (
    Concern,
    SafetyProtocol,
    SessionDelivery,
)
from threadline.prevention.services.common import (
    DEFAULT_ACKNOWLEDGE_HOURS,
    DEFAULT_CLOSE_HOURS,
    PreventionError,
)

logger = logging.getLogger(__name__)

# -- safeguarding ---------------------------------------------------------------------------------------


def protocol_save(
    *,
    organisation,
    designated_lead,
    steps: list[str],
    acknowledge_within_hours: int,
    close_within_hours: int,
    mandatory_reporting: str,
) -> SafetyProtocol:
    from threadline.core.permissions import has_perm

    if designated_lead.organisation_id != organisation.pk or not designated_lead.is_active:
        raise PreventionError(_("Choose an active member of this organisation."), "designated_lead")
    if not has_perm(designated_lead.user, "prevention.handle_concern", organisation):
        raise PreventionError(
            _("The designated lead's role must allow handling concerns (coordinator, supervisor or administrator)."),
            "designated_lead",
        )
    if acknowledge_within_hours < 1 or close_within_hours < acknowledge_within_hours:
        raise PreventionError(_("Handling cannot be due before acknowledgement."), "close_within_hours")
    protocol = SafetyProtocol.objects.filter(organisation=organisation).first() or SafetyProtocol(
        organisation=organisation
    )
    protocol.designated_lead = designated_lead
    protocol.steps = [s.strip() for s in steps if s.strip()]
    protocol.acknowledge_within_hours = acknowledge_within_hours
    protocol.close_within_hours = close_within_hours
    protocol.mandatory_reporting = mandatory_reporting.strip()
    protocol.save()
    return protocol


def _handlers(organisation):
    from threadline.accounts.models import Membership
    from threadline.core.roles import ROLES

    roles = [key for key, role in ROLES.items() if "prevention.handle_concern" in role.permissions]
    return Membership.objects.filter(organisation=organisation, is_active=True, role__in=roles).select_related("user")


@transaction.atomic
def concern_record(
    *,
    user,
    session: SessionDelivery,
    category: str,
    urgency: str,
    note: str,
    sex: str = "not_stated",
    age_band: str = "",
    site: str = "",
) -> Concern:
    """Record a disclosure or concern from a session in one step and tell the designated lead at once (by
    e-mail, and in their list of concerns). Without a protocol, every member who may handle concerns is told,
    with the default deadlines: a disclosure is never held back for want of configuration."""
    if category not in Concern.Category.values:
        raise PreventionError(_("Choose what was raised."), "category")
    if urgency not in Concern.Urgency.values:
        raise PreventionError(_("Choose the urgency."), "urgency")
    if sex not in SEXES:
        raise PreventionError(_("Choose a listed option."), "sex")
    protocol = (
        SafetyProtocol.objects.filter(organisation=session.organisation).select_related("designated_lead").first()
    )
    now = timezone.now()
    ack_hours = protocol.acknowledge_within_hours if protocol else DEFAULT_ACKNOWLEDGE_HOURS
    close_hours = protocol.close_within_hours if protocol else DEFAULT_CLOSE_HOURS
    if urgency == Concern.Urgency.IMMEDIATE:
        ack_hours = min(ack_hours, 1)
    concern = Concern.objects.create(
        organisation=session.organisation,
        session=session,
        school=session.plan.school,
        category=category,
        urgency=urgency,
        sex=sex,
        age_band=age_band[:12],
        note=note.strip(),
        reported_by=user,
        lead=protocol.designated_lead if protocol else None,
        received_at=now,
        acknowledge_due_at=now + timedelta(hours=ack_hours),
        close_due_at=now + timedelta(hours=close_hours),
    )
    recipients = [protocol.designated_lead] if protocol else list(_handlers(session.organisation))
    transaction.on_commit(lambda: _notify(concern, recipients, site))
    return concern


def _notify(concern: Concern, recipients, site: str = "") -> None:
    """E-mail the lead that a concern is waiting: where to look and by when, never what was said."""
    from django.urls import reverse

    subject = _("Safeguarding concern waiting for you (Threadline)")
    body = _(
        "A safeguarding concern was recorded from a prevention session and waits for you.\n"
        "Urgency: %(urgency)s. Acknowledge it by %(due)s (UTC).\n"
        "Open it in Threadline: %(path)s\n"
        "This message holds no detail on purpose."
    ) % {
        "urgency": concern.get_urgency_display(),
        "due": f"{concern.acknowledge_due_at:%Y-%m-%d %H:%M}",
        "path": site.rstrip("/") + reverse("prevention:concern_detail", kwargs={"pk": concern.pk}),
    }
    for membership in recipients:
        try:
            send_mail(subject, body, None, [membership.user.email])
        except (OSError, smtplib.SMTPException) as exc:
            logger.warning("concern notification not sent", extra={"error": type(exc).__name__})


def concern_acknowledge(*, concern: Concern, user) -> Concern:
    if concern.status == Concern.Status.RECEIVED:
        concern.status = Concern.Status.ACKNOWLEDGED
        concern.acknowledged_at = timezone.now()
        concern.save()
    return concern


def concern_close(*, concern: Concern, user, outcome: str) -> Concern:
    if outcome not in Concern.Outcome.values:
        raise PreventionError(_("Choose how the concern was handled."), "outcome")
    now = timezone.now()
    if concern.acknowledged_at is None:
        concern.acknowledged_at = now
    concern.status = Concern.Status.CLOSED
    concern.outcome = outcome
    concern.closed_at = now
    concern.save()
    return concern


def concern_open_screening(*, concern: Concern, user) -> Concern:
    """Mark that a screening is being opened for this concern (the identity is recorded there, not here)."""
    concern_acknowledge(concern=concern, user=user)
    if concern.screening_opened_at is None:
        concern.screening_opened_at = timezone.now()
        concern.save()
    return concern
