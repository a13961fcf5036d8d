from django.urls import path

from threadline.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("due/", views.DashboardView.as_view(), name="dashboard"),
    path("new/", views.CaseOpenView.as_view(), name="open"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/details/", views.CaseDetailsEditView.as_view(), name="edit"),
    path("<int:pk>/identity/", views.CaseIdentityView.as_view(), name="identity"),
    path("<int:pk>/views/", views.ChildViewAddView.as_view(), name="view_add"),
    path("<int:pk>/consent/", views.ConsentAddView.as_view(), name="consent_add"),
    path("consent/<int:pk>/revoke/", views.ConsentRevokeView.as_view(), name="consent_revoke"),
    path("<int:pk>/assessment/", views.AssessmentView.as_view(), name="assessment"),
    path("<int:pk>/services/", views.ServiceAddView.as_view(), name="service_add"),
    path("services/<int:pk>/", views.ServiceEditView.as_view(), name="service_edit"),
    path("<int:pk>/plan/", views.PlanTaskAddView.as_view(), name="task_add"),
    path("plan/<int:pk>/done/", views.PlanTaskDoneView.as_view(), name="task_done"),
    path("<int:pk>/approval/", views.ApprovalRequestView.as_view(), name="approval_request"),
    path("approvals/<int:pk>/", views.ApprovalDecideView.as_view(), name="approval_decide"),
    path("<int:pk>/cooperation/", views.CooperationView.as_view(), name="cooperation"),
    path("<int:pk>/refer/", views.ReferralCreateView.as_view(), name="refer"),
    path("referrals/<int:pk>/withdraw/", views.ReferralWithdrawView.as_view(), name="referral_withdraw"),
    path("incoming/", views.IncomingListView.as_view(), name="incoming"),
    path("incoming/<int:pk>/", views.IncomingDetailView.as_view(), name="incoming_detail"),
    path("incoming/<int:pk>/answer/", views.IncomingAnswerView.as_view(), name="incoming_answer"),
    path("<int:pk>/access-export/", views.AccessExportView.as_view(), name="access_export"),
    path("<int:pk>/erase/", views.EraseView.as_view(), name="erase"),
    path("export/", views.StatisticsExportView.as_view(), name="export"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("settings/partners/", views.PartnerAddView.as_view(), name="partner_add"),
    path("settings/partners/<int:pk>/remove/", views.PartnerRemoveView.as_view(), name="partner_remove"),
]
