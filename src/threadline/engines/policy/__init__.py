"""Policy engine: the Convention on the Rights of the Child and its Optional Protocol on the sale of children as
data (articles, general principles, reporting clusters), child rights impact assessment templates as
versioned data files (one per public framework), and monitoring indicators with disclosure control.

Pure Python; never imports Django. See docs/policy.md.
"""

from .definitions import (
    CHILD_GROUPS,
    CONVENTION_SCHEMA,
    STAGE_KINDS,
    TEMPLATE_SCHEMA,
    Article,
    Convention,
    DefinitionError,
    Question,
    Stage,
    Template,
    UnknownTemplate,
    get_convention,
    get_template,
    installed_templates,
    load_convention,
    load_template,
    validate_convention,
    validate_template,
)
from .indicators import Figure, K, headcount, headcounts, median_days, rate_per_100k, service_quality, share

__all__ = [
    "CHILD_GROUPS",
    "CONVENTION_SCHEMA",
    "STAGE_KINDS",
    "TEMPLATE_SCHEMA",
    "Article",
    "Convention",
    "DefinitionError",
    "Figure",
    "K",
    "Question",
    "Stage",
    "Template",
    "UnknownTemplate",
    "get_convention",
    "get_template",
    "headcount",
    "headcounts",
    "installed_templates",
    "load_convention",
    "load_template",
    "median_days",
    "rate_per_100k",
    "service_quality",
    "share",
    "validate_convention",
    "validate_template",
]
