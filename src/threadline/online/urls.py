from django.urls import path

from threadline.online import views

app_name = "online"

NETWORK = "<int:pk>/networks/<str:network_id>/"

urlpatterns = [
    path("", views.InvestigationListView.as_view(), name="investigations"),
    path("new/", views.InvestigationCreateView.as_view(), name="investigation_create"),
    path("<int:pk>/", views.InvestigationDetailView.as_view(), name="investigation"),
    path("<int:pk>/upload/", views.SourceUploadView.as_view(), name="source_upload"),
    path("<int:pk>/server-path/", views.SourcePathView.as_view(), name="source_path"),
    path("<int:pk>/inputs/<int:source_pk>/remove/", views.SourceRemoveView.as_view(), name="source_remove"),
    path("<int:pk>/scan/", views.ScanStartView.as_view(), name="scan_start"),
    path("scans/<uuid:scan_pk>/", views.ScanProgressView.as_view(), name="scan"),
    path("scans/<uuid:scan_pk>/cancel/", views.ScanCancelView.as_view(), name="scan_cancel"),
    path("<int:pk>/networks/", views.NetworkListView.as_view(), name="networks"),
    path(NETWORK, views.NetworkDetailView.as_view(), name="network"),
    path(NETWORK + "label/", views.NetworkLabelView.as_view(), name="network_label"),
    path(NETWORK + "assign/", views.NetworkAssignView.as_view(), name="network_assign"),
    path(NETWORK + "confirm/", views.NetworkConfirmView.as_view(), name="network_confirm"),
    path(NETWORK + "notes/", views.NoteAddView.as_view(), name="note_add"),
    path(NETWORK + "ad-label/", views.AdLabelView.as_view(), name="ad_label"),
    path(NETWORK + "correct/", views.NetworkCorrectView.as_view(), name="network_correct"),
    path(NETWORK + "notice/", views.NoticeCreateView.as_view(), name="notice_create"),
    path(NETWORK + "package/", views.PackageCreateView.as_view(), name="package_create"),
    path("<int:pk>/signals/", views.SignalsView.as_view(), name="signals"),
    path("<int:pk>/calibration/", views.CalibrationView.as_view(), name="calibration"),
    path("<int:pk>/calibration/propose/", views.CalibrationProposeView.as_view(), name="calibration_propose"),
    path("proposals/<int:proposal_pk>/decide/", views.ProposalDecideView.as_view(), name="proposal_decide"),
    path("packages/verify/", views.PackageVerifyView.as_view(), name="package_verify"),
    path("packages/<uuid:package_pk>/", views.PackageDetailView.as_view(), name="package"),
    path("packages/<uuid:package_pk>/download/", views.PackageDownloadView.as_view(), name="package_download"),
    path("notices/<int:notice_pk>/", views.NoticeDetailView.as_view(), name="notice"),
    path("notices/<int:notice_pk>/status/", views.NoticeStatusView.as_view(), name="notice_status"),
    path("notices/<int:notice_pk>/notice.<str:fmt>", views.NoticeExportView.as_view(), name="notice_export"),
    path("platforms/", views.PlatformListView.as_view(), name="platforms"),
    path("platforms.csv", views.PlatformCsvView.as_view(), name="platforms_csv"),
    # a platform is a scraped site name: any text, slashes included (reverse() escapes dot segments)
    path("platforms/<path:platform>/", views.PlatformDetailView.as_view(), name="platform"),
]
