from __future__ import annotations

from threadline.core import context


class AuditContextMiddleware:
    """Bind the signed-in user and current organisation to the request context (for audit and logs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        org = getattr(request, "organisation", None)
        signed_in = user is not None and user.is_authenticated
        context.update(
            user_id=user.pk if signed_in else None,
            actor_label=user.email if signed_in else "",
            organisation_id=org.pk if org is not None else None,
        )
        return self.get_response(request)
