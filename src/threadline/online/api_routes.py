"""This area's API endpoints, registered on the /api/v1/ router."""


def register(router) -> None:
    """Register this area's viewsets on the shared router."""
    from threadline.online.api.views import (
        InvestigationViewSet,
        LabelViewSet,
        NoticeViewSet,
        PackageViewSet,
        ScanViewSet,
    )

    router.register("online/investigations", InvestigationViewSet, basename="online-investigation")
    router.register("online/labels", LabelViewSet, basename="online-label")
    router.register("online/notices", NoticeViewSet, basename="online-notice")
    router.register("online/scans", ScanViewSet, basename="online-scan")
    router.register("online/packages", PackageViewSet, basename="online-package")
