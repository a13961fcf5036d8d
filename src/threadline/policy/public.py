"""Pages without sign-in: the public register of published assessments (search, child-friendly version, PDF)
and the survivor advisory form. They show only what was published, and take no identity from anyone."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from threadline.accounts.models import Organisation
from threadline.core.ratelimit import Limit
from threadline.policy import exports, forms, selectors, services

# Against flooding the aggregates: a shelter or a drop-in centre may share one address, so the limit is generous.
ADVISORY_LIMIT = Limit("policy-advisory", attempts=10, window=3600)


def _language() -> str:
    return (get_language() or "en").split("-")[0]


class RegisterView(View):
    def get(self, request):
        query = request.GET.get("q", "").strip()[:100]
        return render(
            request, "policy/public_register.html", {"assessments": selectors.published_assessments(query), "q": query}
        )


class PublishedDetailView(View):
    def get(self, request, pk):
        assessment = get_object_or_404(selectors.published_assessments(), pk=pk)
        ctx = {
            "assessment": assessment,
            "publication": assessment.publication,
            "impacts": selectors.public_impacts(assessment, _language()),
            "evidence": assessment.evidence.all(),
            "consultations": assessment.consultations.all(),
            "decision": getattr(assessment, "decision", None) if hasattr(assessment, "decision") else None,
        }
        return render(request, "policy/public_detail.html", ctx)


class PublishedPdfView(View):
    def get(self, request, pk):
        assessment = get_object_or_404(selectors.published_assessments(), pk=pk)
        content = exports.assessment_pdf(assessment=assessment, language=_language())
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="child-rights-assessment-{assessment.pk}.pdf"'
        return response


class AdvisoryView(View):
    """Trauma-informed: every question optional, plain words, no account, nothing that identifies the sender."""

    def _organisation(self, slug):
        return get_object_or_404(Organisation.objects.filter(is_active=True), slug=slug)

    def get(self, request, slug):
        organisation = self._organisation(slug)
        return render(
            request, "policy/advisory_form.html", {"form": forms.AdvisoryForm(), "organisation": organisation}
        )

    def post(self, request, slug):
        organisation = self._organisation(slug)
        form = forms.AdvisoryForm(request.POST)
        if ADVISORY_LIMIT.exceeded(request):
            form.add_error(
                None,
                _(
                    "Thank you for wanting to tell us more. Many messages were sent from this connection in a short "
                    "time, so we cannot take another one just now. Please try again in an hour: your answers are "
                    "still on this page."
                ),
            )
            ctx = {"form": form, "organisation": organisation}
            return render(request, "policy/advisory_form.html", ctx, status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.advisory_submit(
                    organisation=organisation,
                    about=data["about"],
                    area=data.get("area") or "other",
                    answers={d: data.get(d, "") for d in ("felt_safe", "respected", "understood", "had_a_say")},
                    comments=data.get("comments", ""),
                    contact_consent=data.get("contact_consent", False),
                    contact=data.get("contact", ""),
                    language=_language(),
                )
            except services.PolicyError as exc:
                form.add_error(None, exc.message)
            else:
                ADVISORY_LIMIT.hit(request)
                return redirect("rights:advisory_thanks", slug=organisation.slug)
        return render(request, "policy/advisory_form.html", {"form": form, "organisation": organisation})


class AdvisoryThanksView(View):
    def get(self, request, slug):
        organisation = get_object_or_404(Organisation.objects.filter(is_active=True), slug=slug)
        return render(request, "policy/advisory_thanks.html", {"organisation": organisation})
