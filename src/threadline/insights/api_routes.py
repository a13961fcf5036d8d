"""This area's API endpoints, registered on the /api/v1/ router."""


def register(router) -> None:
    """Register this area's viewsets on the shared router."""
    from threadline.insights.api import views

    router.register("insights/imports", views.ImportViewSet, basename="insights-import")
    router.register("insights/linkage-runs", views.LinkageRunViewSet, basename="insights-linkagerun")
    router.register("insights/releases", views.ReleaseViewSet, basename="insights-release")
    router.register("insights/dashboards", views.DashboardViewSet, basename="insights-dashboard")
