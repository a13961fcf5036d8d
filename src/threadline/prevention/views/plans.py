"""Programme plans, their sessions and survey rounds, and the analysis of answers."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from threadline.audit.services import audit_record
from threadline.core import charts
from threadline.core.permissions import has_perm
from threadline.core.views import OrganisationPermissionMixin, ScopedListView
from threadline.prevention import definitions, forms, selectors, services
from threadline.prevention.models import (
    ProgrammePlan,
    SessionDelivery,
    SurveyRound,
)
from threadline.prevention.views.base import PreventionView, _language

# -- plans ----------------------------------------------------------------------------------------------


class PlanListView(ScopedListView):
    permission_required = "prevention.view_programmeplan"
    template_name = "prevention/plan_list.html"
    context_object_name = "plans"

    def get_queryset(self):
        return selectors.plans(user=self.request.user, organisation=self.request.organisation)


class PlanCreateView(OrganisationPermissionMixin, FormView):
    permission_required = "prevention.add_programmeplan"
    template_name = "prevention/form.html"
    form_class = forms.PlanForm
    extra_context = {"title": _("Plan a programme in a school")}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["schools"] = selectors.schools(user=self.request.user, organisation=self.request.organisation)
        kwargs["curricula"] = [
            (c.key, f"{c.title(_language())} ({c.curriculum.version})")
            for c in definitions.curriculum_choices(self.request.organisation)
        ]
        kwargs["questionnaires"] = definitions.questionnaire_choices(_language())
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                organisation=self.request.organisation,
                school=data["school"],
                curriculum_key=data["curriculum"],
                questionnaire_id=data["questionnaire"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except services.PreventionError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return redirect("prevention:plan_detail", pk=plan.pk)


class PlanObjectMixin(OrganisationPermissionMixin):
    @cached_property
    def plan(self) -> ProgrammePlan:
        scoped = ProgrammePlan.objects.restrict(self.request.user, self.queryset_action, self.request.organisation)
        return get_object_or_404(scoped.select_related("school__district"), pk=self.kwargs["pk"])


class PlanDetailView(PlanObjectMixin, TemplateView):
    permission_required = "prevention.view_programmeplan"
    template_name = "prevention/plan_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan = self.plan
        curriculum = definitions.plan_curriculum(plan)
        user, org = self.request.user, self.request.organisation
        ctx.update(
            plan=plan,
            curriculum=curriculum,
            sessions=[
                (s, definitions.module_title(curriculum, s.module_id, _language()))
                for s in selectors.sessions(user=user, organisation=org).filter(plan=plan)[:100]
            ],
            rounds=selectors.rounds(user=user, organisation=org).filter(plan=plan)[:50],
            upload_form=forms.UploadForm(),
            can_upload=has_perm(user, "prevention.add_surveyresponse", org),
            can_analyse=has_perm(user, "prevention.summarise_programmeplan", org),
            can_open=has_perm(user, "prevention.add_surveyround", org),
            questionnaire=definitions.questionnaire(plan.questionnaire_id),
        )
        return ctx


class ResponsesUploadView(PlanObjectMixin, View):
    """Paper results as CSV: bad rows reported with file, line and field; the good rows all saved together."""

    permission_required = "prevention.add_surveyresponse"

    def post(self, request, pk):
        plan = self.plan
        form = forms.UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose a CSV file."))
            return redirect("prevention:plan_detail", pk=plan.pk)
        upload = form.cleaned_data["file"]
        try:
            report = services.responses_upload(
                user=request.user, plan=plan, data=upload.read(services.CSV_MAX_BYTES + 1), source=upload.name
            )
        except services.PreventionError as exc:
            messages.error(request, exc.message)
            return redirect("prevention:plan_detail", pk=plan.pk)
        messages.success(request, _("%(n)s responses entered.") % {"n": report.created})
        for problem in report.problems[:50]:
            messages.warning(request, str(problem))
        if len(report.problems) > 50:
            messages.warning(request, _("%(n)s more problems not shown.") % {"n": len(report.problems) - 50})
        return redirect("prevention:plan_detail", pk=plan.pk)


class PlanAnalysisView(PlanObjectMixin, TemplateView):
    permission_required = "prevention.summarise_programmeplan"
    template_name = "prevention/analysis.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        return _analysis_context(
            ctx, selectors.plan_responses(self.plan), self.plan.questionnaire_id, title=str(self.plan)
        )


class ProgrammeAnalysisView(PreventionView):
    """Every plan of the organisation with one questionnaire (optionally one school)."""

    permission_required = "prevention.summarise_programmeplan"
    template_name = "prevention/analysis.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        questionnaires = definitions.questionnaire_choices(_language())
        chosen = self.request.GET.get("questionnaire") or (questionnaires[0][0] if questionnaires else "")
        # Reading aggregates is granted by summarise_programmeplan; responses themselves are nobody's to view.
        school = self.request.GET.get("school")
        responses = selectors.programme_responses(organisation=self.request.organisation, school=school)
        ctx.update(
            questionnaires=questionnaires,
            chosen=chosen,
            programme=True,
            schools=selectors.schools(user=self.request.user, organisation=self.request.organisation),
            school=school or "",
        )
        return _analysis_context(ctx, responses, chosen, title=str(_("Whole programme")))


def _analysis_context(ctx, responses, questionnaire_id: str, *, title: str):
    from django.http import Http404

    questionnaire = definitions.questionnaire(questionnaire_id)
    if questionnaire is None:
        raise Http404
    language = _language()
    result = selectors.analysis_for(responses, questionnaire)
    rows = []
    for r in result.rows:
        if not r["headline"]:
            continue
        r = dict(r)
        r["label"] = questionnaire.text(r["title"], language)
        rows.append(r)
    scales = [r for r in rows if r["type"] == "scale"]
    ctx.update(
        title=title,
        questionnaire=questionnaire,
        questionnaire_title=questionnaire.text(questionnaire.title, language),
        analysis=result,
        summary=result.summary(language if language in ("en", "fr", "ar") else "en"),
        scale_rows=scales,
        item_rows=[r for r in rows if r["type"] == "item" and r["group"] == "all"],
        chart=charts.change_chart(
            [(r["label"], r) for r in scales if r["group"] == "all"], title=str(_("Change from before to after"))
        ),
        k=result.k,
    )
    audit_record(action="view", object_type="prevention.analysis", object_id=questionnaire.id, note="analysis read")
    return ctx


# -- sessions -------------------------------------------------------------------------------------------


class SessionLogView(OrganisationPermissionMixin, FormView):
    """Log a session on a phone: school/plan, session, date (today), class, attendance counts."""

    permission_required = "prevention.add_sessiondelivery"
    template_name = "prevention/session_log.html"
    form_class = forms.SessionLogForm

    @cached_property
    def plans(self):
        return selectors.plans(user=self.request.user, organisation=self.request.organisation, action="view")

    @cached_property
    def chosen_plan(self):
        wanted = self.request.POST.get("plan") or self.request.GET.get("plan")
        if wanted and str(wanted).isdigit():
            found = self.plans.filter(pk=int(wanted)).first()
            if found:
                return found
        return self.plans.first()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["plans"] = self.plans
        curriculum = definitions.plan_curriculum(self.chosen_plan) if self.chosen_plan else None
        kwargs["sessions"] = definitions.session_choices(curriculum, _language()) if curriculum else []
        kwargs["bands"] = curriculum.age_bands if curriculum else ()
        return kwargs

    def get_initial(self):
        return {"plan": self.chosen_plan, "delivered_on": timezone.localdate()}

    def get_template_names(self):
        if self.request.htmx and self.request.method == "GET":
            return ["prevention/_session_fields.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["sex_columns"] = forms.SEX_COLUMNS
        return ctx

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            delivery = services.session_log(
                user=self.request.user,
                plan=data["plan"],
                module_session=data["module_session"],
                delivered_on=data["delivered_on"],
                class_label=data["class_label"],
                attendance=form.attendance(),
            )
        except services.PreventionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Session logged: %(n)s pupils.") % {"n": delivery.pupils})
        return redirect("prevention:session_detail", pk=delivery.pk)


class SessionDetailView(OrganisationPermissionMixin, TemplateView):
    permission_required = "prevention.view_sessiondelivery"
    template_name = "prevention/session_detail.html"

    @cached_property
    def delivery(self) -> SessionDelivery:
        scoped = selectors.sessions(user=self.request.user, organisation=self.request.organisation)
        return get_object_or_404(scoped, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        curriculum = definitions.plan_curriculum(self.delivery.plan)
        ctx.update(
            delivery=self.delivery,
            module_title=definitions.module_title(curriculum, self.delivery.module_id, _language()),
            concern_form=kwargs.get("concern_form")
            or forms.ConcernForm(bands=curriculum.age_bands if curriculum else ()),
            can_concern=has_perm(self.request.user, "prevention.add_concern", self.request.organisation),
            can_open=has_perm(self.request.user, "prevention.add_surveyround", self.request.organisation),
            sex_labels=dict(forms.SEX_COLUMNS),
        )
        return ctx


# -- survey rounds --------------------------------------------------------------------------------------


class RoundOpenView(OrganisationPermissionMixin, FormView):
    permission_required = "prevention.add_surveyround"
    template_name = "prevention/form.html"
    form_class = forms.RoundOpenForm
    extra_context = {"title": _("Open a pupils' survey"), "submit": _("Open the survey")}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["plans"] = selectors.plans(user=self.request.user, organisation=self.request.organisation)
        return kwargs

    def get_initial(self):
        return {
            "plan": self.request.GET.get("plan"),
            "phase": self.request.GET.get("phase", "pre"),
            "class_label": self.request.GET.get("class", ""),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            survey_round = services.round_open(
                user=self.request.user, plan=data["plan"], phase=data["phase"], class_label=data["class_label"]
            )
        except services.PreventionError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return redirect("prevention:round_detail", pk=survey_round.pk)


class RoundObjectMixin(OrganisationPermissionMixin):
    @cached_property
    def survey_round(self) -> SurveyRound:
        scoped = SurveyRound.objects.restrict(self.request.user, self.queryset_action, self.request.organisation)
        return get_object_or_404(scoped.select_related("plan__school"), pk=self.kwargs["pk"])


class RoundDetailView(RoundObjectMixin, TemplateView):
    permission_required = "prevention.view_surveyround"
    template_name = "prevention/round_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        survey_round = self.survey_round
        short = reverse("survey:code", kwargs={"code": survey_round.code})
        ctx.update(
            survey_round=survey_round,
            short_url=self.request.build_absolute_uri(short),
            start_url=self.request.build_absolute_uri(reverse("survey:start")),
            is_open=survey_round.closed_at is None and survey_round.expires_at > timezone.now(),
        )
        return ctx

    def get_template_names(self):
        if self.request.htmx:
            return ["prevention/_round_count.html"]
        return [self.template_name]


class RoundCloseView(RoundObjectMixin, View):
    permission_required = "prevention.change_surveyround"
    queryset_action = "change"

    def post(self, request, pk):
        services.round_close(survey_round=self.survey_round)
        messages.success(request, _("The survey is closed: the code no longer works."))
        return redirect("prevention:round_detail", pk=pk)
