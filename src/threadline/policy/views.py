"""Policy pages: thin views over ``services`` (writes) and ``selectors`` (reads).

Every page declares its permission; objects come from querysets restricted to the current organisation and the
user's role (another organisation's object is a 404). Each form view calls one service and shows the refusal
of the stage machine as a form error.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from threadline.audit.services import audit_object
from threadline.core.permissions import has_perm
from threadline.core.views import OrganisationPermissionMixin, ScopedDetailView, ScopedListView, ScopedTemplateView
from threadline.engines.policy import STAGE_KINDS, installed_templates
from threadline.policy import forms, selectors, services
from threadline.policy.models import AdvisorySubmission, Assessment, Indicator, Policy, PopulationFigure


def _language() -> str:
    return (get_language() or "en").split("-")[0]


class ServiceFormView(OrganisationPermissionMixin, FormView):
    """A form that calls one service; a refusal becomes a form error (on its field when it names one)."""

    template_name = "policy/form.html"
    title = ""

    def run(self, form):  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.run(form)
        except services.PolicyError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
            return self.form_invalid(form)
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.title
        ctx["back"] = self.get_success_url()
        return ctx


class ServiceActionView(OrganisationPermissionMixin, TemplateView):
    """A POST-only action calling one service; a refusal is shown as a message on the page it returns to."""

    http_method_names = ["post"]
    success_message = ""

    def act(self):  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            self.act()
        except services.PolicyError as exc:
            messages.error(request, exc.message)
        else:
            if self.success_message:
                messages.success(request, self.success_message)
        return redirect(self.get_success_url())


# -- policies ----------------------------------------------------------------------------------------------
class PolicyListView(ScopedListView):
    model = Policy
    permission_required = "policy.view_policy"
    template_name = "policy/policy_list.html"
    context_object_name = "policies"

    def get_queryset(self):
        return selectors.policy_list(
            user=self.request.user, organisation=self.request.organisation, query=self.request.GET.get("q", "")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = has_perm(self.request.user, "policy.add_policy", self.request.organisation)
        ctx["q"] = self.request.GET.get("q", "")
        return ctx


class PolicyCreateView(ServiceFormView):
    permission_required = "policy.add_policy"
    form_class = forms.PolicyForm
    title = _("A new policy or programme")

    def run(self, form):
        self.policy = services.policy_create(
            organisation=self.request.organisation, user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        policy = getattr(self, "policy", None)
        return reverse("policy:detail", args=[policy.pk]) if policy else reverse("policy:list")


class PolicyDetailView(ScopedDetailView):
    model = Policy
    permission_required = "policy.view_policy"
    template_name = "policy/policy_detail.html"
    context_object_name = "policy"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, org = self.request.user, self.request.organisation
        language = _language()
        ctx["assessments"] = self.object.assessments.all()
        ctx["results"] = self.object.results.all()
        ctx["indicators"] = self.object.indicators.prefetch_related("values")
        ctx["templates"] = [(t.id, f"{t.text(t.title, language)} ({t.version})") for t in installed_templates()]
        ctx["result_form"] = forms.ResultForm()
        ctx["can_assess"] = has_perm(user, "policy.add_assessment", org)
        ctx["can_add_result"] = has_perm(user, "policy.add_resultschainitem", org)
        ctx["can_add_indicator"] = has_perm(user, "policy.add_indicator", org)
        return ctx


class PolicyObjectMixin:
    policy_action = "view"

    @cached_property
    def policy(self) -> Policy:
        scoped = Policy.objects.restrict(self.request.user, self.policy_action, self.request.organisation)
        return get_object_or_404(scoped, pk=self.kwargs["pk"])


class AssessmentStartView(PolicyObjectMixin, ServiceActionView):
    permission_required = "policy.add_assessment"

    def act(self):
        self.assessment = services.assessment_start(
            policy=self.policy, user=self.request.user, template_id=self.request.POST.get("template", "")
        )

    def get_success_url(self):
        if getattr(self, "assessment", None):
            return reverse("policy:stage", args=[self.assessment.pk, "screening"])
        return reverse("policy:detail", args=[self.policy.pk])


class ResultAddView(PolicyObjectMixin, ServiceActionView):
    permission_required = "policy.add_resultschainitem"

    def act(self):
        form = forms.ResultForm(self.request.POST)
        if not form.is_valid():
            raise services.PolicyError(_("Choose a level and describe the result."))
        services.results_item_add(policy=self.policy, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("policy:detail", args=[self.policy.pk])


class IndicatorCreateView(PolicyObjectMixin, ServiceFormView):
    permission_required = "policy.add_indicator"
    form_class = forms.IndicatorForm
    title = _("A new monitoring indicator")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["policy"] = self.policy
        return kwargs

    def run(self, form):
        services.indicator_create(policy=self.policy, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("policy:detail", args=[self.policy.pk])


# -- assessments ---------------------------------------------------------------------------------------------
class AssessmentObjectMixin:
    """Loads the assessment from the current organisation's rows the user may act on (404 otherwise)."""

    assessment_action = "view"

    @cached_property
    def assessment(self) -> Assessment:
        scoped = Assessment.objects.restrict(self.request.user, self.assessment_action, self.request.organisation)
        return get_object_or_404(scoped.select_related("policy"), pk=self.kwargs["pk"])

    def get_success_url(self):
        return reverse("policy:assessment", args=[self.assessment.pk])


