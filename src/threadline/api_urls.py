"""``/api/v1/``: every area registers its viewsets on this one router."""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from threadline.accounts.api.views import MembershipViewSet, OrganisationViewSet
from threadline.audit.api.views import AuditEntryViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("members", MembershipViewSet, basename="membership")
router.register("audit", AuditEntryViewSet, basename="auditentry")
for _area in ("screening", "cases", "online", "insights", "prevention", "policy"):
    import_module(f"threadline.{_area}.api_routes").register(router)

urlpatterns = [
    path(
        "openapi.json",
        SpectacularAPIView.as_view(permission_classes=[], authentication_classes=[]),
        {"format": "json"},
        name="openapi",
    ),
    path("", include(router.urls)),
]
