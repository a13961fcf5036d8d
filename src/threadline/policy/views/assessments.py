"""An assessment's page and its stages: the questions of each stage (answers saved, the stage completed in
order), the impacts on rights and groups of children, and the decision."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from threadline.audit.services import audit_object
from threadline.core.permissions import has_perm
from threadline.core.views import ScopedActionView, ScopedTemplateView
from threadline.engines.policy import STAGE_KINDS
from threadline.policy import forms, selectors, services
from threadline.policy.models import Assessment
from threadline.policy.views.common import AssessmentObjectMixin, PolicyFormView, page_language


class AssessmentDetailView(AssessmentObjectMixin, ScopedTemplateView):
    permission_required = "policy.view_assessment"
    template_name = "policy/assessment_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a, user, org, language = self.assessment, self.request.user, self.request.organisation, page_language()
        template = selectors.template_of(a)
        audit_object("view", a)
        can_change = a.is_editable and has_perm(user, "policy.change_assessment", org)
        ctx.update(
            selectors.assessment_parts(a),
            assessment=a,
            template_title=template.text(template.title, language),
            stages=selectors.stage_rows(a, language),
            answers=[
                (template.text(stage.title, language), selectors.stage_questions(a, stage.kind, language))
                for stage in template.stages
            ],
            impacts=selectors.public_impacts(a, language),
            can_edit=can_change,
            can_submit=can_change,
            can_review=a.status == Assessment.Status.IN_REVIEW and has_perm(user, "policy.review_assessment", org),
            can_approve=a.status == Assessment.Status.REVIEWED and has_perm(user, "policy.approve_assessment", org),
            can_publish=a.status == Assessment.Status.APPROVED and has_perm(user, "policy.publish_assessment", org),
            review_form=forms.ReviewForm(),
        )
        return ctx


class StageView(AssessmentObjectMixin, ScopedActionView, ScopedTemplateView):
    """One stage. GET is a page: its questions and what the stage needs besides. POST is an action: the answers
    saved and, when asked, the stage completed (``services.stage_save``); a refusal is a message on the stage."""

    permission_required = "policy.change_assessment"
    assessment_action = "change"
    template_name = "policy/stage.html"
    http_method_names = ScopedTemplateView.http_method_names  # a page as well as an action

    @cached_property
    def stage(self) -> str:
        if self.kwargs["stage"] not in STAGE_KINDS:
            raise Http404
        return self.kwargs["stage"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a, language, org = self.assessment, page_language(), self.request.organisation
        template = selectors.template_of(a)
        stage = template.stage(self.stage)
        ctx.update(
            selectors.stage_parts(a, self.stage),
            assessment=a,
            stage=stage,
            stage_title=template.text(stage.title, language),
            stages=selectors.stage_rows(a, language),
            questions=selectors.stage_questions(a, self.stage, language),
            required_evidence=[template.text(e["text"], language) for e in stage.required_evidence],
            problems=selectors.stage_problems(assessment=a, stage=self.stage) if a.is_editable else [],
            is_current=a.stage == self.stage,
            editable=a.is_editable or (a.status == Assessment.Status.PUBLISHED and self.stage == "monitoring"),
        )
        if self.stage == "evidence":
            ctx["citation_form"] = forms.CitationForm()
            ctx["release_form"] = forms.ReleaseCitationForm(releases=selectors.citable_releases(organisation=org))
            ctx["prevention_form"] = forms.PreventionCitationForm(
                summaries=selectors.citable_prevention_summaries(organisation=org)
            )
        return ctx

    def act(self, request, pk, stage):
        complete = bool(request.POST.get("complete"))
        answers = {key.removeprefix("q-"): value for key, value in request.POST.items() if key.startswith("q-")}
        services.stage_save(
            assessment=self.assessment, user=request.user, stage=self.stage, answers=answers, complete=complete
        )
        if not complete:
            messages.success(request, _("Answers saved."))
            return None
        a = self.assessment
        if a.status == Assessment.Status.SCREENED_OUT:
            messages.info(request, _("Screened out: the policy does not affect children. The reason is kept."))
            return redirect("policy:assessment", pk=a.pk)
        if a.stage != self.stage and a.stage != "publication":
            return redirect("policy:stage", pk=a.pk, stage=a.stage)
        return redirect("policy:assessment", pk=a.pk)

    def get_redirect_url(self) -> str:
        return reverse("policy:stage", args=[self.assessment.pk, self.stage])


class ImpactView(AssessmentObjectMixin, PolicyFormView):
    """Every article with the ratings so far; general principles and articles 34–36 first."""

    permission_required = "policy.change_assessment"
    assessment_action = "change"
    form_class = forms.ImpactForm
    template_name = "policy/impacts.html"
    title = _("Impact on rights and groups of children")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["assessment"] = self.assessment
        ctx["articles"] = selectors.impact_articles(self.assessment, page_language())
        return ctx

    def perform(self, data):
        return services.impact_save(assessment=self.assessment, user=self.request.user, **data)

    def get_success_url(self):
        return reverse("policy:impacts", args=[self.assessment.pk])


class DecisionView(AssessmentObjectMixin, PolicyFormView):
    permission_required = "policy.change_assessment"
    assessment_action = "change"
    form_class = forms.DecisionForm
    title = _("Record the decision")

    def perform(self, data):
        return services.decision_record(assessment=self.assessment, user=self.request.user, **data)

    def get_success_url(self):
        return reverse("policy:stage", args=[self.assessment.pk, "decision"])
