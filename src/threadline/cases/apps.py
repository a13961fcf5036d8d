from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "threadline.cases"
    label = "cases"
    verbose_name = _("Protection cases")

    def ready(self) -> None:
        from threadline.cases import roles  # noqa: F401 - adds this area's permissions to the role table
