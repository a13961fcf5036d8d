"""Prevention pages: thin views over ``services`` (writes) and ``selectors`` (reads), on the shared scoped views.

Every queryset is restricted once (organisation, role, and for facilitators their own schools); another
organisation's object is a 404. Pages work without JavaScript; htmx only enhances.
"""

from __future__ import annotations

import csv
import io
from functools import cached_property

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from threadline.audit.services import audit_object, audit_record
from threadline.core import charts
from threadline.core.permissions import has_perm
from threadline.core.views import OrganisationPermissionMixin, ScopedListView
from threadline.prevention import definitions, forms, selectors, services
from threadline.prevention.models import (
    Concern,
    District,
    Facilitator,
    OrganisationCurriculum,
    ProgrammePlan,
    PublishedSummary,
    SafetyProtocol,
    SessionDelivery,
    SurveyRound,
)


def _language() -> str:
    return (get_language() or "en").split("-")[0]


class PreventionView(OrganisationPermissionMixin, TemplateView):
    def perm(self, name: str) -> bool:
        return has_perm(self.request.user, name, self.request.organisation)

    def scoped(self, model, action: str = "view"):
        return model.objects.restrict(self.request.user, action, self.request.organisation)


# -- home -----------------------------------------------------------------------------------------------


class IndexView(PreventionView):
    permission_required = "prevention.view_school"
    template_name = "prevention/index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(selectors.facilitator_home(user=self.request.user, organisation=self.request.organisation))
        for name in (
            "add_sessiondelivery",
            "add_surveyround",
            "add_school",
            "add_programmeplan",
            "add_facilitator",
            "add_organisationcurriculum",
            "summarise_programmeplan",
            "change_safetyprotocol",
            "handle_concern",
            "add_district",
        ):
            ctx[f"can_{name}"] = self.perm(f"prevention.{name}")
        ctx["schools"] = selectors.schools(user=self.request.user, organisation=self.request.organisation)[:200]
        return ctx


# -- districts and schools ------------------------------------------------------------------------------


class DistrictsView(OrganisationPermissionMixin, FormView):
    permission_required = "prevention.view_district"
    template_name = "prevention/districts.html"
    form_class = forms.DistrictForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["districts"] = District.objects.restrict(self.request.user, "view", self.request.organisation)
        ctx["can_add"] = has_perm(self.request.user, "prevention.add_district", self.request.organisation)
        return ctx

    def post(self, request, *args, **kwargs):
        if not has_perm(request.user, "prevention.add_district", request.organisation):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.district_save(organisation=self.request.organisation, **form.cleaned_data)
        except services.PreventionError as exc:
            form.add_error(exc.field, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("District saved."))
        return redirect("prevention:districts")


class SchoolListView(ScopedListView):
    permission_required = "prevention.view_school"
    template_name = "prevention/school_list.html"
    context_object_name = "schools"

    def get_queryset(self):
        return selectors.schools(user=self.request.user, organisation=self.request.organisation)


class SchoolCreateView(OrganisationPermissionMixin, FormView):
    permission_required = "prevention.add_school"
    template_name = "prevention/form.html"
    form_class = forms.SchoolForm
    extra_context = {"title": _("Add a school")}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["districts"] = District.objects.restrict(self.request.user, "view", self.request.organisation)
        return kwargs

    def form_valid(self, form):
        try:
            services.school_save(organisation=self.request.organisation, **form.cleaned_data)
        except services.PreventionError as exc:
            form.add_error(exc.field, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("School added."))
        return redirect("prevention:schools")


# -- facilitators ---------------------------------------------------------------------------------------


