"""This area's permissions, added to the role table (see threadline.core.roles).

Prevention coordinators run the programme (schools, facilitators, curricula, plans, surveys, the safety
protocol, exports and the public summary) and handle safeguarding concerns. Facilitators log sessions, open
surveys and record concerns in the schools they deliver in (the querysets show them nothing else).
Supervisors and administrators may be designated leads (they handle concerns); data officers read aggregates
(dashboard, analyses, exports) but no concern and no raw response.
"""

from threadline.core.roles import (
    ADMINISTRATOR,
    DATA_OFFICER,
    FACILITATOR,
    PREVENTION_COORDINATOR,
    SUPERVISOR,
    grant,
)

DELIVER = {
    "prevention.view_school",
    "prevention.view_programmeplan",
    "prevention.view_sessiondelivery",
    "prevention.add_sessiondelivery",
    "prevention.view_surveyround",
    "prevention.add_surveyround",
    "prevention.change_surveyround",
    "prevention.add_concern",
    "prevention.view_concern",
}
COORDINATE = DELIVER | {
    "prevention.oversee_programme",
    "prevention.view_district",
    "prevention.add_district",
    "prevention.change_district",
    "prevention.add_school",
    "prevention.change_school",
    "prevention.view_facilitator",
    "prevention.add_facilitator",
    "prevention.change_facilitator",
    "prevention.view_training",
    "prevention.add_training",
    "prevention.view_organisationcurriculum",
    "prevention.add_organisationcurriculum",
    "prevention.add_programmeplan",
    "prevention.change_programmeplan",
    "prevention.add_surveyresponse",
    "prevention.view_safetyprotocol",
    "prevention.change_safetyprotocol",
    "prevention.add_publishedsummary",
    "prevention.view_publishedsummary",
}
HANDLE = {"prevention.view_concern", "prevention.change_concern", "prevention.handle_concern"}
AGGREGATES = {
    "prevention.summarise_programmeplan",
    "prevention.view_publishedsummary",
}
READ_PROGRAMME = {
    "prevention.oversee_programme",
    "prevention.view_school",
    "prevention.view_district",
    "prevention.view_programmeplan",
}

grant([PREVENTION_COORDINATOR], COORDINATE | HANDLE | AGGREGATES)
grant([FACILITATOR], DELIVER)
grant([SUPERVISOR], HANDLE | {"prevention.view_safetyprotocol"})
grant([ADMINISTRATOR], {"prevention.view_safetyprotocol", "prevention.change_safetyprotocol"} | HANDLE)
grant([DATA_OFFICER], AGGREGATES | READ_PROGRAMME)
