"""The evidence and the consultations with children of a draft assessment: add (a citation, a protected insights
release, a published prevention summary, a consultation), change and remove them, and record the summary returned
to the children. The item comes from the assessment's own rows; the services refuse any change once the
assessment has left draft."""

from __future__ import annotations

from functools import cached_property

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from threadline.policy import forms, selectors, services
from threadline.policy.forms import participants_from
from threadline.policy.models import Consultation, EvidenceItem
from threadline.policy.views.common import AssessmentObjectMixin, PolicyActionView, PolicyFormView


class EvidenceMixin(AssessmentObjectMixin):
    """A change to the evidence of an assessment the user may change; back to its evidence stage."""

    permission_required = "policy.change_assessment"
    assessment_action = "change"

    def get_success_url(self):
        return reverse("policy:stage", args=[self.assessment.pk, "evidence"])


class EvidenceCitationView(EvidenceMixin, PolicyFormView):
    form_class = forms.CitationForm
    title = _("Add a citation")

    def perform(self, data):
        return services.evidence_add_citation(assessment=self.assessment, user=self.request.user, **data)


class EvidenceReleaseView(EvidenceMixin, PolicyFormView):
    form_class = forms.ReleaseCitationForm
    title = _("Cite a protected insights release")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["releases"] = selectors.citable_releases(organisation=self.request.organisation)
        return kwargs

    def perform(self, data):
        return services.evidence_cite_release(assessment=self.assessment, user=self.request.user, **data)


class EvidencePreventionView(EvidenceMixin, PolicyFormView):
    form_class = forms.PreventionCitationForm
    title = _("Cite a published prevention summary")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["summaries"] = selectors.citable_prevention_summaries(organisation=self.request.organisation)
        return kwargs

    def perform(self, data):
        return services.evidence_cite_prevention(assessment=self.assessment, user=self.request.user, **data)


class EvidenceItemMixin(EvidenceMixin):
    @cached_property
    def item(self) -> EvidenceItem:
        return get_object_or_404(self.assessment.evidence, pk=self.kwargs["eid"])


class EvidenceEditView(EvidenceItemMixin, PolicyFormView):
    """A citation's text, link and note; for a frozen figure the note alone (the figure is shown, not editable)."""

    template_name = "policy/evidence_edit.html"
    title = _("Change a piece of evidence")

    def get_form_class(self):
        return forms.CitationForm if self.item.kind == EvidenceItem.Kind.CITATION else forms.EvidenceNoteForm

    def get_initial(self):
        return {"citation": self.item.citation, "url": self.item.url, "summary": self.item.summary}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["item"] = self.item
        ctx["assessment"] = self.assessment
        return ctx

    def perform(self, data):
        return services.evidence_update(item=self.item, user=self.request.user, **data)


class EvidenceDeleteView(EvidenceItemMixin, PolicyActionView):
    success_message = _("The evidence was removed.")

    def act(self, request, pk, eid):
        services.evidence_delete(item=self.item, user=request.user)


# -- consultations with children -------------------------------------------------------------------------------
class ConsultationMixin(AssessmentObjectMixin):
    """A change to the consultations of an assessment the user may change; back to its consultation stage."""

    permission_required = "policy.change_assessment"
    assessment_action = "change"

    def get_success_url(self):
        return reverse("policy:stage", args=[self.assessment.pk, "consultation"])


class ConsultationCreateView(ConsultationMixin, PolicyFormView):
    form_class = forms.ConsultationForm
    template_name = "policy/consultation_form.html"
    title = _("Record a consultation with children")

    def perform(self, data):
        return services.consultation_record(
            assessment=self.assessment,
            user=self.request.user,
            method=data["method"],
            held_on=data["held_on"],
            participants=participants_from(data),
            what_they_said=data["what_they_said"],
            how_it_changed=data["how_it_changed"],
        )


class ConsultationItemMixin(ConsultationMixin):
    @cached_property
    def consultation(self) -> Consultation:
        return get_object_or_404(self.assessment.consultations, pk=self.kwargs["cid"])


class ConsultationEditView(ConsultationItemMixin, PolicyFormView):
    form_class = forms.ConsultationForm
    template_name = "policy/consultation_form.html"
    title = _("Change a consultation with children")

    def get_initial(self):
        c = self.consultation
        initial = {
            "method": c.method,
            "held_on": c.held_on,
            "what_they_said": c.what_they_said,
            "how_it_changed": c.how_it_changed,
        }
        for key, value in c.participants.items():
            band, sex = key.split(":", 1)
            initial[f"p_{band}_{sex}"] = value
        return initial

    def perform(self, data):
        return services.consultation_update(
            consultation=self.consultation,
            user=self.request.user,
            method=data["method"],
            held_on=data["held_on"],
            participants=participants_from(data),
            what_they_said=data["what_they_said"],
            how_it_changed=data["how_it_changed"],
        )


class ConsultationDeleteView(ConsultationItemMixin, PolicyActionView):
    success_message = _("The consultation was removed.")

    def act(self, request, pk, cid):
        services.consultation_delete(consultation=self.consultation, user=request.user)


class ConsultationFeedbackView(ConsultationItemMixin, PolicyFormView):
    """The child-friendly summary returned to the children who took part; back to the assessment."""

    form_class = forms.FeedbackReturnForm
    title = _("The summary returned to the children")

    def get_initial(self):
        return {"feedback_summary": self.consultation.feedback_summary}

    def perform(self, data):
        return services.consultation_return_feedback(consultation=self.consultation, user=self.request.user, **data)

    def get_success_url(self):
        return reverse("policy:assessment", args=[self.assessment.pk])
