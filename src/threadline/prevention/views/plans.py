"""Programme plans, their sessions and survey rounds, and the analysis of answers."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.audit.services import audit_record
from threadline.core import charts
from threadline.core.views import ScopedActionView, ScopedDetailView, ScopedListView, ScopedTemplateView
from threadline.prevention import definitions, forms, selectors, services
from threadline.prevention.models import ProgrammePlan, SurveyRound
from threadline.prevention.views.base import PermsMixin, PreventionFormView, _language

# -- plans ----------------------------------------------------------------------------------------------


class PlanListView(ScopedListView):
    permission_required = "prevention.view_programmeplan"
    template_name = "prevention/plan_list.html"
    context_object_name = "plans"

    def get_queryset(self):
        return selectors.plans(user=self.request.user, organisation=self.request.organisation)


class PlanCreateView(PreventionFormView):
    permission_required = "prevention.add_programmeplan"
    template_name = "prevention/form.html"
    form_class = forms.PlanForm
    extra_context = {"title": _("Plan a programme in a school")}
    refusal_on_field = False  # a plan's refusal concerns the plan as a whole: shown on top

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "schools": selectors.schools(user=self.request.user, organisation=self.request.organisation),
            "curricula": [
                (c.key, f"{c.title(_language())} ({c.curriculum.version})")
                for c in definitions.curriculum_choices(self.request.organisation)
            ],
            "questionnaires": definitions.questionnaire_choices(_language()),
        }

    def perform(self, data):
        return services.plan_create(
            organisation=self.request.organisation,
            school=data["school"],
            curriculum_key=data["curriculum"],
            questionnaire_id=data["questionnaire"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )

    def performed(self, plan):
        return redirect("prevention:plan_detail", pk=plan.pk)


class PlanPageMixin:
    """A page of one plan the user may see (with its school and district)."""

    model = ProgrammePlan
    context_object_name = "plan"

    def get_queryset(self):
        return super().get_queryset().select_related("school__district")


class PlanDetailView(PermsMixin, PlanPageMixin, ScopedDetailView):
    permission_required = "prevention.view_programmeplan"
    template_name = "prevention/plan_detail.html"

    def get_context_data(self, **kwargs):
        plan = self.object
        curriculum = definitions.plan_curriculum(plan)
        user, org = self.request.user, self.request.organisation
        return super().get_context_data(
            curriculum=curriculum,
            sessions=[
                (s, definitions.module_title(curriculum, s.module_id, _language()))
                for s in selectors.sessions(user=user, organisation=org).filter(plan=plan)[:100]
            ],
            rounds=selectors.rounds(user=user, organisation=org).filter(plan=plan)[:50],
            upload_form=forms.UploadForm(),
            can_upload=self.perm("prevention.add_surveyresponse"),
            can_analyse=self.perm("prevention.summarise_programmeplan"),
            can_open=self.perm("prevention.add_surveyround"),
            questionnaire=definitions.questionnaire(plan.questionnaire_id),
            **kwargs,
        )


class ResponsesUploadView(ScopedActionView):
    """Paper results as CSV: bad rows reported with file, line and field; the good rows all saved together."""

    permission_required = "prevention.add_surveyresponse"
    refusals = (ValidationError, services.PreventionError)
    problems_shown = 50

    def act(self, request, pk):
        plan = self.scoped_object(ProgrammePlan, select_related=["school__district"], pk=pk)
        form = forms.UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError(_("Choose a CSV file."))
        upload = form.cleaned_data["file"]
        report = services.responses_upload(
            user=request.user, plan=plan, data=upload.read(services.CSV_MAX_BYTES + 1), source=upload.name
        )
        messages.success(request, _("%(n)s responses entered.") % {"n": report.created})
        for problem in report.problems[: self.problems_shown]:
            messages.warning(request, str(problem))
        if len(report.problems) > self.problems_shown:
            more = len(report.problems) - self.problems_shown
            messages.warning(request, _("%(n)s more problems not shown.") % {"n": more})

    def get_redirect_url(self) -> str:
        return reverse("prevention:plan_detail", kwargs={"pk": self.kwargs["pk"]})


def _analysis_context(responses, questionnaire_id: str, *, title: str) -> dict:
    """The analysis page of ``responses`` to one questionnaire (404 for an unknown one); the read is audited."""
    questionnaire = definitions.questionnaire(questionnaire_id)
    if questionnaire is None:
        raise Http404
    language = _language()
    result = selectors.analysis_for(responses, questionnaire)
    rows = selectors.analysis_headlines(result, questionnaire, language)
    scales = [r for r in rows if r["type"] == "scale"]
    ctx = {
        "title": title,
        "questionnaire": questionnaire,
        "questionnaire_title": questionnaire.text(questionnaire.title, language),
        "analysis": result,
        "summary": result.summary(language if language in ("en", "fr", "ar") else "en"),
        "scale_rows": scales,
        "item_rows": [r for r in rows if r["type"] == "item" and r["group"] == "all"],
        "chart": charts.change_chart(
            [(r["label"], r) for r in scales if r["group"] == "all"], title=str(_("Change from before to after"))
        ),
        "k": result.k,
    }
    audit_record(action="view", object_type="prevention.analysis", object_id=questionnaire.id, note="analysis read")
    return ctx


class PlanAnalysisView(PlanPageMixin, ScopedDetailView):
    permission_required = "prevention.summarise_programmeplan"
    template_name = "prevention/analysis.html"

    def get_context_data(self, **kwargs):
        plan = self.object
        analysis = _analysis_context(selectors.plan_responses(plan), plan.questionnaire_id, title=str(plan))
        return super().get_context_data(**analysis, **kwargs)


class ProgrammeAnalysisView(ScopedTemplateView):
    """Every plan of the organisation with one questionnaire (optionally one school)."""

    permission_required = "prevention.summarise_programmeplan"
    template_name = "prevention/analysis.html"

    def get_context_data(self, **kwargs):
        questionnaires = definitions.questionnaire_choices(_language())
        chosen = self.request.GET.get("questionnaire") or (questionnaires[0][0] if questionnaires else "")
        # Reading aggregates is granted by summarise_programmeplan; responses themselves are nobody's to view.
        school = self.request.GET.get("school")
        responses = selectors.programme_responses(organisation=self.request.organisation, school=school)
        return super().get_context_data(
            questionnaires=questionnaires,
            chosen=chosen,
            programme=True,
            schools=selectors.schools(user=self.request.user, organisation=self.request.organisation),
            school=school or "",
            **_analysis_context(responses, chosen, title=str(_("Whole programme"))),
            **kwargs,
        )


# -- sessions -------------------------------------------------------------------------------------------


class SessionLogView(PreventionFormView):
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
        return super().get_context_data(sex_columns=forms.SEX_COLUMNS, **kwargs)

    def perform(self, data):
        return services.session_log(
            user=self.request.user,
            plan=data["plan"],
            module_session=data["module_session"],
            delivered_on=data["delivered_on"],
            class_label=data["class_label"],
            attendance=self.attendance,
        )

    def form_valid(self, form):
        self.attendance = form.attendance()  # the grid of counts by sex and age band, read off the form
        return super().form_valid(form)

    def performed(self, delivery):
        messages.success(self.request, _("Session logged: %(n)s pupils.") % {"n": delivery.pupils})
        return redirect("prevention:session_detail", pk=delivery.pk)


class SessionPageMixin(PermsMixin):
    """The session page's context, shared with the concern form that is shown on it."""

    def session_page(self, delivery, concern_form=None) -> dict:
        curriculum = definitions.plan_curriculum(delivery.plan)
        return {
            "delivery": delivery,
            "module_title": definitions.module_title(curriculum, delivery.module_id, _language()),
            "concern_form": concern_form or forms.ConcernForm(bands=curriculum.age_bands if curriculum else ()),
            "can_concern": self.perm("prevention.add_concern"),
            "can_open": self.perm("prevention.add_surveyround"),
            "sex_labels": dict(forms.SEX_COLUMNS),
        }


