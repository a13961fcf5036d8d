"""Screening pages: thin views over ``services`` (writes) and ``selectors`` (reads).

Every queryset is restricted to the current organisation and the user's role; every page that shows a
screening's answers or result logs the read.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _
from django.views import View

from threadline.audit.mixins import AuditReadMixin
from threadline.audit.services import audit_object, audit_record
from threadline.core import charts
from threadline.core.permissions import has_perm
from threadline.core.views import (
    OrganisationPermissionMixin,
    ScopedActionView,
    ScopedDetailView,
    ScopedDownloadView,
    ScopedFormView,
    ScopedListView,
    ScopedTemplateView,
    attachment,
)
from threadline.engines.screening import outcome_label
from threadline.screening import selectors, services
from threadline.screening.forms import ReferralContactForm, SafetyForm, StartForm, UploadForm
from threadline.screening.labels import ANSWER_LABELS, STRENGTH_LABELS
from threadline.screening.models import OrganisationInstrument, Outcome, ReferralContact, Screening


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def question_language(instrument, language: str) -> str:
    """The language the instrument's texts are actually shown in (English when it has no translation)."""
    return language if language in instrument.languages else "en"


def text_direction(language: str) -> str:
    try:
        return "rtl" if get_language_info(language)["bidi"] else "ltr"
    except KeyError:
        return "ltr"


# -- screenings ----------------------------------------------------------------------------------------


