"""Insights writes: imports, linkage, protected figures, releases and synthetic microdata.

Every figure that leaves a page goes through the disclosure engine here: k-suppression with complementary
suppression, or differentially private counts charged to the organisation's budget (which can never be
exceeded: the engine refuses and nothing is released). One module per part: :mod:`.imports` (files, own
cases, linkage), :mod:`.figures` (protected figures for the dashboards) and :mod:`.releases` (releases,
synthetic microdata, export audit).
"""

from threadline.insights.services.figures import (
    budget_refusal_message,
    dashboard_set,
    dashboard_tables,
    dashboard_years,
    dashboards_warm,
    dp_figures,
    section_charts,
)
from threadline.insights.services.imports import (
    IGNORE,
    INLINE_MAX_BYTES,
    MAX_ISSUES_KEPT,
    OWN_CASES_SOURCE,
    VALIDATABLE,
    import_cancel,
    import_rejects_csv,
    import_run,
    import_set_mapping,
    import_settle,
    import_start,
    import_upload,
    import_validate,
    import_withdraw,
    linkage_run,
    linkage_start,
    mapping_targets,
    own_cases_available,
    own_cases_import,
    report_dict,
)
from threadline.insights.services.releases import (
    export_audit,
    release_create,
    release_publish,
    synthetic_create,
    synthetic_publish,
)

__all__ = [
    "IGNORE",
    "INLINE_MAX_BYTES",
    "MAX_ISSUES_KEPT",
    "OWN_CASES_SOURCE",
    "VALIDATABLE",
    "budget_refusal_message",
    "dashboard_set",
    "dashboard_tables",
    "dashboard_years",
    "dashboards_warm",
    "dp_figures",
    "export_audit",
    "import_cancel",
    "import_rejects_csv",
    "import_run",
    "import_set_mapping",
    "import_settle",
    "import_start",
    "import_upload",
    "import_validate",
    "import_withdraw",
    "linkage_run",
    "linkage_start",
    "mapping_targets",
    "own_cases_available",
    "own_cases_import",
    "release_create",
    "release_publish",
    "report_dict",
    "section_charts",
    "synthetic_create",
    "synthetic_publish",
]
