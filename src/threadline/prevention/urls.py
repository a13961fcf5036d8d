from django.urls import path

from threadline.prevention import views

app_name = "prevention"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("districts/", views.DistrictsView.as_view(), name="districts"),
    path("schools/", views.SchoolListView.as_view(), name="schools"),
    path("schools/new/", views.SchoolCreateView.as_view(), name="school_create"),
    path("facilitators/", views.FacilitatorsView.as_view(), name="facilitators"),
    path("facilitators/<int:pk>/training/", views.TrainingAddView.as_view(), name="training_add"),
    path("curricula/", views.CurriculaView.as_view(), name="curricula"),
    path("curricula/<str:key>/", views.CurriculumDetailView.as_view(), name="curriculum_detail"),
    path("curricula/loaded/<int:pk>.json", views.CurriculumDownloadView.as_view(), name="curriculum_download"),
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/responses/", views.ResponsesUploadView.as_view(), name="responses_upload"),
    path("plans/<int:pk>/analysis/", views.PlanAnalysisView.as_view(), name="plan_analysis"),
    path("analysis/", views.ProgrammeAnalysisView.as_view(), name="programme_analysis"),
    path("sessions/new/", views.SessionLogView.as_view(), name="session_log"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session_detail"),
    path("sessions/<int:pk>/concern/", views.ConcernCreateView.as_view(), name="concern_create"),
    path("surveys/new/", views.RoundOpenView.as_view(), name="round_open"),
    path("surveys/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("surveys/<int:pk>/close/", views.RoundCloseView.as_view(), name="round_close"),
    path("concerns/", views.ConcernListView.as_view(), name="concerns"),
    path("concerns/<int:pk>/", views.ConcernDetailView.as_view(), name="concern_detail"),
    path("concerns/<int:pk>/acknowledge/", views.ConcernAcknowledgeView.as_view(), name="concern_acknowledge"),
    path("concerns/<int:pk>/close/", views.ConcernCloseView.as_view(), name="concern_close"),
    path("concerns/<int:pk>/screening/", views.ConcernOpenScreeningView.as_view(), name="concern_screening"),
    path("protocol/", views.ProtocolView.as_view(), name="protocol"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/htype.<str:fmt>", views.ExportView.as_view(), name="export"),
    path("dashboard/publish/", views.SummaryPublishView.as_view(), name="publish"),
    path("public/", views.PublicView.as_view(), name="public"),
]
