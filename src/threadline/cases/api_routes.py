"""This area's API endpoints, registered on the /api/v1/ router."""


def register(router) -> None:
    """Register this area's viewsets on the shared router."""
    from threadline.cases.api import views

    router.register("cases", views.CaseViewSet, basename="case")
    router.register("case-services", views.ServiceViewSet, basename="caseservice")
    router.register("consents", views.ConsentViewSet, basename="consent")
    router.register("referrals", views.ReferralViewSet, basename="referral")
    router.register("referral-partners", views.ReferralPartnerViewSet, basename="referralpartner")
    router.register("incoming-referrals", views.IncomingReferralViewSet, basename="incomingreferral")