class ScreeningListView(ScopedListView):
    model = Screening
    permission_required = "screening.view_screening"
    template_name = "screening/screening_list.html"
    context_object_name = "screenings"

    def get_queryset(self):
        return selectors.screening_list(
            user=self.request.user,
            organisation=self.request.organisation,
            status=self.request.GET.get("status", ""),
            outcome=self.request.GET.get("outcome", ""),
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["statuses"] = Screening.Status.choices
        ctx["outcomes"] = [(o, outcome_label(o, _language())) for o in Outcome.values]
        ctx["status"] = self.request.GET.get("status", "")
        ctx["outcome"] = self.request.GET.get("outcome", "")
        ctx["can_start"] = has_perm(self.request.user, "screening.add_screening", self.request.organisation)
        ctx["query"] = "&".join(f"{k}={v}" for k in ("status", "outcome") if (v := self.request.GET.get(k)))
        return ctx


class ScreeningStartView(ScopedFormView):
    permission_required = "screening.add_screening"
    template_name = "screening/screening_start.html"
    form_class = StartForm
    refusals = (services.ScreeningError,)  # shown on top of the form

    @cached_property
    def choices(self):
        return selectors.instrument_choices(user=self.request.user, organisation=self.request.organisation)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        language = _language()
        groups: dict[str, list[tuple[str, str]]] = {}
        for choice in self.choices:
            label = f"{choice.title(language)} ({choice.instrument.version})"
            if not choice.is_validated:
                group = _("Examples and drafts — not validated")
                label = f"{label} · {_('not validated')}"
            elif choice.upload is not None:
                group = _("This organisation's instruments")
            else:
                group = _("Published instruments")
            groups.setdefault(group, []).append((choice.key, label))
        kwargs["instrument_choices"] = list(groups.items())
        kwargs["unvalidated"] = {choice.key for choice in self.choices if not choice.is_validated}
        return kwargs

    def get_initial(self):
        preferred = "ilo-2009-child-sexual"
        return {
            "instrument": self.request.GET.get("instrument", preferred),
            "reference": services.new_reference(),
            "language": _language(),
            "age_group": Screening.AgeGroup.CHILD,
        }

    def perform(self, data):
        return services.screening_start(
            organisation=self.request.organisation,
            user=self.request.user,
            instrument_key=data["instrument"],
            reference=data["reference"],
            age_group=data["age_group"],
            language=data["language"],
        )

    def performed(self, screening):
        return redirect("screening:step", pk=screening.pk, step=0)


class ScreeningObjectMixin(OrganisationPermissionMixin):
    """Loads the screening from the current organisation's rows the user may act on (404 otherwise)."""

    queryset_action = "view"

    @cached_property
    def screening(self) -> Screening:
        return self.scoped_object(Screening, select_related=["instrument_upload"], pk=self.kwargs["pk"])

    @cached_property
    def instrument(self):
        try:
            return selectors.instrument_for_screening(self.screening)
        except selectors.InstrumentUnavailable:
            return None

    def audit_read(self) -> None:
        audit_object("view", self.screening)


class ScreeningStepView(ScreeningObjectMixin, ScopedTemplateView):
    """One dimension of the interview: its questions with yes / no / not known / declined, and a note. The POST
    saves the step's answers and moves back, on, or out (save for later), so it keeps its own ``post``."""

    permission_required = "screening.change_screening"
    queryset_action = "change"
    template_name = "screening/screening_step.html"

    @cached_property
    def steps(self):
        return selectors.screening_steps(self.instrument, self.screening.language)

    def _guard(self):
        if self.screening.is_completed:
            return redirect("screening:detail", pk=self.screening.pk)
        if self.instrument is None:
            messages.error(self.request, _("The instrument version of this screening is no longer installed."))
            return redirect("screening:detail", pk=self.screening.pk)
        if not 0 <= self.kwargs["step"] < len(self.steps):
            raise Http404
        return None

    def get(self, request, *args, **kwargs):
        refused = self._guard()
        if refused:
            return refused
        self.audit_read()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        screening, instrument = self.screening, self.instrument
        step = self.steps[self.kwargs["step"]]
        language = screening.language
        questions = []
        for number, indicator in enumerate(step.indicators, start=1):
            texts = selectors.indicator_texts(instrument, indicator, language)
            questions.append(
                {
                    "id": indicator.id,
                    "number": number,
                    "field": f"answer-{indicator.id}",
                    "answer": screening.answers.get(indicator.id, ""),
                    "strength": STRENGTH_LABELS.get(indicator.strength or "", ""),
                    **texts,
                }
            )
        ctx.update(
            screening=screening,
            instrument=instrument,
            instrument_title=instrument.text("title", language),
            step=step,
            steps=self.steps,
            step_count=len(self.steps),
            step_display=step.number + 1,
            is_last=step.number == len(self.steps) - 1,
            questions=questions,
            answer_choices=list(ANSWER_LABELS.items()),
            note=screening.notes_by_dimension().get(step.key, ""),
            question_language=question_language(instrument, language),
            question_dir=text_direction(question_language(instrument, language)),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        refused = self._guard()
        if refused:
            return refused
        number = self.kwargs["step"]
        step = self.steps[number]
        answers = {i.id: request.POST.get(f"answer-{i.id}", "") for i in step.indicators}
        move = request.POST.get("move", "next")
        target = {"back": number - 1, "save": number}.get(move, number + 1)
        try:
            services.screening_save_step(
                screening=self.screening,
                user=request.user,
                step=number,
                answers=answers,
                note=request.POST.get("note", ""),
                next_step=max(target, 0),
            )
        except services.ScreeningError as exc:
            messages.error(request, exc.message)
            return redirect("screening:step", pk=self.screening.pk, step=number)
        if move == "save":
            messages.success(request, _("Saved. You can resume this screening from the list of screenings."))
            return redirect("screening:list")
        if target >= len(self.steps):
            return redirect("screening:review", pk=self.screening.pk)
        return redirect("screening:step", pk=self.screening.pk, step=max(target, 0))


class ScreeningResumeView(ScreeningObjectMixin, View):
    """Back to where the worker left off."""

    permission_required = "screening.change_screening"
    queryset_action = "change"

    def get(self, request, pk):
        screening = self.screening
        if screening.is_completed or self.instrument is None:
            return redirect("screening:detail", pk=screening.pk)
        if screening.step >= len(selectors.screening_steps(self.instrument, screening.language)):
            return redirect("screening:review", pk=screening.pk)
        return redirect("screening:step", pk=screening.pk, step=screening.step)


class ScreeningReviewView(ScreeningObjectMixin, ScopedTemplateView):
    """Every answer at a glance before the result is worked out; each step can be reopened."""

    permission_required = "screening.change_screening"
    queryset_action = "change"
    template_name = "screening/screening_review.html"

    def get(self, request, *args, **kwargs):
        if self.screening.is_completed:
            return redirect("screening:detail", pk=self.screening.pk)
        if self.instrument is None:
            raise Http404
        self.audit_read()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        screening, instrument = self.screening, self.instrument
        language = screening.language
        notes = screening.notes_by_dimension()
        rows = []
        steps = selectors.screening_steps(instrument, language)
        for step in steps:
            answered = []
            for indicator in step.indicators:
                answer = screening.answers.get(indicator.id, "")
                answered.append(
                    {
                        "name": instrument.text(f"indicator.{indicator.id}.name", language),
                        "answer": answer,
                        "label": ANSWER_LABELS.get(answer, _("No answer (counts as not known)")),
                    }
                )
            rows.append({"step": step, "answers": answered, "note": notes.get(step.key, "")})
        shown = question_language(instrument, language)
        ctx.update(
            screening=screening,
            rows=rows,
            steps=steps,
            instrument_title=instrument.text("title", language),
            question_language=shown,
            question_dir=text_direction(shown),
        )
        return ctx


class ScreeningActionView(ScreeningObjectMixin, ScopedActionView):
    """A POST that changes the screening and goes back to its page; a refusal shows as a message there."""

    permission_required = "screening.change_screening"
    queryset_action = "change"
    refusals = (services.ScreeningError,)
    anchor = ""

    def get_redirect_url(self) -> str:
        return reverse("screening:detail", kwargs={"pk": self.screening.pk}) + self.anchor


class ScreeningCompleteView(ScreeningActionView):
    def act(self, request, pk):
        try:
            services.screening_complete(screening=self.screening, user=request.user)
        except selectors.InstrumentUnavailable as exc:
            raise services.ScreeningError(_("This screening cannot be completed.")) from exc


class ScreeningDetailView(AuditReadMixin, ScopedDetailView):
    """The result with its explanation and, when indicators were found, the next steps."""

    model = Screening
    permission_required = "screening.view_screening"
    template_name = "screening/screening_detail.html"
    context_object_name = "screening"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        screening = self.object
        language = _language()
        try:
            instrument = selectors.instrument_for_screening(screening)
        except selectors.InstrumentUnavailable:
            instrument = None
        ctx["instrument_title"] = instrument.text("title", language) if instrument else screening.instrument_id
        ctx["steps"] = selectors.screening_steps(instrument, screening.language) if instrument else []
        if screening.is_completed:
            result = screening.result
            anchors = []
            for anchor_id in result.get("anchors_found", []):
                label = anchor_id
                if instrument is not None:
                    label = instrument.text(f"indicator.{anchor_id}.name", language)
                anchors.append(label)
            ctx.update(
                outcome_text=outcome_label(screening.outcome, language),
                dimensions=selectors.result_explanation(screening, instrument, language),
                anchors=anchors,
                explanation=result.get("explanation", []),
                unverified=result.get("unverified_rules", []),
                score=result.get("score"),
                rule_applied=result.get("rule_applied", ""),
            )
            if screening.is_possible_victim:
                user, org = self.request.user, self.request.organisation
                ctx["contacts"] = selectors.referral_contacts_for(
                    user=user, organisation=org, is_child=screening.is_child
                )
                ctx["safety_form"] = SafetyForm(initial=screening.safety)
                ctx["safety_alarms"] = selectors.safety_alarms(screening)
                ctx["safety_recorded"] = bool(screening.safety)
                ctx["can_change"] = Screening.objects.restrict(user, "change", org).filter(pk=screening.pk).exists()
                ctx["cases_available"] = services.cases_available()
                ctx["can_open_case"] = ctx["can_change"] and has_perm(user, "cases.add_case", org)
                ctx["cases"] = selectors.screening_cases(screening=screening, user=user)
        return ctx


class ScreeningPdfView(ScreeningObjectMixin, ScopedDownloadView):
    """The completed result as a PDF (the page itself also prints cleanly); the download is audited."""

    permission_required = "screening.view_screening"

    def download(self, request, pk):
        from threadline.screening.exports import result_pdf

        screening = self.screening
        if not screening.is_completed:
            raise Http404
        contacts = []
        if screening.is_possible_victim:
            contacts = list(
                selectors.referral_contacts_for(
                    user=request.user, organisation=request.organisation, is_child=screening.is_child
                )
            )
        content = result_pdf(
            screening=screening,
            instrument=self.instrument,
            language=_language(),
            organisation=request.organisation.name,
            contacts=contacts,
        )
        audit_object("export", screening, note="result pdf")
        return attachment(content, "application/pdf", f"screening-{screening.reference}.pdf".replace("/", "-"))


class ScreeningSafetyView(ScreeningActionView):
    success_message = _("The safety answers were recorded.")
    anchor = "#next-steps"

    def act(self, request, pk):
        form = SafetyForm(request.POST)
        if not form.is_valid():
            raise services.ScreeningError(_("Answer each safety question with yes, no or not known."))
        services.screening_record_safety(screening=self.screening, user=request.user, answers=form.cleaned_data)


class ScreeningOpenCaseView(ScreeningActionView):
    """Hand the screening over to case management, which opens the linked case (``screening.handoff``)."""

    success_message = _("A protection case was opened with this screening attached.")

    def act(self, request, pk):
        case = services.screening_open_case(screening=self.screening, user=request.user)
        url = case.get_absolute_url() if hasattr(case, "get_absolute_url") else None
        return redirect(url) if url else None


# -- instruments ---------------------------------------------------------------------------------------


class InstrumentListView(ScopedTemplateView):
    permission_required = "screening.view_organisationinstrument"
    template_name = "screening/instrument_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, org = self.request.user, self.request.organisation
        choices = selectors.instrument_choices(user=user, organisation=org, include_inactive=True)
        ctx["shipped"] = [c for c in choices if c.is_shipped]
        ctx["uploads"] = OrganisationInstrument.objects.restrict(user, "view", org).select_related("uploaded_by")
        ctx["language"] = _language()
        ctx["can_upload"] = self._can("screening.add_organisationinstrument")
        ctx["can_change"] = self._can("screening.change_organisationinstrument")
        return ctx

    def _can(self, perm: str) -> bool:
        return has_perm(self.request.user, perm, self.request.organisation)


class InstrumentUploadView(ScopedFormView):
    """A refused file lists its errors (file, field path, reason) above the form."""

    permission_required = "screening.add_organisationinstrument"
    template_name = "screening/instrument_upload.html"
    form_class = UploadForm
    refusals = (services.InstrumentUploadError,)
    upload_errors: list = []

    def get_context_data(self, **kwargs):
        if self.upload_errors:
            kwargs.setdefault("upload_errors", self.upload_errors)
        return super().get_context_data(**kwargs)

    def perform(self, data):
        upload = data["file"]
        return services.instrument_upload(
            organisation=self.request.organisation,
            user=self.request.user,
            file_name=upload.name,
            content=upload.read(services.MAX_UPLOAD_BYTES + 1),
        )

    def refused(self, form, exc):
        self.upload_errors = exc.errors  # listed above the form, not repeated on it

    def performed(self, stored):
        messages.success(
            self.request,
            _("Version %(version)s of %(id)s was stored.") % {"version": stored.version, "id": stored.instrument_id},
        )
        return redirect("screening:instruments")


class InstrumentToggleView(ScopedActionView):
    permission_required = "screening.change_organisationinstrument"
    queryset_action = "change"
    success_message = _("The instrument was updated.")
    refusals = ()

    def act(self, request, pk):
        upload = self.scoped_object(OrganisationInstrument, pk=pk)
        services.instrument_set_active(instrument=upload, user=request.user, is_active=not upload.is_active)

    def get_redirect_url(self) -> str:
        return reverse("screening:instruments")


class InstrumentDetailView(ScopedDetailView):
    """An uploaded instrument's content, as workers will see it."""

    model = OrganisationInstrument
    permission_required = "screening.view_organisationinstrument"
    template_name = "screening/instrument_detail.html"
    context_object_name = "upload"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        try:
            ctx["instrument"] = selectors.instrument_from_upload(self.object)
        except selectors.InstrumentUnavailable:
            ctx["instrument"] = None
        language = _language()
        ctx["steps"] = selectors.screening_steps(ctx["instrument"], language) if ctx["instrument"] else []
        return ctx


# -- referral contacts ---------------------------------------------------------------------------------


class ContactListView(ScopedListView):
    model = ReferralContact
    permission_required = "screening.change_referralcontact"
    queryset_action = "change"
    template_name = "screening/contact_list.html"
    context_object_name = "contacts"


class ContactFormView(ScopedFormView):
    template_name = "screening/contact_form.html"
    form_class = ReferralContactForm
    success_message = _("The referral contact was saved.")
    refusals = (services.ScreeningError,)

    @property
    def permission_required(self):
        return "screening.change_referralcontact" if "pk" in self.kwargs else "screening.add_referralcontact"

    @cached_property
    def contact(self) -> ReferralContact | None:
        if "pk" not in self.kwargs:
            return None
        scoped = ReferralContact.objects.restrict(self.request.user, "change", self.request.organisation)
        return get_object_or_404(scoped, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.contact  # noqa: B018 - 404 before rendering anything
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.contact
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["contact"] = self.contact
        return ctx

    def perform(self, data):
        return services.referral_contact_save(
            organisation=self.request.organisation,
            user=self.request.user,
            contact=self.contact,
            **{name: data[name] for name in services.CONTACT_FIELDS},
        )

    def get_success_url(self):
        return reverse("screening:contacts")


class ContactDeleteView(ScopedActionView):
    permission_required = "screening.delete_referralcontact"
    queryset_action = "delete"
    success_message = _("The referral contact was removed.")
    refusals = ()

    def act(self, request, pk):
        services.referral_contact_delete(contact=self.scoped_object(ReferralContact, pk=pk), user=request.user)

    def get_redirect_url(self) -> str:
        return reverse("screening:contacts")


# -- statistics ----------------------------------------------------------------------------------------


class StatisticsView(ScopedTemplateView):
    """Counts only: no screening, answer or reference is shown here."""

    permission_required = "screening.summarise_screening"
    template_name = "screening/statistics.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        language = _language()
        stats = selectors.screening_statistics(user=self.request.user, organisation=self.request.organisation)
        audit_record(action="view", object_type="screening.statistics", note="screening statistics page")
        names = selectors.dimension_names(language)
        ctx["stats"] = stats
        ctx["outcome_chart"] = charts.bar_chart(
            [(outcome_label(o, language), n) for o, n in stats.by_outcome],
            title=_("Completed screenings by outcome"),
        )
        ctx["dimension_chart"] = charts.bar_chart(
            [(names.get(d, d), n) for d, n in stats.by_dimension],
            title=_("Dimensions most often positive"),
        )
        ctx["by_outcome"] = [(outcome_label(o, language), n) for o, n in stats.by_outcome]
        ctx["by_dimension"] = [(names.get(d, d), n) for d, n in stats.by_dimension]
        return ctx
