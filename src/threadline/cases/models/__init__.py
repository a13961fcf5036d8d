"""Protection cases and everything attached to them; one file per area of the case."""

from threadline.cases.models.case import (
    ACCESS_EXPORT_FIELDS,
    API_FIELDS,
    DETAIL_FIELDS,
    EDITABLE_FIELDS,
    IDENTITY_FIELDS,
    NARRATIVE_FIELDS,
    RECORD_FIELDS,
    SENSITIVE_FIELDS,
    SUMMARY_FIELDS,
    Case,
    CaseSettings,
    ChildView,
    ReferralPartner,
)
from threadline.cases.models.consent import Consent
from threadline.cases.models.referral import IncomingReferral, Referral
from threadline.cases.models.support import Approval, Assessment, Cooperation, PlanTask, Service

__all__ = [
    "ACCESS_EXPORT_FIELDS",
    "API_FIELDS",
    "DETAIL_FIELDS",
    "EDITABLE_FIELDS",
    "IDENTITY_FIELDS",
    "NARRATIVE_FIELDS",
    "RECORD_FIELDS",
    "SENSITIVE_FIELDS",
    "SUMMARY_FIELDS",
    "Approval",
    "Assessment",
    "Case",
    "CaseSettings",
    "ChildView",
    "Consent",
    "Cooperation",
    "IncomingReferral",
    "PlanTask",
    "Referral",
    "ReferralPartner",
    "Service",
]
