from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "threadline.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from threadline.audit import services
        from threadline.core import auditing

        # Core's views and querysets report refusals through this port; the audit log records them.
        auditing.install(auditing.Recorder(denied=services.audit_denied, refused_read=services.audit_refused_read))
