"""Prevention pages: thin views over ``services`` (writes) and ``selectors`` (reads), on the shared scoped views
of ``core.views`` (forms on ``PreventionFormView``, a ``ScopedFormView`` that shows a ``PreventionError`` on the
field it names; POSTs on ``ScopedActionView``; files on ``ScopedDownloadView``). Only ``PublicView`` is open.

Every queryset is restricted once (organisation, role, and for facilitators their own schools); another
organisation's object is a 404. Pages work without JavaScript; htmx only enhances. One module per part of the
programme: :mod:`.setup`, :mod:`.plans`, :mod:`.safeguarding` and :mod:`.reporting`.
"""

from threadline.prevention.views.plans import (
    PlanAnalysisView,
    PlanCreateView,
    PlanDetailView,
    PlanListView,
    ProgrammeAnalysisView,
    ResponsesUploadView,
    RoundCloseView,
    RoundDetailView,
    RoundOpenView,
    SessionDetailView,
    SessionLogView,
)
from threadline.prevention.views.reporting import (
    CurriculumDownloadView,
    DashboardView,
    ExportView,
    PublicView,
    SummaryPublishView,
)
from threadline.prevention.views.safeguarding import (
    ConcernAcknowledgeView,
    ConcernCloseView,
    ConcernCreateView,
    ConcernDetailView,
    ConcernListView,
    ConcernOpenScreeningView,
    ProtocolView,
)
from threadline.prevention.views.setup import (
    CurriculaView,
    CurriculumDetailView,
    DistrictsView,
    FacilitatorsView,
    IndexView,
    SchoolCreateView,
    SchoolListView,
    TrainingAddView,
)

__all__ = [
    "ConcernAcknowledgeView",
    "ConcernCloseView",
    "ConcernCreateView",
    "ConcernDetailView",
    "ConcernListView",
    "ConcernOpenScreeningView",
    "CurriculaView",
    "CurriculumDetailView",
    "CurriculumDownloadView",
    "DashboardView",
    "DistrictsView",
    "ExportView",
    "FacilitatorsView",
    "IndexView",
    "PlanAnalysisView",
    "PlanCreateView",
    "PlanDetailView",
    "PlanListView",
    "ProgrammeAnalysisView",
    "ProtocolView",
    "PublicView",
    "ResponsesUploadView",
    "RoundCloseView",
    "RoundDetailView",
    "RoundOpenView",
    "SchoolCreateView",
    "SchoolListView",
    "SessionDetailView",
    "SessionLogView",
    "SummaryPublishView",
    "TrainingAddView",
]
