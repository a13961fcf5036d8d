"""The role table: the roles an organisation can give its members, and the permissions each role holds.

Deny by default: a role holds exactly the permissions granted to it, nothing else. A permission is
``<app_label>.<action>_<model_name>``.

The roles themselves (keys, labels, second-factor rule) and the platform's own permissions (the organisation,
its members, the audit log, tasks) are declared here. Every domain app grants its own models' permissions in its
``roles.py``, which its ``AppConfig.ready()`` imports::

    from threadline.core.roles import CASEWORKER, SUPERVISOR, crud, grant

    grant([CASEWORKER, SUPERVISOR], crud("myapp.thing", ("view", "add")))

The resolved table, every app loaded, is written to ``docs/permissions.md`` by ``make docs``: read the access
matrix there, not by adding up the ``roles.py`` files. Who holds which role where is resolved by
``threadline.core.permissions``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    requires_mfa: bool
    permissions: frozenset[str]


def crud(model: str, actions=("view", "add", "change", "delete")) -> set[str]:
    """``crud("cases.referral", ("view", "add"))`` -> {"cases.view_referral", "cases.add_referral"}."""
    app, name = model.split(".")
    return {f"{app}.{action}_{name}" for action in actions}


ORG_SELF = {"accounts.view_organisation"}
MEMBERS_ADMIN = (
    crud("accounts.membership") | crud("accounts.invitation", ("view", "add")) | {"accounts.change_organisation"}
)
AUDIT_READ = {"audit.view_auditentry", "audit.export_auditentry"}
TASKS_OWN = {"core.view_task", "core.change_task"}
# Beyond their own tasks: everyone's in the organisation, of the kinds their areas' permissions reach.
TASKS_SUPERVISE = {"core.supervise_task"}

ADMINISTRATOR = "administrator"
SUPERVISOR = "supervisor"
CASEWORKER = "caseworker"
ONLINE_ANALYST = "online_analyst"
DATA_OFFICER = "data_officer"
AUDITOR = "auditor"
PREVENTION_COORDINATOR = "prevention_coordinator"
FACILITATOR = "facilitator"
POLICY_OFFICER = "policy_officer"
POLICY_REVIEWER = "policy_reviewer"
POLICY_APPROVER = "policy_approver"

ROLES: dict[str, Role] = {
    ADMINISTRATOR: Role(
        ADMINISTRATOR,
        _("Administrator"),
        True,
        frozenset(ORG_SELF | MEMBERS_ADMIN | AUDIT_READ | TASKS_OWN | TASKS_SUPERVISE | {"accounts.view_membership"}),
    ),
    SUPERVISOR: Role(SUPERVISOR, _("Supervisor"), True, frozenset(ORG_SELF | TASKS_OWN | TASKS_SUPERVISE)),
    CASEWORKER: Role(CASEWORKER, _("Caseworker"), True, frozenset(ORG_SELF | TASKS_OWN)),
    ONLINE_ANALYST: Role(ONLINE_ANALYST, _("Online analyst"), True, frozenset(ORG_SELF | TASKS_OWN)),
    DATA_OFFICER: Role(DATA_OFFICER, _("Data officer"), True, frozenset(ORG_SELF | TASKS_OWN)),
    AUDITOR: Role(AUDITOR, _("Read-only auditor"), True, frozenset(ORG_SELF | AUDIT_READ)),
    PREVENTION_COORDINATOR: Role(
        PREVENTION_COORDINATOR, _("Prevention coordinator"), True, frozenset(ORG_SELF | TASKS_OWN)
    ),
    FACILITATOR: Role(FACILITATOR, _("Prevention facilitator"), True, frozenset(ORG_SELF)),
    POLICY_OFFICER: Role(POLICY_OFFICER, _("Policy officer"), True, frozenset(ORG_SELF | TASKS_OWN)),
    POLICY_REVIEWER: Role(POLICY_REVIEWER, _("Policy reviewer"), True, frozenset(ORG_SELF)),
    POLICY_APPROVER: Role(POLICY_APPROVER, _("Policy approver"), True, frozenset(ORG_SELF)),
}

ROLE_CHOICES = [(role.key, role.label) for role in ROLES.values()]


def grant(role_keys: list[str] | tuple[str, ...], permissions: set[str]) -> None:
    """Add an app's permissions to roles. Called at import time from that app's ``roles.py``; an unknown role key
    is a KeyError, so a typo fails at start-up rather than silently granting nothing."""
    for key in role_keys:
        role = ROLES[key]
        ROLES[key] = Role(role.key, role.label, role.requires_mfa, role.permissions | frozenset(permissions))


def role_permissions(role_key: str) -> frozenset[str]:
    role = ROLES.get(role_key)
    return role.permissions if role else frozenset()
