"""Setting up a programme: districts, schools, facilitators and their training, curricula."""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from threadline.core.views import ScopedActionView, ScopedListView, ScopedTemplateView
from threadline.prevention import definitions, forms, selectors, services
from threadline.prevention.models import District, Facilitator
from threadline.prevention.views.base import PermsMixin, PreventionFormView, _language

# -- home -----------------------------------------------------------------------------------------------

#: The buttons the home page shows, each when the user holds ``prevention.<name>``.
HOME_ACTIONS = (
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
)


class IndexView(PermsMixin, ScopedTemplateView):
    permission_required = "prevention.view_school"
    template_name = "prevention/index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(selectors.facilitator_home(user=self.request.user, organisation=self.request.organisation))
        for name in HOME_ACTIONS:
            ctx[f"can_{name}"] = self.perm(f"prevention.{name}")
        ctx["schools"] = selectors.schools(user=self.request.user, organisation=self.request.organisation)[:200]
        return ctx


# -- districts and schools ------------------------------------------------------------------------------


class DistrictsView(PreventionFormView):
    permission_required = "prevention.view_district"
    submit_permission_required = "prevention.add_district"
    template_name = "prevention/districts.html"
    form_class = forms.DistrictForm
    success_message = _("District saved.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["districts"] = self.scoped(District)
        ctx["can_add"] = self.perm("prevention.add_district")
        return ctx

    def perform(self, data):
        return services.district_save(organisation=self.request.organisation, **data)

    def get_success_url(self):
        return reverse("prevention:districts")


class SchoolListView(ScopedListView):
    permission_required = "prevention.view_school"
    template_name = "prevention/school_list.html"
    context_object_name = "schools"

    def get_queryset(self):
        return selectors.schools(user=self.request.user, organisation=self.request.organisation)


class SchoolCreateView(PreventionFormView):
    permission_required = "prevention.add_school"
    template_name = "prevention/form.html"
    form_class = forms.SchoolForm
    extra_context = {"title": _("Add a school")}
    success_message = _("School added.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "districts": self.scoped(District)}

    def perform(self, data):
        return services.school_save(organisation=self.request.organisation, **data)

    def get_success_url(self):
        return reverse("prevention:schools")


# -- facilitators ---------------------------------------------------------------------------------------


class FacilitatorsView(PreventionFormView):
    permission_required = "prevention.view_facilitator"
    submit_permission_required = "prevention.change_facilitator"
    template_name = "prevention/facilitators.html"
    form_class = forms.FacilitatorForm
    success_message = _("Facilitator saved.")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "memberships": selectors.members_to_choose(organisation=self.request.organisation),
            "schools": selectors.schools(user=self.request.user, organisation=self.request.organisation),
        }

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["facilitators"] = (
            self.scoped(Facilitator).select_related("membership__user").prefetch_related("schools", "trainings")
        )
        ctx["training_form"] = forms.TrainingForm()
        ctx["can_change"] = self.perm("prevention.change_facilitator")
        return ctx

    def perform(self, data):
        return services.facilitator_save(
            organisation=self.request.organisation, membership=data["membership"], schools=data["schools"]
        )

    def get_success_url(self):
        return reverse("prevention:facilitators")


class TrainingAddView(ScopedActionView):
    permission_required = "prevention.add_training"
    success_message = _("Training recorded.")

    def act(self, request, pk):
        facilitator = self.scoped_object(Facilitator, "change", pk=pk)
        form = forms.TrainingForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("The training was not recorded: give a course and a date."))
        services.training_add(facilitator=facilitator, **form.cleaned_data)

    def get_redirect_url(self) -> str:
        return reverse("prevention:facilitators")


# -- curricula ------------------------------------------------------------------------------------------


class CurriculaView(PreventionFormView):
    """Loaded curricula, and loading one: a refused file lists its problems above the form."""

    permission_required = "prevention.view_programmeplan"
    submit_permission_required = "prevention.add_organisationcurriculum"
    template_name = "prevention/curricula.html"
    form_class = forms.UploadForm
    success_message = _("Curriculum loaded.")
    problems: list[str] = []

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["choices"] = [(c, c.title(_language())) for c in definitions.curriculum_choices(self.request.organisation)]
        ctx["language"] = _language()
        ctx["can_upload"] = self.perm("prevention.add_organisationcurriculum")
        ctx["problems"] = self.problems
        return ctx

    def perform(self, data):
        upload = data["file"]
        return services.curriculum_upload(
            organisation=self.request.organisation,
            user=self.request.user,
            data=upload.read(services.CURRICULUM_MAX_BYTES + 1),
            file_label=upload.name,
        )

    def refused(self, form, exc):
        if isinstance(exc, services.CurriculumRejected):
            self.problems = exc.problems  # listed above the form, not repeated on it
            return None
        return super().refused(form, exc)

    def get_success_url(self):
        return reverse("prevention:curricula")


class CurriculumDetailView(ScopedTemplateView):
    permission_required = "prevention.view_programmeplan"
    template_name = "prevention/curriculum_detail.html"

    @cached_property
    def found(self):
        curriculum, upload = definitions.curriculum_for_key(self.request.organisation, self.kwargs["key"])
        if curriculum is None:
            raise Http404
        return curriculum, upload

    def get_context_data(self, **kwargs):
        curriculum, upload = self.found
        language = _language()
        return super().get_context_data(
            curriculum=curriculum,
            upload=upload,
            language=language,
            modules=selectors.curriculum_outline(curriculum, language),
            **kwargs,
        )
