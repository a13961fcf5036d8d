"""The organisations this one refers to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from threadline.cases.models import (
    ReferralPartner,
)


@transaction.atomic
def referral_partner_add(*, organisation, user, partner) -> ReferralPartner:
    if partner.pk == organisation.pk:
        raise ValidationError({"partner": _("Choose another organisation.")})
    found = ReferralPartner.objects.filter(organisation=organisation, partner=partner).first()
    return found or ReferralPartner.objects.create(organisation=organisation, partner=partner)


@transaction.atomic
def referral_partner_remove(*, item: ReferralPartner, user) -> None:
    item.delete()
