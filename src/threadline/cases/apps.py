from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "threadline.cases"
    label = "cases"
    verbose_name = _("Protection cases")

    def ready(self) -> None:
        from threadline.cases import roles  # noqa: F401 - adds this area's permissions to the role table
        from threadline.cases.services import screening as from_screening
        from threadline.core.navigation import Section, register_section
        from threadline.screening import handoff

        handoff.register(
            handoff.CaseHandoff(
                open=from_screening.screening_case_open,
                opened=from_screening.screening_cases,
                flag_safety=from_screening.screening_safety_flag,
            )
        )

        register_section(
            Section(
                _("Protection cases"),
                _("Victim-centred case management: consent, services, plans, referrals."),
                "cases:list",
                "cases.view_case",
            )
        )
        register_section(
            Section(
                _("Due and overdue"),
                _("Plan tasks, follow-ups, reflection periods and approvals that need attention."),
                "cases:dashboard",
                "cases.view_case",
            )
        )
        register_section(
            Section(
                _("Case statistics export"),
                _("Non-identifying case fields as CSV or Excel, for consenting cases only."),
                "cases:export",
                "cases.export_case",
            )
        )
        register_section(
            Section(
                _("Case settings"),
                _("Retention period, reflection period and referral partners."),
                "cases:settings",
                "cases.change_casesettings",
            )
        )
