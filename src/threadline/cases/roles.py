"""Who may do what with cases. Caseworkers and supervisors work cases; only supervisors approve, override
consent and erase; data officers export non-identifying fields only; auditors see no case data (they read
the audit log, where they see case codes); administrators manage the configuration (retention, reflection
period, referral partners)."""

from threadline.core.roles import ADMINISTRATOR, AUDITOR, CASEWORKER, DATA_OFFICER, SUPERVISOR, crud, grant

CASE_WORK = (
    crud("cases.case", ("view", "add", "change"))
    | {"cases.identify_case", "cases.access_export_case"}
    | crud("cases.childview", ("view", "add"))
    | crud("cases.consent", ("view", "add", "change"))
    | crud("cases.service", ("view", "add", "change"))
    | crud("cases.plantask", ("view", "add", "change"))
    | crud("cases.assessment", ("view", "add", "change"))
    | crud("cases.approval", ("view", "add"))
    | crud("cases.cooperation", ("view", "add", "change"))
    | crud("cases.referral", ("view", "add", "change"))
    | crud("cases.incomingreferral", ("view", "change"))
    | {"cases.view_referralpartner"}
)
SUPERVISION = {"cases.approve_case", "cases.change_approval", "cases.override_consent", "cases.erase_case"}
CONFIGURATION = crud("cases.casesettings", ("view", "change")) | crud(
    "cases.referralpartner", ("view", "add", "delete")
)

grant([CASEWORKER, SUPERVISOR], CASE_WORK)
grant([SUPERVISOR], SUPERVISION)
grant([DATA_OFFICER], {"cases.export_case"})
grant([ADMINISTRATOR], CONFIGURATION)
# The audit log names cases by their pseudonymous code (never by any case data) for those who read it.
grant([ADMINISTRATOR, AUDITOR], {"cases.label_case"})