class FacilitatorsView(OrganisationPermissionMixin, FormView):
    permission_required = "prevention.view_facilitator"
    template_name = "prevention/facilitators.html"
    form_class = forms.FacilitatorForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["memberships"] = selectors.members_to_choose(organisation=self.request.organisation)
        kwargs["schools"] = selectors.schools(user=self.request.user, organisation=self.request.organisation)
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["facilitators"] = (
            Facilitator.objects.restrict(self.request.user, "view", self.request.organisation)
            .select_related("membership__user")
            .prefetch_related("schools", "trainings")
        )
        ctx["training_form"] = forms.TrainingForm()
        ctx["can_change"] = has_perm(self.request.user, "prevention.change_facilitator", self.request.organisation)
        return ctx

    def post(self, request, *args, **kwargs):
        if not has_perm(request.user, "prevention.change_facilitator", request.organisation):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        services.facilitator_save(
            organisation=self.request.organisation,
            membership=form.cleaned_data["membership"],
            schools=form.cleaned_data["schools"],
        )
        messages.success(self.request, _("Facilitator saved."))
        return redirect("prevention:facilitators")


class TrainingAddView(OrganisationPermissionMixin, View):
    permission_required = "prevention.add_training"

    def post(self, request, pk):
        facilitator = get_object_or_404(
            Facilitator.objects.restrict(request.user, "change", request.organisation), pk=pk
        )
        form = forms.TrainingForm(request.POST)
        if form.is_valid():
            services.training_add(facilitator=facilitator, **form.cleaned_data)
            messages.success(request, _("Training recorded."))
        else:
            messages.error(request, _("The training was not recorded: give a course and a date."))
        return redirect("prevention:facilitators")


# -- curricula ------------------------------------------------------------------------------------------


class CurriculaView(OrganisationPermissionMixin, FormView):
    permission_required = "prevention.view_programmeplan"
    template_name = "prevention/curricula.html"
    form_class = forms.UploadForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["choices"] = [(c, c.title(_language())) for c in definitions.curriculum_choices(self.request.organisation)]
        ctx["language"] = _language()
        ctx["can_upload"] = has_perm(
            self.request.user, "prevention.add_organisationcurriculum", self.request.organisation
        )
        ctx["problems"] = getattr(self, "problems", [])
        return ctx

    def post(self, request, *args, **kwargs):
        if not has_perm(request.user, "prevention.add_organisationcurriculum", request.organisation):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            services.curriculum_upload(
                organisation=self.request.organisation,
                user=self.request.user,
                data=upload.read(services.CURRICULUM_MAX_BYTES + 1),
                file_label=upload.name,
            )
        except services.CurriculumRejected as exc:
            self.problems = exc.problems
            return self.form_invalid(form)
        messages.success(self.request, _("Curriculum loaded."))
        return redirect("prevention:curricula")


class CurriculumDetailView(PreventionView):
    permission_required = "prevention.view_programmeplan"
    template_name = "prevention/curriculum_detail.html"

    def get_context_data(self, **kwargs):
        from django.http import Http404

        ctx = super().get_context_data(**kwargs)
        curriculum, upload = definitions.curriculum_for_key(self.request.organisation, self.kwargs["key"])
        if curriculum is None:
            raise Http404
        ctx.update(curriculum=curriculum, upload=upload, language=_language())
        ctx["modules"] = [
            {
                "title": curriculum.text(m["title"], _language()),
                "age_bands": m["age_bands"],
                "objectives": [curriculum.text(o["text"], _language()) for o in m["objectives"]],
                "sessions": [(curriculum.text(s["title"], _language()), s["minutes"]) for s in m["sessions"]],
            }
            for m in curriculum.modules
        ]
        return ctx


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


# -- safeguarding ---------------------------------------------------------------------------------------


class ConcernCreateView(OrganisationPermissionMixin, View):
    """One step from a session: what was raised, how urgent, a short encrypted note; the lead is told at once."""

    permission_required = "prevention.add_concern"

    def post(self, request, pk):
        delivery = get_object_or_404(selectors.sessions(user=request.user, organisation=request.organisation), pk=pk)
        curriculum = definitions.plan_curriculum(delivery.plan)
        form = forms.ConcernForm(request.POST, bands=curriculum.age_bands if curriculum else ())
        if not form.is_valid():
            view = SessionDetailView(request=request, kwargs={"pk": pk}, args=())
            return render(
                request, SessionDetailView.template_name, view.get_context_data(pk=pk, concern_form=form), status=400
            )
        services.concern_record(
            user=request.user, session=delivery, site=request.build_absolute_uri("/"), **form.cleaned_data
        )
        messages.success(request, _("The concern was sent to the designated lead. Thank you."))
        return redirect("prevention:session_detail", pk=pk)


