"""This area's API endpoints, registered on the /api/v1/ router."""


def register(router) -> None:
    """Register this area's viewsets on the shared router."""
    from threadline.policy.api.views import AssessmentViewSet, IndicatorViewSet, PolicyViewSet

    router.register("policies", PolicyViewSet, basename="policy")
    router.register("policy-assessments", AssessmentViewSet, basename="policy-assessment")
    router.register("policy-indicators", IndicatorViewSet, basename="policy-indicator")
