from django.urls import path

from threadline.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("imports/", views.ImportsView.as_view(), name="imports"),
    path("imports/our-cases/", views.OwnCasesImportView.as_view(), name="own_cases"),
    path("imports/<uuid:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<uuid:pk>/mapping/", views.ImportMappingView.as_view(), name="import_mapping"),
    path("imports/<uuid:pk>/import/", views.ImportRunView.as_view(), name="import_run"),
    path("imports/<uuid:pk>/withdraw/", views.ImportWithdrawView.as_view(), name="import_withdraw"),
    path("imports/<uuid:pk>/cancel/", views.ImportCancelView.as_view(), name="import_cancel"),
    path("imports/<uuid:pk>/rejects.csv", views.ImportRejectsView.as_view(), name="import_rejects"),
    path("linkage/", views.LinkageView.as_view(), name="linkage"),
    path("dashboards/<slug:section>/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboards/<slug:section>/report.<str:fmt>", views.SectionReportView.as_view(), name="section_report"),
    path("charts/<slug:slug>.<str:fmt>", views.ChartDownloadView.as_view(), name="chart_download"),
    path("releases/", views.ReleasesView.as_view(), name="releases"),
    path("releases/<int:pk>/", views.ReleaseDetailView.as_view(), name="release"),
    path("releases/<int:pk>/publish/", views.ReleasePublishView.as_view(), name="release_publish"),
    path("releases/<int:pk>/release.csv", views.ReleaseCsvView.as_view(), name="release_csv"),
    path("synthetic/", views.SyntheticCreateView.as_view(), name="synthetic_create"),
    path("synthetic/<int:pk>/", views.SyntheticDetailView.as_view(), name="synthetic"),
    path("synthetic/<int:pk>/publish/", views.SyntheticPublishView.as_view(), name="synthetic_publish"),
    path("synthetic/<int:pk>/synthetic.csv", views.SyntheticCsvView.as_view(), name="synthetic_csv"),
    path("public/", views.PublicView.as_view(), name="public"),
    path("public/releases/<int:pk>.csv", views.PublicReleaseCsvView.as_view(), name="public_release_csv"),
    path("public/synthetic/<int:pk>.csv", views.PublicSyntheticCsvView.as_view(), name="public_synthetic_csv"),
]
