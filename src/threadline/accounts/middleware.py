"""Current organisation and the second-factor gate."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

from threadline.core.permissions import active_roles, requires_mfa

SESSION_ORG = "threadline_org"
SESSION_MFA = "threadline_mfa_verified"

# Paths a signed-in user may reach before the second factor is verified.
MFA_EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/mfa/",
    "/accounts/password-reset/",
    "/static/",
    "/health",
    "/i18n/",
    "/api/",
    "/public/",
)


class OrganisationMiddleware:
    """Resolve ``request.organisation`` from the session, falling back to the user's first organisation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = None
        request.user_organisations = []
        user = request.user
        if user.is_authenticated:
            from threadline.accounts.models import Organisation

            org_ids = list(active_roles(user))
            orgs = list(Organisation.objects.filter(pk__in=org_ids, is_active=True).order_by("name"))
            request.user_organisations = orgs
            wanted = request.session.get(SESSION_ORG)
            chosen = next((o for o in orgs if o.pk == wanted), orgs[0] if orgs else None)
            request.organisation = chosen
        return self.get_response(request)


class SecondFactorMiddleware:
    """Until the second factor is verified in this session, a signed-in user can only reach sign-in pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.session.get(SESSION_MFA)
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            if user.has_confirmed_mfa:
                return redirect(f"{reverse('accounts:mfa_verify')}?next={request.get_full_path()}")
            if requires_mfa(user):
                return redirect(reverse("accounts:mfa_setup"))
        return self.get_response(request)
