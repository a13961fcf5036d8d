from django.urls import path

from threadline.screening import views

app_name = "screening"

urlpatterns = [
    path("", views.ScreeningListView.as_view(), name="list"),
    path("start/", views.ScreeningStartView.as_view(), name="start"),
    path("<int:pk>/", views.ScreeningDetailView.as_view(), name="detail"),
    path("<int:pk>/step/<int:step>/", views.ScreeningStepView.as_view(), name="step"),
    path("<int:pk>/resume/", views.ScreeningResumeView.as_view(), name="resume"),
    path("<int:pk>/review/", views.ScreeningReviewView.as_view(), name="review"),
    path("<int:pk>/complete/", views.ScreeningCompleteView.as_view(), name="complete"),
    path("<int:pk>/safety/", views.ScreeningSafetyView.as_view(), name="safety"),
    path("<int:pk>/result.pdf", views.ScreeningPdfView.as_view(), name="result_pdf"),
    path("<int:pk>/open-case/", views.ScreeningOpenCaseView.as_view(), name="open_case"),
    path("instruments/", views.InstrumentListView.as_view(), name="instruments"),
    path("instruments/upload/", views.InstrumentUploadView.as_view(), name="instrument_upload"),
    path("instruments/<int:pk>/", views.InstrumentDetailView.as_view(), name="instrument_detail"),
    path("instruments/<int:pk>/toggle/", views.InstrumentToggleView.as_view(), name="instrument_toggle"),
    path("contacts/", views.ContactListView.as_view(), name="contacts"),
    path("contacts/new/", views.ContactFormView.as_view(), name="contact_create"),
    path("contacts/<int:pk>/", views.ContactFormView.as_view(), name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.ContactDeleteView.as_view(), name="contact_delete"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
]
