"""What the policy pages share: the page language, the policy or assessment they act on, and the form page.

Forms and actions are the shared shapes of ``core.views``: a form calls one service in ``perform`` and a refusal
(a ``services.PolicyError``, which is a ``ValidationError``) shows on the field it names; an action calls one
service in ``act`` and a refusal becomes a message on the page it returns to.
"""

from __future__ import annotations

from functools import cached_property

from django.urls import reverse
from django.utils.translation import get_language

from threadline.core.views import ScopedActionView, ScopedFormView
from threadline.policy.models import Assessment, Policy


def page_language() -> str:
    """The language of the page ("fr" for "fr-ca"), in which template texts and article labels are shown."""
    return (get_language() or "en").split("-")[0]


class PolicyFormView(ScopedFormView):
    """A form on the shared page ``policy/form.html``, with its title and a way back (the success URL)."""

    template_name = "policy/form.html"
    title = ""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.title
        ctx["back"] = self.get_success_url()
        return ctx


class PolicyActionView(ScopedActionView):
    """An action that returns to the page the forms on the same object return to (``get_success_url``)."""

    def get_redirect_url(self) -> str:
        return self.get_success_url()


class PolicyObjectMixin:
    """Loads the policy from the current organisation's rows the user may act on (404 otherwise)."""

    policy_action = "view"

    @cached_property
    def policy(self) -> Policy:
        return self.scoped_object(Policy, self.policy_action, pk=self.kwargs["pk"])

    def get_success_url(self) -> str:
        return reverse("policy:detail", args=[self.policy.pk])


class AssessmentObjectMixin:
    """Loads the assessment from the current organisation's rows the user may act on (404 otherwise)."""

    assessment_action = "view"

    @cached_property
    def assessment(self) -> Assessment:
        return self.scoped_object(Assessment, self.assessment_action, select_related=("policy",), pk=self.kwargs["pk"])

    def get_success_url(self) -> str:
        return reverse("policy:assessment", args=[self.assessment.pk])
