from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "threadline.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from threadline.insights import roles  # noqa: F401 - adds this area's permissions to the role table
