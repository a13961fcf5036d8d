from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "threadline.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from threadline.screening import roles  # noqa: F401 - adds this area's permissions to the role table
