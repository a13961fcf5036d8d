"""Prevention engine: curricula and pre/post questionnaires as versioned data files, the analysis of
questionnaire responses (change, 95 % confidence intervals, Hedges' g, paired and unpaired, by sex and age
band, with small-cell suppression) and a seeded synthetic response generator.

Pure Python (NumPy, pyarrow, SciPy); never imports Django. See docs/prevention.md.
"""

from .analysis import Analysis, analyse, hidden_categories, texts
from .definitions import (
    CURRICULUM_SCHEMA,
    QUESTIONNAIRE_SCHEMA,
    Curriculum,
    DefinitionError,
    Questionnaire,
    UnknownDefinition,
    get_curriculum,
    get_questionnaire,
    installed_curricula,
    installed_questionnaires,
    load_definition,
)
from .responses import CODE_PATTERN, SEXES, Responses, ResponsesError, RowProblem, check_table, read_responses
from .scoring import answer_problems, item_score, scale_scores
from .stats import welch
from .synth import generate_responses, write_responses

__all__ = [
    "CODE_PATTERN",
    "CURRICULUM_SCHEMA",
    "QUESTIONNAIRE_SCHEMA",
    "SEXES",
    "Analysis",
    "Curriculum",
    "DefinitionError",
    "Questionnaire",
    "Responses",
    "ResponsesError",
    "RowProblem",
    "UnknownDefinition",
    "analyse",
    "answer_problems",
    "check_table",
    "generate_responses",
    "get_curriculum",
    "get_questionnaire",
    "hidden_categories",
    "installed_curricula",
    "installed_questionnaires",
    "item_score",
    "load_definition",
    "read_responses",
    "scale_scores",
    "texts",
    "welch",
    "write_responses",
]
