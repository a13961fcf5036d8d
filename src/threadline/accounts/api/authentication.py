from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from threadline.accounts.services import token_authenticate
from threadline.core import context
from threadline.core.api.throttling import AnonymousClientThrottle


class OrganisationTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token tl_<prefix>_<secret>``: one user acting in one organisation."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from exc
        # A client that keeps presenting bad tokens is slowed down before its next guess is even checked.
        throttle = AnonymousClientThrottle()
        if throttle.exceeded(request):
            raise exceptions.Throttled(wait=throttle.wait())
        token = token_authenticate(key)
        if token is None:
            throttle.record(request)
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        context.update(
            user_id=token.user_id, actor_label=token.user.email, organisation_id=token.organisation_id, via="api"
        )
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