class AssessmentDetailView(AssessmentObjectMixin, ScopedTemplateView):
    permission_required = "policy.view_assessment"
    template_name = "policy/assessment_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a, user, org, language = self.assessment, self.request.user, self.request.organisation, _language()
        template = selectors.template_of(a)
        audit_object("view", a)
        ctx.update(
            assessment=a,
            template_title=template.text(template.title, language),
            stages=selectors.stage_rows(a, language),
            answers=[
                (template.text(stage.title, language), selectors.stage_questions(a, stage.kind, language))
                for stage in template.stages
            ],
            impacts=selectors.public_impacts(a, language),
            evidence=a.evidence.all(),
            consultations=a.consultations.all(),
            decision=getattr(a, "decision", None) if hasattr(a, "decision") else None,
            comments=a.comments.select_related("author"),
            versions=a.versions.all(),
            can_edit=a.is_editable and has_perm(user, "policy.change_assessment", org),
            can_submit=a.is_editable and has_perm(user, "policy.change_assessment", org),
            can_review=a.status == Assessment.Status.IN_REVIEW and has_perm(user, "policy.review_assessment", org),
            can_approve=a.status == Assessment.Status.REVIEWED and has_perm(user, "policy.approve_assessment", org),
            can_publish=a.status == Assessment.Status.APPROVED and has_perm(user, "policy.publish_assessment", org),
            review_form=forms.ReviewForm(),
        )
        return ctx


