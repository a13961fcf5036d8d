from tests.permissions import ViewSpec


def _membership(org, user):
    from threadline.accounts.models import Membership
    from threadline.accounts.services import user_create

    other = user_create(
        email=f"member-{org.pk}@agency.example",
        password="correct-horse-battery-staple-42",
        organisation=org,
        role="caseworker",
    )
    return {"pk": Membership.objects.get(user=other, organisation=org).pk}, {
        "role": "supervisor",
        "is_active": "on",
    }


def _token(org, user):
    from threadline.accounts.services import token_create

    token, _key = token_create(user=user, organisation=org, name="t")
    return {"pk": token.pk}, {}


def _invitation(org, user):
    """An invitation for ``user`` into a fresh organisation (another organisation's: someone else's)."""
    from threadline.accounts.models import Invitation
    from threadline.accounts.services import organisation_create

    inviting = organisation_create(name=f"Inviting Agency {org.pk}-{user.pk}")
    invitation = Invitation.objects.create(organisation=inviting, user=user, role="caseworker")
    return {"pk": invitation.pk}, {"decision": "accept"}


SPECS = [
    ViewSpec("accounts:profile", None),
    ViewSpec("accounts:recovery_codes", None, method="post", ok_status=(200, 302)),
    ViewSpec("accounts:token_create", None, method="post", data={"name": "x", "expires_in_days": 5}),
    ViewSpec("accounts:token_revoke", None, method="post", make=_token, object_scoped=True, ok_status=(302,)),
    ViewSpec(
        "accounts:switch_org",
        None,
        method="post",
        ok_status=(302,),
        make=lambda org, user: ({}, {"organisation": org.pk}),
    ),
    ViewSpec("accounts:org_create", "platform", "administrator"),
    ViewSpec("accounts:members", "administrator", "caseworker"),
    ViewSpec("accounts:member_create", "administrator", "supervisor"),
    ViewSpec(
        "accounts:member_create",
        "administrator",
        "caseworker",
        method="post",
        ok_status=(302,),
        data={"email": "invited@agency.example", "role": "caseworker", "password": "another-long-passphrase-7"},
    ),
    ViewSpec("accounts:invitations", None),
    ViewSpec("accounts:invitation_answer", None, method="post", make=_invitation, object_scoped=True, ok_status=(302,)),
    ViewSpec("accounts:member_edit", "administrator", "auditor", make=_membership, object_scoped=True),
    ViewSpec(
        "accounts:member_edit",
        "administrator",
        "auditor",
        method="post",
        make=_membership,
        object_scoped=True,
        ok_status=(302,),
    ),
    ViewSpec("api:organisation-list", "caseworker", None, api=True),
    ViewSpec(
        "api:organisation-detail",
        "caseworker",
        None,
        api=True,
        object_scoped=True,
        make=lambda org, user: ({"pk": org.pk}, {}),
    ),
    ViewSpec("api:membership-list", "administrator", "caseworker", api=True),
    ViewSpec(
        "api:membership-detail",
        "administrator",
        "data_officer",
        api=True,
        make=_membership,
        object_scoped=True,
    ),
]

# Pages anyone may reach, signed in or not.
PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "accounts:mfa_setup",
    "accounts:mfa_verify",
    "accounts:password_reset",
    "accounts:password_reset_confirm",
    "health",
    "set_language",
    "api:openapi",
}
