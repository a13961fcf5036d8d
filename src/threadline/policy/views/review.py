"""Review, approval and publication of an assessment, and what changed between two of its frozen versions.
Each action returns to the assessment's page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from threadline.audit.services import audit_object
from threadline.core.views import ScopedTemplateView
from threadline.policy import forms, selectors, services
from threadline.policy.versions import version_changes
from threadline.policy.views.common import AssessmentObjectMixin, PolicyActionView, PolicyFormView, page_language


class SubmitView(AssessmentObjectMixin, PolicyActionView):
    permission_required = "policy.change_assessment"
    assessment_action = "change"
    success_message = _("Sent for review.")

    def act(self, request, pk):
        services.assessment_submit(assessment=self.assessment, user=request.user)


class CommentView(AssessmentObjectMixin, PolicyActionView):
    permission_required = "policy.review_assessment"
    assessment_action = "review"

    def act(self, request, pk):
        services.assessment_comment(assessment=self.assessment, user=request.user, text=request.POST.get("comment", ""))


class ReviewView(AssessmentObjectMixin, PolicyActionView):
    permission_required = "policy.review_assessment"
    assessment_action = "review"

    def act(self, request, pk):
        passed = request.POST.get("decision") == "pass"
        services.assessment_review(
            assessment=self.assessment, user=request.user, passed=passed, comment=request.POST.get("comment", "")
        )
        messages.success(request, _("Review passed.") if passed else _("Returned to the authors."))


class ApproveView(AssessmentObjectMixin, PolicyActionView):
    permission_required = "policy.approve_assessment"
    assessment_action = "approve"

    def act(self, request, pk):
        approved = request.POST.get("decision") == "approve"
        services.assessment_approve(
            assessment=self.assessment, user=request.user, approved=approved, comment=request.POST.get("comment", "")
        )
        messages.success(request, _("Approved.") if approved else _("Returned to the authors."))


class PublishView(AssessmentObjectMixin, PolicyFormView):
    permission_required = "policy.publish_assessment"
    assessment_action = "publish"
    form_class = forms.PublishForm
    template_name = "policy/publish.html"
    title = _("Publish the assessment")
    success_message = _("Published in the public register.")

    def get_initial(self):
        return {"language": page_language()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(selectors.publication_checklist(self.assessment), assessment=self.assessment)
        return ctx

    def perform(self, data):
        return services.assessment_publish(assessment=self.assessment, user=self.request.user, **data)


class VersionCompareView(AssessmentObjectMixin, ScopedTemplateView):
    """What changed between two frozen versions (by default the latest and the one before it)."""

    permission_required = "policy.view_assessment"
    template_name = "policy/version_compare.html"

    def _number(self, name: str, default: int) -> int:
        raw = self.request.GET.get(name, "")
        if not raw:
            return default
        if not raw.isdigit():
            raise Http404
        return int(raw)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a = self.assessment
        versions = selectors.versions_by_number(a)
        ctx.update(assessment=a, versions=sorted(versions.values(), key=lambda v: v.number), changes=None)
        if len(versions) < 2:
            return ctx
        numbers = sorted(versions, reverse=True)
        old_n, new_n = self._number("from", numbers[1]), self._number("to", numbers[0])
        if old_n not in versions or new_n not in versions:
            raise Http404
        old, new = versions[old_n], versions[new_n]
        audit_object("view", a, note=f"versions v{old_n} and v{new_n} compared")
        ctx.update(old=old, new=new, changes=version_changes(a, old, new, page_language()))
        return ctx
