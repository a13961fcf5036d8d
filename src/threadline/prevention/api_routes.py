"""This area's API endpoints, registered on the /api/v1/ router."""


def register(router) -> None:
    """Register this area's viewsets on the shared router."""
    from threadline.prevention.api.views import AggregatesViewSet, SchoolViewSet, SessionViewSet, SurveyRoundViewSet

    router.register("prevention/schools", SchoolViewSet, basename="prevention-school")
    router.register("prevention/sessions", SessionViewSet, basename="prevention-session")
    router.register("prevention/survey-rounds", SurveyRoundViewSet, basename="prevention-surveyround")
    router.register("prevention/aggregates", AggregatesViewSet, basename="prevention-aggregates")
