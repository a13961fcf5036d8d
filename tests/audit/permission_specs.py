from tests.permissions import ViewSpec


def _entry(org, user):
    from threadline.audit.models import AuditEntry

    return {"pk": AuditEntry.objects.filter(organisation_id=org.pk).latest("id").pk}, {}


SPECS = [
    ViewSpec("audit:list", "auditor", "caseworker"),
    ViewSpec("audit:export", "administrator", "online_analyst"),
    ViewSpec("audit:verify", "auditor", "supervisor", method="post"),
    ViewSpec("api:auditentry-list", "auditor", "caseworker", api=True),
    ViewSpec("api:auditentry-detail", "administrator", "caseworker", api=True, make=_entry, object_scoped=True),
]
