"""This area's permissions, added to the role table (see threadline.core.roles).

Policy officers author assessments and publish approved ones; reviewers comment, return or pass; approvers
approve or return. Data officers manage indicators, their values and the population figures behind rates.
Caseworkers and supervisors see survivors' feedback on services only as suppressed aggregates; policy officers
read individual reviews of policies and materials (each read audited). Auditors see nothing here.
"""

from threadline.core.roles import (
    ADMINISTRATOR,
    CASEWORKER,
    DATA_OFFICER,
    POLICY_APPROVER,
    POLICY_OFFICER,
    POLICY_REVIEWER,
    SUPERVISOR,
    grant,
)

READ = {"policy.view_policy", "policy.view_assessment", "policy.view_indicator"}
AUTHOR = {
    "policy.add_policy",
    "policy.change_policy",
    "policy.add_assessment",
    "policy.change_assessment",
    "policy.publish_assessment",
    "policy.add_resultschainitem",
    "policy.view_advisorysubmission",
    "policy.summarise_advisorysubmission",
}
REVIEW = {"policy.review_assessment"}
APPROVE = {"policy.approve_assessment"}
INDICATORS = {
    "policy.view_policy",
    "policy.view_indicator",
    "policy.add_indicator",
    "policy.change_indicator",
    "policy.add_indicatorvalue",
    "policy.add_populationfigure",
    "policy.view_populationfigure",
    "policy.add_resultschainitem",
}
SERVICE_QUALITY = {"policy.summarise_advisorysubmission"}

grant([POLICY_OFFICER, POLICY_REVIEWER, POLICY_APPROVER, ADMINISTRATOR], READ)
grant([POLICY_OFFICER], AUTHOR)
grant([POLICY_REVIEWER], REVIEW)
grant([POLICY_APPROVER], APPROVE)
grant([DATA_OFFICER, ADMINISTRATOR], INDICATORS)
grant([CASEWORKER, SUPERVISOR, ADMINISTRATOR], SERVICE_QUALITY)
