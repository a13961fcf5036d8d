"""This area's API endpoints, registered on the /api/v1/ router."""


def register(router) -> None:
    """Register this area's viewsets on the shared router."""
    from threadline.screening.api.views import ScreeningViewSet

    router.register("screenings", ScreeningViewSet, basename="screening")
