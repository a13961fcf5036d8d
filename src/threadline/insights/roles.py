"""This area's permissions, added to the role table (see threadline.core.roles).

Data officers and administrators run imports and linkage, see the protected dashboards and release
protected aggregates. Nobody else reaches the store; the public page needs no permission at all and shows
only published, protected tables.
"""

from threadline.core.roles import ADMINISTRATOR, DATA_OFFICER, grant

INSIGHTS_PERMISSIONS = {
    "insights.view_importjob",
    "insights.add_importjob",
    "insights.change_importjob",
    "insights.view_linkagerun",
    "insights.add_linkagerun",
    "insights.view_dashboard",
    "insights.export_dashboard",
    "insights.view_protectedfigures",
    "insights.add_protectedfigures",
    "insights.view_release",
    "insights.add_release",
    "insights.change_release",
    "insights.view_syntheticrelease",
    "insights.add_syntheticrelease",
    "insights.change_syntheticrelease",
}

grant([DATA_OFFICER, ADMINISTRATOR], INSIGHTS_PERMISSIONS)