class StageView(AssessmentObjectMixin, OrganisationPermissionMixin, TemplateView):
    """One stage: its questions (answers saved on POST) and what the stage needs besides."""

    permission_required = "policy.change_assessment"
    assessment_action = "change"
    template_name = "policy/stage.html"

    @cached_property
    def stage(self) -> str:
        if self.kwargs["stage"] not in STAGE_KINDS:
            raise Http404
        return self.kwargs["stage"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a, language = self.assessment, _language()
        template = selectors.template_of(a)
        stage = template.stage(self.stage)
        ctx.update(
            assessment=a,
            stage=stage,
            stage_title=template.text(stage.title, language),
            stages=selectors.stage_rows(a, language),
            questions=selectors.stage_questions(a, self.stage, language),
            required_evidence=[template.text(e["text"], language) for e in stage.required_evidence],
            problems=services.stage_problems(assessment=a, stage=self.stage) if a.is_editable else [],
            is_current=a.stage == self.stage,
            editable=a.is_editable or (a.status == Assessment.Status.PUBLISHED and self.stage == "monitoring"),
        )
        if self.stage == "evidence":
            ctx["evidence"] = a.evidence.all()
            ctx["citation_form"] = forms.CitationForm()
            ctx["release_form"] = forms.ReleaseCitationForm(
                releases=selectors.citable_releases(organisation=self.request.organisation)
            )
            ctx["prevention_form"] = forms.PreventionCitationForm(
                summaries=selectors.citable_prevention_summaries(organisation=self.request.organisation)
            )
        if self.stage == "consultation":
            ctx["consultations"] = a.consultations.all()
        if self.stage == "decision":
            ctx["decision"] = getattr(a, "decision", None) if hasattr(a, "decision") else None
        if self.stage == "monitoring":
            ctx["indicators"] = a.policy.indicators.all()
        return ctx

    def post(self, request, *args, **kwargs):
        answers = {key.removeprefix("q-"): value for key, value in request.POST.items() if key.startswith("q-")}
        try:
            services.answers_save(assessment=self.assessment, user=request.user, stage=self.stage, answers=answers)
            if request.POST.get("complete"):
                services.stage_complete(assessment=self.assessment, user=request.user, stage=self.stage)
        except services.PolicyError as exc:
            messages.error(request, exc.message)
            return redirect("policy:stage", pk=self.assessment.pk, stage=self.stage)
        if request.POST.get("complete"):
            a = self.assessment
            if a.status == Assessment.Status.SCREENED_OUT:
                messages.info(request, _("Screened out: the policy does not affect children. The reason is kept."))
                return redirect("policy:assessment", pk=a.pk)
            if a.stage != self.stage and a.stage != "publication":
                return redirect("policy:stage", pk=a.pk, stage=a.stage)
            return redirect("policy:assessment", pk=a.pk)
        messages.success(request, _("Answers saved."))
        return redirect("policy:stage", pk=self.assessment.pk, stage=self.stage)


class EvidenceCitationView(AssessmentObjectMixin, ServiceFormView):
    permission_required = "policy.change_assessment"
    assessment_action = "change"
    form_class = forms.CitationForm
    title = _("Add a citation")

    def run(self, form):
        services.evidence_add_citation(assessment=self.assessment, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("policy:stage", args=[self.assessment.pk, "evidence"])


class EvidenceReleaseView(AssessmentObjectMixin, ServiceFormView):
    permission_required = "policy.change_assessment"
    assessment_action = "change"
    form_class = forms.ReleaseCitationForm
    title = _("Cite a protected insights release")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["releases"] = selectors.citable_releases(organisation=self.request.organisation)
        return kwargs

    def run(self, form):
        services.evidence_cite_release(assessment=self.assessment, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("policy:stage", args=[self.assessment.pk, "evidence"])


class EvidencePreventionView(AssessmentObjectMixin, ServiceFormView):
    permission_required = "policy.change_assessment"
    assessment_action = "change"
    form_class = forms.PreventionCitationForm
    title = _("Cite a published prevention summary")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["summaries"] = selectors.citable_prevention_summaries(organisation=self.request.organisation)
        return kwargs

    def run(self, form):
        services.evidence_cite_prevention(assessment=self.assessment, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("policy:stage", args=[self.assessment.pk, "evidence"])


class ConsultationCreateView(AssessmentObjectMixin, ServiceFormView):
    permission_required = "policy.change_assessment"
    assessment_action = "change"
    form_class = forms.ConsultationForm
    template_name = "policy/consultation_form.html"
    title = _("Record a consultation with children")

    def run(self, form):
        data = dict(form.cleaned_data)
        services.consultation_record(
            assessment=self.assessment,
            user=self.request.user,
            method=data["method"],
            held_on=data["held_on"],
            participants=form.participants(),
            what_they_said=data["what_they_said"],
            how_it_changed=data["how_it_changed"],
        )

    def get_success_url(self):
        return reverse("policy:stage", args=[self.assessment.pk, "consultation"])


class ConsultationFeedbackView(AssessmentObjectMixin, ServiceFormView):
    permission_required = "policy.change_assessment"
    assessment_action = "change"
    form_class = forms.FeedbackReturnForm
    title = _("The summary returned to the children")

    @cached_property
    def consultation(self):
        return get_object_or_404(self.assessment.consultations, pk=self.kwargs["cid"])

    def get_initial(self):
        return {"feedback_summary": self.consultation.feedback_summary}

    def run(self, form):
        services.consultation_return_feedback(
            consultation=self.consultation, user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("policy:assessment", args=[self.assessment.pk])


class ImpactView(AssessmentObjectMixin, ServiceFormView):
    """Every article with the ratings so far; general principles and articles 34–36 first."""

    permission_required = "policy.change_assessment"
    assessment_action = "change"
    form_class = forms.ImpactForm
    template_name = "policy/impacts.html"
    title = _("Impact on rights and groups of children")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["assessment"] = self.assessment
        ctx["articles"] = selectors.impact_articles(self.assessment, _language())
        return ctx

    def run(self, form):
        services.impact_save(assessment=self.assessment, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("policy:impacts", args=[self.assessment.pk])


class DecisionView(AssessmentObjectMixin, ServiceFormView):
    permission_required = "policy.change_assessment"
    assessment_action = "change"
    form_class = forms.DecisionForm
    title = _("Record the decision")

    def run(self, form):
        services.decision_record(assessment=self.assessment, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("policy:stage", args=[self.assessment.pk, "decision"])


class SubmitView(AssessmentObjectMixin, ServiceActionView):
    permission_required = "policy.change_assessment"
    assessment_action = "change"
    success_message = _("Sent for review.")

    def act(self):
        services.assessment_submit(assessment=self.assessment, user=self.request.user)


class CommentView(AssessmentObjectMixin, ServiceActionView):
    permission_required = "policy.review_assessment"
    assessment_action = "review"

    def act(self):
        services.assessment_comment(
            assessment=self.assessment, user=self.request.user, text=self.request.POST.get("comment", "")
        )


class ReviewView(AssessmentObjectMixin, ServiceActionView):
    permission_required = "policy.review_assessment"
    assessment_action = "review"

    def act(self):
        passed = self.request.POST.get("decision") == "pass"
        services.assessment_review(
            assessment=self.assessment,
            user=self.request.user,
            passed=passed,
            comment=self.request.POST.get("comment", ""),
        )
        messages.success(self.request, _("Review passed.") if passed else _("Returned to the authors."))


class ApproveView(AssessmentObjectMixin, ServiceActionView):
    permission_required = "policy.approve_assessment"
    assessment_action = "approve"

    def act(self):
        approved = self.request.POST.get("decision") == "approve"
        services.assessment_approve(
            assessment=self.assessment,
            user=self.request.user,
            approved=approved,
            comment=self.request.POST.get("comment", ""),
        )
        messages.success(self.request, _("Approved.") if approved else _("Returned to the authors."))


class PublishView(AssessmentObjectMixin, ServiceFormView):
    permission_required = "policy.publish_assessment"
    assessment_action = "publish"
    form_class = forms.PublishForm
    template_name = "policy/publish.html"
    title = _("Publish the assessment")

    def get_initial(self):
        return {"language": _language()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["assessment"] = self.assessment
        ctx["problems"] = services.publication_problems(self.assessment)
        ctx["consultations"] = self.assessment.consultations.all()
        return ctx

    def run(self, form):
        services.assessment_publish(assessment=self.assessment, user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Published in the public register."))


# -- monitoring ----------------------------------------------------------------------------------------------
class MonitoringView(ScopedTemplateView):
    permission_required = "policy.view_indicator"
    template_name = "policy/monitoring.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = selectors.monitoring_rows(user=self.request.user, organisation=self.request.organisation)
        ctx["rows"] = rows
        ctx["missed"] = sum(1 for r in rows if r.state == "missed")
        ctx["due"] = sum(1 for r in rows if r.state == "due")
        ctx["can_population"] = has_perm(self.request.user, "policy.add_populationfigure", self.request.organisation)
        return ctx


class IndicatorObjectMixin:
    indicator_action = "view"

    @cached_property
    def indicator(self) -> Indicator:
        scoped = Indicator.objects.restrict(self.request.user, self.indicator_action, self.request.organisation)
        return get_object_or_404(scoped.select_related("policy"), pk=self.kwargs["pk"])

    def get_success_url(self):
        return reverse("policy:indicator", args=[self.indicator.pk])


class IndicatorDetailView(IndicatorObjectMixin, ScopedTemplateView):
    permission_required = "policy.view_indicator"
    template_name = "policy/indicator_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, org = self.request.user, self.request.organisation
        ctx["indicator"] = self.indicator
        ctx["values"] = [(v, selectors.breakdown_rows(v)) for v in self.indicator.values.all()]
        ctx["value_form"] = forms.IndicatorValueForm()
        ctx["can_add_value"] = has_perm(user, "policy.add_indicatorvalue", org)
        ctx["can_review"] = has_perm(user, "policy.change_indicator", org)
        return ctx


class IndicatorValueView(IndicatorObjectMixin, ServiceActionView):
    permission_required = "policy.add_indicatorvalue"

    def act(self):
        form = forms.IndicatorValueForm(self.request.POST)
        if not form.is_valid():
            raise services.PolicyError(_("Give a period and a number."))
        services.indicator_value_add(indicator=self.indicator, user=self.request.user, **form.cleaned_data)


class IndicatorRecomputeView(IndicatorObjectMixin, ServiceActionView):
    permission_required = "policy.add_indicatorvalue"
    success_message = _("Recomputed: a new value was added.")

    def act(self):
        services.indicator_recompute(indicator=self.indicator, user=self.request.user)


class IndicatorReviewedView(IndicatorObjectMixin, ServiceActionView):
    permission_required = "policy.change_indicator"
    indicator_action = "change"
    success_message = _("Review recorded; the next one is scheduled.")

    def act(self):
        services.indicator_reviewed(indicator=self.indicator, user=self.request.user)


class PopulationView(ServiceFormView):
    permission_required = "policy.add_populationfigure"
    form_class = forms.PopulationForm
    template_name = "policy/population.html"
    title = _("Population figures")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["figures"] = PopulationFigure.objects.restrict(self.request.user, "view", self.request.organisation)
        return ctx

    def run(self, form):
        services.population_save(organisation=self.request.organisation, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("policy:population")


# -- survivor advisory (inside) --------------------------------------------------------------------------------
class ServiceQualityView(ScopedTemplateView):
    """Aggregates only: shares per service, each resting on at least 11 answers, small groups hidden."""

    permission_required = "policy.summarise_advisorysubmission"
    template_name = "policy/service_quality.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = selectors.service_quality_rows(organisation=self.request.organisation)
        ctx["dimensions"] = [AdvisorySubmission._meta.get_field(d).verbose_name for d in AdvisorySubmission.DIMENSIONS]
        ctx["link"] = self.request.build_absolute_uri(reverse("rights:advisory", args=[self.request.organisation.slug]))
        return ctx


class AdvisoryListView(ScopedListView):
    model = AdvisorySubmission
    permission_required = "policy.view_advisorysubmission"
    template_name = "policy/advisory_list.html"
    context_object_name = "submissions"


class AdvisoryDetailView(ScopedDetailView):
    model = AdvisorySubmission
    permission_required = "policy.view_advisorysubmission"
    template_name = "policy/advisory_detail.html"
    context_object_name = "submission"

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        audit_object("view", obj)
        return obj