class ConcernListView(ScopedListView):
    permission_required = "prevention.handle_concern"
    template_name = "prevention/concern_list.html"
    context_object_name = "concerns"

    def get_queryset(self):
        return selectors.concerns(user=self.request.user, organisation=self.request.organisation)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["now"] = timezone.now()
        return ctx


class ConcernObjectMixin(OrganisationPermissionMixin):
    @cached_property
    def concern(self) -> Concern:
        scoped = Concern.objects.restrict(self.request.user, self.queryset_action, self.request.organisation)
        return get_object_or_404(scoped.select_related("school", "session", "lead__user"), pk=self.kwargs["pk"])


class ConcernDetailView(ConcernObjectMixin, TemplateView):
    permission_required = "prevention.view_concern"
    template_name = "prevention/concern_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        audit_object("view", self.concern)
        org = self.request.organisation
        ctx.update(
            concern=self.concern,
            now=timezone.now(),
            can_handle=has_perm(self.request.user, "prevention.handle_concern", org),
            can_screen=has_perm(self.request.user, "screening.add_screening", org),
            close_form=forms.ConcernCloseForm(),
            protocol=SafetyProtocol.objects.filter(organisation=org).first(),
        )
        return ctx


class ConcernAcknowledgeView(ConcernObjectMixin, View):
    permission_required = "prevention.handle_concern"
    queryset_action = "change"

    def post(self, request, pk):
        services.concern_acknowledge(concern=self.concern, user=request.user)
        messages.success(request, _("Acknowledged."))
        return redirect("prevention:concern_detail", pk=pk)


class ConcernCloseView(ConcernObjectMixin, View):
    permission_required = "prevention.handle_concern"
    queryset_action = "change"

    def post(self, request, pk):
        try:
            services.concern_close(concern=self.concern, user=request.user, outcome=request.POST.get("outcome", ""))
        except services.PreventionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Marked as handled."))
        return redirect("prevention:concern_detail", pk=pk)


class ConcernOpenScreeningView(ConcernObjectMixin, View):
    """Into the screening area's own start page: the child's identity is recorded there, never here."""

    permission_required = "prevention.handle_concern"
    queryset_action = "change"

    def post(self, request, pk):
        if not has_perm(request.user, "screening.add_screening", request.organisation):
            messages.error(request, _("Your role cannot open a screening; ask a caseworker or supervisor."))
            return redirect("prevention:concern_detail", pk=pk)
        services.concern_open_screening(concern=self.concern, user=request.user)
        return redirect(f"{reverse('screening:start')}?instrument=ilo-2009-child-sexual")


