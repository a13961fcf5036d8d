from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnlineConfig(AppConfig):
    name = "threadline.online"
    label = "online"
    verbose_name = _("Online investigations")

    def ready(self) -> None:
        from threadline.core.navigation import Section, register_section
        from threadline.online import roles  # noqa: F401 - adds this area's permissions to the role table

        register_section(
            Section(
                _("Online investigations"),
                _("Scan ad corpora, review the networks found, package evidence and track platform notices."),
                "online:investigations",
                "online.view_investigation",
            )
        )
