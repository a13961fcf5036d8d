"""This area's permissions, added to the role table (see threadline.accounts.roles).

Only online analysts work on investigations: reviewing ads about people needs that role in the organisation.
"""

from threadline.accounts.roles import ONLINE_ANALYST, _crud, grant

ANALYST = (
    _crud("online.investigation")
    | _crud("online.sourcefile", ("view", "add", "delete"))
    | _crud("online.scan", ("view", "add", "change"))
    | _crud("online.networkreview", ("view", "add", "change"))
    | _crud("online.adlabel", ("view", "add", "change"))
    | _crud("online.adcorrection", ("view", "add", "change", "delete"))
    | _crud("online.reviewnote", ("view", "add"))
    | _crud("online.evidencepackage", ("view", "add"))
    | {"online.export_evidencepackage", "online.view_custodyevent"}
    | _crud("online.platformnotice", ("view", "add", "change"))
    | _crud("online.weightproposal", ("view", "add", "change"))
    | {"online.export_investigation"}
)

grant([ONLINE_ANALYST], ANALYST)
