from django.urls import path

from threadline.policy import public

app_name = "rights"

urlpatterns = [
    path("", public.RegisterView.as_view(), name="register"),
    path("<int:pk>/", public.PublishedDetailView.as_view(), name="detail"),
    path("<int:pk>.pdf", public.PublishedPdfView.as_view(), name="pdf"),
    path("advisory/<slug:slug>/", public.AdvisoryView.as_view(), name="advisory"),
    path("advisory/<slug:slug>/thanks/", public.AdvisoryThanksView.as_view(), name="advisory_thanks"),
]
