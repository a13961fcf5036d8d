"""Erasure and retention: identifying data is anonymised on request or after the retention period."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.audit.services import audit_object
from threadline.cases import vocabulary as v
from threadline.cases.models import (
    IDENTITY_FIELDS,
    NARRATIVE_FIELDS,
    Assessment,
    Case,
    CaseSettings,
    ChildView,
    Cooperation,
    Referral,
)
from threadline.core.permissions import has_perm


@transaction.atomic
def case_anonymise(*, case: Case) -> Case:
    """Erase every identifying and narrative field of a case; keep the non-identifying facts for statistics."""
    for name in (*IDENTITY_FIELDS, *NARRATIVE_FIELDS):
        setattr(case, name, "")
    case.anonymised_at = timezone.now()
    case.save()
    ChildView.objects.filter(case=case).update(text="")
    Assessment.objects.filter(case=case).update(summary="")
    Cooperation.objects.filter(case=case).update(notes="")
    Referral.objects.filter(case=case).update(shared_identity="")
    return case


@transaction.atomic
def case_erase(*, case: Case, user, reason: str) -> Case:
    """Erasure on request (GDPR Art. 17) by a supervisor: identity erased now, the request recorded."""
    if not has_perm(user, "cases.erase_case", case.organisation_id):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Record why the data is erased (for example, the person's request).")})
    case_anonymise(case=case)
    audit_object("erase", case, note=reason.strip()[:200])
    return case


def cases_due_for_anonymisation(*, today: date | None = None):
    """Closed or transferred cases whose organisation's retention period has passed, not yet anonymised."""
    from django.db.models import Q

    from threadline.accounts.models import Organisation

    today = today or timezone.localdate()
    default_days = CaseSettings._meta.get_field("retention_days").default
    custom = dict(CaseSettings.objects.values_list("organisation_id", "retention_days"))
    condition = Q()
    for org_id in Organisation.objects.values_list("pk", flat=True):
        cutoff = today - timedelta(days=custom.get(org_id, default_days))
        condition |= Q(organisation_id=org_id, closed_on__lte=cutoff)
    closed = Case.objects.filter(status__in=[v.Status.CLOSED, v.Status.TRANSFERRED], anonymised_at__isnull=True)
    return closed.filter(condition) if condition else closed.none()


@transaction.atomic
def case_settings_save(*, organisation, user, retention_days: int, reflection_days: int) -> CaseSettings:
    record = CaseSettings.objects.filter(organisation=organisation).first() or CaseSettings(organisation=organisation)
    if reflection_days < 30:
        raise ValidationError({"reflection_days": _("The recovery and reflection period is at least 30 days.")})
    if retention_days < 1:
        raise ValidationError({"retention_days": _("At least one day.")})
    record.retention_days = retention_days
    record.reflection_days = reflection_days
    record.save()
    return record
