from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "threadline.policy"
    label = "policy"
    verbose_name = _("Children's rights in policy")

    def ready(self) -> None:
        from threadline.core.navigation import Section, register_section
        from threadline.policy import receivers, roles  # noqa: F401 - permissions in the role table; import hook

        register_section(
            Section(
                _("Child rights impact assessments"),
                _("Policies and programmes, their assessments, consultations with children and reviews."),
                "policy:list",
                "policy.view_policy",
            )
        )
        register_section(
            Section(
                _("Monitoring"),
                _("Results chains and indicators; due and missed reviews."),
                "policy:monitoring",
                "policy.view_indicator",
            )
        )
        register_section(
            Section(
                _("Survivor advisory: service quality"),
                _("What survivors say about services, in aggregate only (small groups hidden)."),
                "policy:service_quality",
                "policy.summarise_advisorysubmission",
            )
        )
        register_section(
            Section(
                _("Survivor advisory: submissions"),
                _("Reviews of policies and materials sent by survivors, anonymous unless they chose otherwise."),
                "policy:advisory_list",
                "policy.view_advisorysubmission",
            )
        )
