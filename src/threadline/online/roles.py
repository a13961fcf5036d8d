"""This area's permissions, added to the role table (see threadline.core.roles).

Only online analysts work on investigations: reviewing ads about people needs that role in the organisation.
"""

from threadline.core.roles import ONLINE_ANALYST, crud, grant

ANALYST = (
    crud("online.investigation")
    | crud("online.sourcefile", ("view", "add", "delete"))
    | crud("online.scan", ("view", "add", "change"))
    | crud("online.networkreview", ("view", "add", "change"))
    | crud("online.adlabel", ("view", "add", "change"))
    | crud("online.adcorrection", ("view", "add", "change", "delete"))
    | crud("online.reviewnote", ("view", "add"))
    | crud("online.evidencepackage", ("view", "add"))
    | {"online.export_evidencepackage", "online.view_custodyevent"}
    | crud("online.platformnotice", ("view", "add", "change"))
    | crud("online.weightproposal", ("view", "add", "change"))
    | {"online.export_investigation"}
)

grant([ONLINE_ANALYST], ANALYST)
