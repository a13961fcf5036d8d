"""This area's permissions, added to the role table (see threadline.core.roles).

Caseworkers and supervisors screen; supervisors and administrators manage instruments and referral contacts;
data officers see statistics only (``summarise_screening``); auditors see no answers (nothing here).
"""

from threadline.core.roles import ADMINISTRATOR, CASEWORKER, DATA_OFFICER, SUPERVISOR, grant

SCREEN = {
    "screening.view_screening",
    "screening.add_screening",
    "screening.change_screening",
    "screening.view_organisationinstrument",
    "screening.view_referralcontact",
}
MANAGE = {
    "screening.view_organisationinstrument",
    "screening.add_organisationinstrument",
    "screening.change_organisationinstrument",
    "screening.view_referralcontact",
    "screening.add_referralcontact",
    "screening.change_referralcontact",
    "screening.delete_referralcontact",
}
STATISTICS = {"screening.summarise_screening"}

grant([CASEWORKER, SUPERVISOR], SCREEN)
grant([SUPERVISOR, ADMINISTRATOR], MANAGE)
grant([SUPERVISOR, ADMINISTRATOR, DATA_OFFICER], STATISTICS)
