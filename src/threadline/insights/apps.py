from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "threadline.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from threadline.core.navigation import Section, register_section
        from threadline.insights import roles  # noqa: F401 - adds this area's permissions to the role table

        register_section(
            Section(
                _("Insights"),
                _("Scale, patterns and trends across agencies, released only with disclosure control."),
                "insights:index",
                "insights.view_dashboard",
            )
        )
