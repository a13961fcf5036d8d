"""Case pages. Thin: every write goes through ``services``; every queryset is restricted to the current
organisation; every read of identifying data is audited. One module per part of the area; ``urls`` reads
them from here."""

from threadline.cases.views.case import (
    CaseDetailView,
    CaseFormView,
    CaseListView,
    CaseOpenView,
    DashboardView,
)
from threadline.cases.views.organisation import (
    PartnerAddView,
    PartnerRemoveView,
    SettingsView,
    StatisticsExportView,
)
from threadline.cases.views.record import (
    AccessExportView,
    ApprovalDecideView,
    ApprovalRequestView,
    AssessmentView,
    CaseDetailsEditView,
    CaseIdentityView,
    ChildViewAddView,
    ConsentAddView,
    ConsentRevokeView,
    CooperationView,
    EraseView,
    PlanTaskAddView,
    PlanTaskDoneView,
    ServiceAddView,
    ServiceEditView,
)
from threadline.cases.views.referrals import (
    IncomingAnswerView,
    IncomingDetailView,
    IncomingListView,
    ReferralCreateView,
    ReferralWithdrawView,
)

__all__ = [
    "AccessExportView",
    "ApprovalDecideView",
    "ApprovalRequestView",
    "AssessmentView",
    "CaseDetailView",
    "CaseDetailsEditView",
    "CaseFormView",
    "CaseIdentityView",
    "CaseListView",
    "CaseOpenView",
    "ChildViewAddView",
    "ConsentAddView",
    "ConsentRevokeView",
    "CooperationView",
    "DashboardView",
    "EraseView",
    "IncomingAnswerView",
    "IncomingDetailView",
    "IncomingListView",
    "PartnerAddView",
    "PartnerRemoveView",
    "PlanTaskAddView",
    "PlanTaskDoneView",
    "ReferralCreateView",
    "ReferralWithdrawView",
    "ServiceAddView",
    "ServiceEditView",
    "SettingsView",
    "StatisticsExportView",
]
