"""OpenAPI document extras: how the organisation token authenticates (imported from ``CoreConfig.ready``)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class OrganisationTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token tl_<prefix>_<secret>``, one user acting in one organisation."""

    target_class = "threadline.accounts.api.authentication.OrganisationTokenAuthentication"
    name = "organisationToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix=self.target.keyword)
