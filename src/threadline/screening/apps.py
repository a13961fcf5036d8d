from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "threadline.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from threadline.core.navigation import Section, register_section
        from threadline.screening import roles  # noqa: F401 - adds this area's permissions to the role table

        register_section(
            Section(
                _("Screening"),
                _("Screen a child against published indicators, with an explained result and next steps."),
                "screening:list",
                "screening.view_screening",
            )
        )
        register_section(
            Section(
                _("Screening instruments"),
                _("The indicator lists in use here; upload your organisation's own."),
                "screening:instruments",
                "screening.add_organisationinstrument",
            )
        )
        register_section(
            Section(
                _("Referral contacts"),
                _("Services offered to a person after a screening."),
                "screening:contacts",
                "screening.change_referralcontact",
            )
        )
        register_section(
            Section(
                _("Screening statistics"),
                _("Screenings, outcomes and the dimensions most often positive."),
                "screening:statistics",
                "screening.summarise_screening",
            )
        )
