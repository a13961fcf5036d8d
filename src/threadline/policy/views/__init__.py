"""Policy pages: thin views over ``services`` (writes) and ``selectors`` (reads), on the shared scoped views of
``core.views``.

Every page declares its permission; objects come from querysets restricted to the current organisation and the
user's role (another organisation's object is a 404). One module per part: :mod:`.policies`, :mod:`.assessments`
(the assessment and its stages), :mod:`.evidence` (evidence and consultations with children), :mod:`.review`
(review, approval, publication, version comparison), :mod:`.monitoring` and :mod:`.advisory`, with what they share
in :mod:`.common`. The public register and the survivor form are in ``policy/public.py``.
"""

from threadline.policy.views.advisory import AdvisoryDetailView, AdvisoryListView, ServiceQualityView
from threadline.policy.views.assessments import AssessmentDetailView, DecisionView, ImpactView, StageView
from threadline.policy.views.evidence import (
    ConsultationCreateView,
    ConsultationDeleteView,
    ConsultationEditView,
    ConsultationFeedbackView,
    EvidenceCitationView,
    EvidenceDeleteView,
    EvidenceEditView,
    EvidencePreventionView,
    EvidenceReleaseView,
)
from threadline.policy.views.monitoring import (
    IndicatorCreateView,
    IndicatorDetailView,
    IndicatorRecomputeView,
    IndicatorReviewedView,
    IndicatorValueView,
    MonitoringView,
    PopulationView,
)
from threadline.policy.views.policies import (
    AssessmentStartView,
    PolicyCreateView,
    PolicyDetailView,
    PolicyListView,
    ResultAddView,
)
from threadline.policy.views.review import (
    ApproveView,
    CommentView,
    PublishView,
    ReviewView,
    SubmitView,
    VersionCompareView,
)

__all__ = [
    "AdvisoryDetailView",
    "AdvisoryListView",
    "ApproveView",
    "AssessmentDetailView",
    "AssessmentStartView",
    "CommentView",
    "ConsultationCreateView",
    "ConsultationDeleteView",
    "ConsultationEditView",
    "ConsultationFeedbackView",
    "DecisionView",
    "EvidenceCitationView",
    "EvidenceDeleteView",
    "EvidenceEditView",
    "EvidencePreventionView",
    "EvidenceReleaseView",
    "ImpactView",
    "IndicatorCreateView",
    "IndicatorDetailView",
    "IndicatorRecomputeView",
    "IndicatorReviewedView",
    "IndicatorValueView",
    "MonitoringView",
    "PolicyCreateView",
    "PolicyDetailView",
    "PolicyListView",
    "PopulationView",
    "PublishView",
    "ResultAddView",
    "ReviewView",
    "ServiceQualityView",
    "StageView",
    "SubmitView",
    "VersionCompareView",
]
