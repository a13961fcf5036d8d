from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreventionConfig(AppConfig):
    name = "threadline.prevention"
    label = "prevention"
    verbose_name = _("Prevention")

    def ready(self) -> None:
        from threadline.core.navigation import Section, register_section
        from threadline.prevention import roles  # noqa: F401 - adds this area's permissions to the role table

        register_section(
            Section(
                _("Prevention in schools"),
                _("Log sessions, open pupils' surveys and record a safeguarding concern."),
                "prevention:index",
                "prevention.view_school",
            )
        )
        register_section(
            Section(
                _("Safeguarding concerns"),
                _("Disclosures and concerns from prevention sessions, with their handling deadlines."),
                "prevention:concerns",
                "prevention.handle_concern",
            )
        )
        register_section(
            Section(
                _("Prevention dashboard"),
                _("Reach, sessions, outcomes and safeguarding handling times, by sex and age band."),
                "prevention:dashboard",
                "prevention.summarise_programmeplan",
            )
        )
