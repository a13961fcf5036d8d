from django.urls import include, path

from threadline.accounts.views import LanguageView
from threadline.core.views import HealthView

urlpatterns = [
    path("health/", HealthView.as_view(), name="health"),
    path("i18n/setlang/", LanguageView.as_view(), name="set_language"),
    path("accounts/", include("threadline.accounts.urls")),
    path("audit/", include("threadline.audit.urls")),
    path("screening/", include("threadline.screening.urls")),
    path("cases/", include("threadline.cases.urls")),
    path("online/", include("threadline.online.urls")),
    path("insights/", include("threadline.insights.urls")),
    path("prevention/", include("threadline.prevention.urls")),
    path("survey/", include("threadline.prevention.survey_urls")),
    path("policy/", include("threadline.policy.urls")),
    path("rights/", include("threadline.policy.public_urls")),
    path("api/v1/", include(("threadline.api_urls", "api"), namespace="api")),
    path("", include("threadline.core.urls")),
]

handler403 = "threadline.core.errors.permission_denied"
handler404 = "threadline.core.errors.page_not_found"
handler500 = "threadline.core.errors.server_error"