class SessionDetailView(SessionPageMixin, ScopedDetailView):
    permission_required = "prevention.view_sessiondelivery"
    template_name = "prevention/session_detail.html"

    def get_queryset(self):
        return selectors.sessions(user=self.request.user, organisation=self.request.organisation)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.session_page(self.object), **kwargs)


# -- survey rounds --------------------------------------------------------------------------------------


class RoundOpenView(PreventionFormView):
    permission_required = "prevention.add_surveyround"
    template_name = "prevention/form.html"
    form_class = forms.RoundOpenForm
    extra_context = {"title": _("Open a pupils' survey"), "submit": _("Open the survey")}
    refusal_on_field = False

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "plans": selectors.plans(user=self.request.user, organisation=self.request.organisation),
        }

    def get_initial(self):
        return {
            "plan": self.request.GET.get("plan"),
            "phase": self.request.GET.get("phase", "pre"),
            "class_label": self.request.GET.get("class", ""),
        }

    def perform(self, data):
        return services.round_open(
            user=self.request.user, plan=data["plan"], phase=data["phase"], class_label=data["class_label"]
        )

    def performed(self, survey_round):
        return redirect("prevention:round_detail", pk=survey_round.pk)


class RoundDetailView(ScopedDetailView):
    """The round's code and links; its htmx fragment (the count of answers) is polled while it is open."""

    model = SurveyRound
    permission_required = "prevention.view_surveyround"
    template_name = "prevention/round_detail.html"
    context_object_name = "survey_round"

    def get_queryset(self):
        return super().get_queryset().select_related("plan__school")

    def get_context_data(self, **kwargs):
        survey_round = self.object
        short = reverse("survey:code", kwargs={"code": survey_round.code})
        return super().get_context_data(
            short_url=self.request.build_absolute_uri(short),
            start_url=self.request.build_absolute_uri(reverse("survey:start")),
            is_open=survey_round.closed_at is None and survey_round.expires_at > timezone.now(),
            **kwargs,
        )

    def get_template_names(self):
        if self.request.htmx:
            return ["prevention/_round_count.html"]
        return [self.template_name]


class RoundCloseView(ScopedActionView):
    permission_required = "prevention.change_surveyround"
    queryset_action = "change"
    success_message = _("The survey is closed: the code no longer works.")

    def act(self, request, pk):
        services.round_close(survey_round=self.scoped_object(SurveyRound, select_related=["plan__school"], pk=pk))

    def get_redirect_url(self) -> str:
        return reverse("prevention:round_detail", kwargs={"pk": self.kwargs["pk"]})