class ProtocolView(OrganisationPermissionMixin, FormView):
    permission_required = "prevention.view_safetyprotocol"
    template_name = "prevention/protocol.html"
    form_class = forms.ProtocolForm

    @cached_property
    def protocol(self):
        return SafetyProtocol.objects.restrict(self.request.user, "view", self.request.organisation).first()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["memberships"] = selectors.members_to_choose(organisation=self.request.organisation)
        return kwargs

    def get_initial(self):
        p = self.protocol
        if p is None:
            return {"acknowledge_within_hours": 4, "close_within_hours": 72}
        return {
            "designated_lead": p.designated_lead,
            "steps": "\n".join(p.steps),
            "acknowledge_within_hours": p.acknowledge_within_hours,
            "close_within_hours": p.close_within_hours,
            "mandatory_reporting": p.mandatory_reporting,
        }

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["protocol"] = self.protocol
        ctx["can_change"] = has_perm(self.request.user, "prevention.change_safetyprotocol", self.request.organisation)
        return ctx

    def post(self, request, *args, **kwargs):
        if not has_perm(request.user, "prevention.change_safetyprotocol", request.organisation):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.protocol_save(
                organisation=self.request.organisation,
                designated_lead=data["designated_lead"],
                steps=data["steps"].splitlines(),
                acknowledge_within_hours=data["acknowledge_within_hours"],
                close_within_hours=data["close_within_hours"],
                mandatory_reporting=data["mandatory_reporting"],
            )
        except services.PreventionError as exc:
            form.add_error(exc.field, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Safety protocol saved."))
        return redirect("prevention:protocol")


# -- dashboard, exports, public -------------------------------------------------------------------------


class DashboardView(PreventionView):
    permission_required = "prevention.summarise_programmeplan"
    template_name = "prevention/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        data = selectors.dashboard(organisation=self.request.organisation, language=_language())
        ctx.update(data)
        ctx["module_chart"] = charts.bar_chart(
            [(m["title"], m["sessions"]) for m in data["modules"]], title=str(_("Sessions per module"))
        )
        ctx["sex_labels"] = dict(forms.SEX_COLUMNS)
        for outcome in data["outcomes"]:
            for row in outcome["sex"]:
                row["label"] = ctx["sex_labels"].get(row["category"], row["category"])
        ctx["can_publish"] = self.perm("prevention.add_publishedsummary")
        ctx["summaries"] = PublishedSummary.objects.restrict(self.request.user, "view", self.request.organisation)[:5]
        return ctx


class ExportView(OrganisationPermissionMixin, View):
    """The HTYPE-shaped indicator sheet as CSV or Excel (suppressed figures are empty, flagged)."""

    permission_required = "prevention.summarise_programmeplan"

    def get(self, request, fmt):
        from django.http import Http404

        rows = selectors.htype_rows(organisation=request.organisation)
        audit_record(action="export", object_type="prevention.htype", object_id=fmt, note=f"{len(rows)} rows")
        name = f"htype-indicators-{timezone.localdate():%Y-%m-%d}"
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=selectors.HTYPE_COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: _csv_safe(v) for k, v in row.items()})
            response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        elif fmt == "xlsx":
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.title = "HTYPE indicators"
            sheet.append(selectors.HTYPE_COLUMNS)
            for row in rows:
                sheet.append([_csv_safe(row[c]) for c in selectors.HTYPE_COLUMNS])
            buffer = io.BytesIO()
            book.save(buffer)
            response = HttpResponse(
                buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        else:
            raise Http404
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response


def _csv_safe(value):
    """Spreadsheet formula injection: text starting with = + - @ is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class SummaryPublishView(OrganisationPermissionMixin, View):
    permission_required = "prevention.add_publishedsummary"

    def post(self, request):
        services.summary_publish(organisation=request.organisation, user=request.user)
        messages.success(request, _("Published: the public page now shows these suppressed figures."))
        return redirect("prevention:dashboard")


class PublicView(View):
    """Aggregate reach and outcomes that organisations published (suppressed when published; nothing else)."""

    def get(self, request):
        summaries = PublishedSummary.objects.filter(withdrawn_at__isnull=True).select_related("organisation")
        latest: dict[int, PublishedSummary] = {}
        for summary in summaries.order_by("-published_at"):
            latest.setdefault(summary.organisation_id, summary)
        return render(
            request,
            "prevention/public.html",
            {"summaries": list(latest.values()), "sex_labels": dict(forms.SEX_COLUMNS)},
        )


class CurriculumDownloadView(OrganisationPermissionMixin, View):
    permission_required = "prevention.view_organisationcurriculum"

    def get(self, request, pk):
        import json

        upload = get_object_or_404(
            OrganisationCurriculum.objects.restrict(request.user, "view", request.organisation), pk=pk
        )
        response = HttpResponse(
            json.dumps(upload.content, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{upload.curriculum_id}-{upload.version}.json"'
        return response
