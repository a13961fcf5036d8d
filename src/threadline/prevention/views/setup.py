"""Setting up a programme: districts, schools, facilitators and their training, curricula."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView

from threadline.core.permissions import has_perm
from threadline.core.views import OrganisationPermissionMixin, ScopedListView
from threadline.prevention import definitions, forms, selectors, services
from threadline.prevention.models import (
    District,
    Facilitator,
)
from threadline.prevention.views.base import PreventionView, _language

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
