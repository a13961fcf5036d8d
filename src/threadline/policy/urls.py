from django.urls import path

from threadline.policy import views

app_name = "policy"

urlpatterns = [
    path("", views.PolicyListView.as_view(), name="list"),
    path("new/", views.PolicyCreateView.as_view(), name="create"),
    path("<int:pk>/", views.PolicyDetailView.as_view(), name="detail"),
    path("<int:pk>/assess/", views.AssessmentStartView.as_view(), name="assessment_start"),
    path("<int:pk>/results/", views.ResultAddView.as_view(), name="result_add"),
    path("<int:pk>/indicators/new/", views.IndicatorCreateView.as_view(), name="indicator_create"),
    path("assessments/<int:pk>/", views.AssessmentDetailView.as_view(), name="assessment"),
    path("assessments/<int:pk>/stage/<slug:stage>/", views.StageView.as_view(), name="stage"),
    path("assessments/<int:pk>/evidence/citation/", views.EvidenceCitationView.as_view(), name="evidence_citation"),
    path("assessments/<int:pk>/evidence/release/", views.EvidenceReleaseView.as_view(), name="evidence_release"),
    path(
        "assessments/<int:pk>/evidence/prevention/",
        views.EvidencePreventionView.as_view(),
        name="evidence_prevention",
    ),
    path("assessments/<int:pk>/evidence/<int:eid>/edit/", views.EvidenceEditView.as_view(), name="evidence_edit"),
    path(
        "assessments/<int:pk>/evidence/<int:eid>/delete/",
        views.EvidenceDeleteView.as_view(),
        name="evidence_delete",
    ),
    path(
        "assessments/<int:pk>/consultations/<int:cid>/edit/",
        views.ConsultationEditView.as_view(),
        name="consultation_edit",
    ),
    path(
        "assessments/<int:pk>/consultations/<int:cid>/delete/",
        views.ConsultationDeleteView.as_view(),
        name="consultation_delete",
    ),
    path("assessments/<int:pk>/consultations/new/", views.ConsultationCreateView.as_view(), name="consultation_create"),
    path(
        "assessments/<int:pk>/consultations/<int:cid>/feedback/",
        views.ConsultationFeedbackView.as_view(),
        name="consultation_feedback",
    ),
    path(
        "assessments/<int:pk>/versions/compare/",
        views.VersionCompareView.as_view(),
        name="version_compare",
    ),
    path("assessments/<int:pk>/impacts/", views.ImpactView.as_view(), name="impacts"),
    path("assessments/<int:pk>/decision/", views.DecisionView.as_view(), name="decision"),
    path("assessments/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("assessments/<int:pk>/comment/", views.CommentView.as_view(), name="comment"),
    path("assessments/<int:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("assessments/<int:pk>/approve/", views.ApproveView.as_view(), name="approve"),
    path("assessments/<int:pk>/publish/", views.PublishView.as_view(), name="publish"),
    path("monitoring/", views.MonitoringView.as_view(), name="monitoring"),
    path("indicators/<int:pk>/", views.IndicatorDetailView.as_view(), name="indicator"),
    path("indicators/<int:pk>/values/", views.IndicatorValueView.as_view(), name="indicator_value"),
    path("indicators/<int:pk>/recompute/", views.IndicatorRecomputeView.as_view(), name="indicator_recompute"),
    path("indicators/<int:pk>/reviewed/", views.IndicatorReviewedView.as_view(), name="indicator_reviewed"),
    path("population/", views.PopulationView.as_view(), name="population"),
    path("service-quality/", views.ServiceQualityView.as_view(), name="service_quality"),
    path("advisory/", views.AdvisoryListView.as_view(), name="advisory_list"),
    path("advisory/<int:pk>/", views.AdvisoryDetailView.as_view(), name="advisory_detail"),
]
