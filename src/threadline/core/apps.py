from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "threadline.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from threadline.core import checks  # noqa: F401 - registers the system checks
        from threadline.core.api import schema  # noqa: F401 - registers the token scheme of the OpenAPI document
        from threadline.core.taskregistry import load_all

        load_all()
