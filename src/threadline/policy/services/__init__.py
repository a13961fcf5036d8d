"""Writes of the policy area: keyword-only, atomic, each refusing what the stage machine does not allow.

The assessment's life: draft (stages completed in order) -> with the reviewer -> reviewed -> approved ->
published. A reviewer or approver may return it to draft with a comment. Nobody reviews or approves an
assessment they wrote, and the approver is not the reviewer. Publication needs approval, a child-friendly
summary and, for every consultation, the child-friendly summary returned to the children who took part.
Every transition is audited (the model's own audit, plus one entry naming the transition) and freezes a
version of the whole assessment.

One module per part: :mod:`.assessments` (policies, stages, impacts, decision), :mod:`.evidence` (evidence and
consultations with children), :mod:`.review` (review, approval, publication), :mod:`.monitoring` (results chain,
indicators, population figures), :mod:`.advisory` (the survivor advisory), and :mod:`.common` for the refusal
and the guards they share. Callers import this facade. What a stage or the publication still needs
(``stage_problems``, ``publication_problems``) is a read, in ``selectors``.
"""

# What a stage or the publication still needs is a read (in selectors); named here too for earlier callers.
from threadline.policy.selectors import publication_problems, stage_problems
from threadline.policy.services.advisory import advisory_submit
from threadline.policy.services.assessments import (
    answers_save,
    assessment_start,
    decision_record,
    impact_save,
    policy_create,
    stage_complete,
    stage_save,
)
from threadline.policy.services.common import PolicyError
from threadline.policy.services.evidence import (
    consultation_delete,
    consultation_record,
    consultation_return_feedback,
    consultation_update,
    evidence_add_citation,
    evidence_cite_prevention,
    evidence_cite_release,
    evidence_delete,
    evidence_update,
)
from threadline.policy.services.monitoring import (
    indicator_create,
    indicator_recompute,
    indicator_reviewed,
    indicator_value_add,
    indicators_recompute_for,
    population_save,
    results_item_add,
)
from threadline.policy.services.review import (
    BEFORE_REVIEW,
    assessment_approve,
    assessment_comment,
    assessment_publish,
    assessment_review,
    assessment_submit,
)

__all__ = [
    "BEFORE_REVIEW",
    "PolicyError",
    "advisory_submit",
    "answers_save",
    "assessment_approve",
    "assessment_comment",
    "assessment_publish",
    "assessment_review",
    "assessment_start",
    "assessment_submit",
    "consultation_delete",
    "consultation_record",
    "consultation_return_feedback",
    "consultation_update",
    "decision_record",
    "evidence_add_citation",
    "evidence_cite_prevention",
    "evidence_cite_release",
    "evidence_delete",
    "evidence_update",
    "impact_save",
    "indicator_create",
    "indicator_recompute",
    "indicator_reviewed",
    "indicator_value_add",
    "indicators_recompute_for",
    "policy_create",
    "population_save",
    "publication_problems",
    "results_item_add",
    "stage_complete",
    "stage_problems",
    "stage_save",
]
