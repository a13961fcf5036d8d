"""Writes on cases. Keyword-only, typed, atomic. Consent is enforced here, once, for every caller (pages,
API, other areas). Cooperation with police or courts is never read by any rule in this package.

One module per concern; every public name is importable from ``threadline.cases.services``:

- ``case``: opening and updating a case, immediate-safety flags, the person's views and wishes;
- ``screening``: opening a case from a screening (the hand-over the screening area finds registered);
- ``consent``: consent given, refused and revoked; ``guards``: the open-case and consent checks;
- ``support``: needs assessment, services, the plan, cooperation with police and courts;
- ``approvals``: supervisor approvals; ``referrals``: referrals and transfers; ``partners``: referral partners;
- ``retention``: erasure, anonymisation after the retention period, the organisation's case settings.
"""

from threadline.cases.services.approvals import approval_decide, approval_request
from threadline.cases.services.case import (
    CODE_ALPHABET,
    SAFETY_TASKS,
    case_flag_safety,
    case_open,
    case_settings_for,
    case_update,
    child_view_record,
)
from threadline.cases.services.consent import consent_record, consent_revoke
from threadline.cases.services.guards import ConsentRequired, case_allows
from threadline.cases.services.partners import referral_partner_add, referral_partner_remove
from threadline.cases.services.referrals import (
    referral_accept,
    referral_create,
    referral_reject,
    referral_targets,
    referral_withdraw,
)
from threadline.cases.services.retention import (
    case_anonymise,
    case_erase,
    case_settings_save,
    cases_due_for_anonymisation,
)
from threadline.cases.services.screening import (
    SCREENING_HINTS,
    case_open_from_screening,
    exploitation_hint,
    screening_case_open,
    screening_cases,
    screening_safety_flag,
)
from threadline.cases.services.support import (
    assessment_save,
    cooperation_save,
    plan_task_add,
    plan_task_complete,
    service_add,
    service_update,
)

__all__ = [
    "CODE_ALPHABET",
    "SAFETY_TASKS",
    "SCREENING_HINTS",
    "ConsentRequired",
    "approval_decide",
    "approval_request",
    "assessment_save",
    "case_allows",
    "case_anonymise",
    "case_erase",
    "case_flag_safety",
    "case_open",
    "case_open_from_screening",
    "case_settings_for",
    "case_settings_save",
    "case_update",
    "cases_due_for_anonymisation",
    "child_view_record",
    "consent_record",
    "consent_revoke",
    "cooperation_save",
    "exploitation_hint",
    "plan_task_add",
    "plan_task_complete",
    "referral_accept",
    "referral_create",
    "referral_partner_add",
    "referral_partner_remove",
    "referral_reject",
    "referral_targets",
    "referral_withdraw",
    "screening_case_open",
    "screening_cases",
    "screening_safety_flag",
    "service_add",
    "service_update",
]
