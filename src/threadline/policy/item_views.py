"""Changing and removing the evidence and consultations of a draft assessment, and comparing two of its frozen
versions.

Thin views over ``services`` and ``versions``: the assessment comes from the rows the user may act on in the
current organisation (another organisation's is a 404), the item or version from that assessment's own rows, and
the service refuses any change once the assessment has left draft (with the reviewer, approved, published).
"""

from __future__ import annotations

from functools import cached_property

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from threadline.audit.services import audit_object
from threadline.core.views import ScopedTemplateView
from threadline.policy import forms, services
from threadline.policy.models import EvidenceItem
from threadline.policy.versions import version_changes
from threadline.policy.views import AssessmentObjectMixin, ServiceActionView, ServiceFormView, _language


class EvidenceItemMixin(AssessmentObjectMixin):
    permission_required = "policy.change_assessment"
    assessment_action = "change"

    @cached_property
    def item(self) -> EvidenceItem:
        return get_object_or_404(self.assessment.evidence, pk=self.kwargs["eid"])

    def get_success_url(self):
        return reverse("policy:stage", args=[self.assessment.pk, "evidence"])


class EvidenceEditView(EvidenceItemMixin, ServiceFormView):
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

    def run(self, form):
        services.evidence_update(item=self.item, user=self.request.user, **form.cleaned_data)


class EvidenceDeleteView(EvidenceItemMixin, ServiceActionView):
    success_message = _("The evidence was removed.")

    def act(self):
        services.evidence_delete(item=self.item, user=self.request.user)


class ConsultationItemMixin(AssessmentObjectMixin):
    permission_required = "policy.change_assessment"
    assessment_action = "change"

    @cached_property
    def consultation(self):
        return get_object_or_404(self.assessment.consultations, pk=self.kwargs["cid"])

    def get_success_url(self):
        return reverse("policy:stage", args=[self.assessment.pk, "consultation"])


class ConsultationEditView(ConsultationItemMixin, ServiceFormView):
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

    def run(self, form):
        data = form.cleaned_data
        services.consultation_update(
            consultation=self.consultation,
            user=self.request.user,
            method=data["method"],
            held_on=data["held_on"],
            participants=form.participants(),
            what_they_said=data["what_they_said"],
            how_it_changed=data["how_it_changed"],
        )


class ConsultationDeleteView(ConsultationItemMixin, ServiceActionView):
    success_message = _("The consultation was removed.")

    def act(self):
        services.consultation_delete(consultation=self.consultation, user=self.request.user)


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
        versions = {v.number: v for v in a.versions.select_related("created_by")}
        ctx.update(assessment=a, versions=sorted(versions.values(), key=lambda v: v.number), changes=None)
        if len(versions) < 2:
            return ctx
        numbers = sorted(versions, reverse=True)
        old_n, new_n = self._number("from", numbers[1]), self._number("to", numbers[0])
        if old_n not in versions or new_n not in versions:
            raise Http404
        old, new = versions[old_n], versions[new_n]
        audit_object("view", a, note=f"versions v{old_n} and v{new_n} compared")
        ctx.update(old=old, new=new, changes=version_changes(a, old, new, _language()))
        return ctx
