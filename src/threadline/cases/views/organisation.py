"""The organisation's case settings, referral partners and the statistics export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from threadline.accounts.permissions import has_perm
from threadline.cases import forms, services
from threadline.core.views import (
    OrganisationPermissionMixin,
    ScopedFormView,
    ScopedTemplateView,
)


class StatisticsExportView(ScopedTemplateView):
    """Non-identifying fields for data officers, for cases whose person agreed to statistics."""

    permission_required = "cases.export_case"
    template_name = "cases/export.html"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format")
        if fmt not in {"csv", "xlsx", "htcds", "htcds-xlsx"}:
            return super().get(request, *args, **kwargs)
        from django.http import HttpResponse

        from threadline.audit.services import audit_record
        from threadline.cases import exports

        org = request.organisation
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        note = f"non-identifying case fields ({fmt})"
        if fmt == "csv":
            body, kind, ext = exports.statistics_csv(organisation=org), "text/csv; charset=utf-8", "csv"
        elif fmt == "xlsx":
            body, kind, ext = exports.statistics_xlsx(organisation=org), xlsx, "xlsx"
        else:
            partner = self._partner(request)
            body = exports.htcds_export(
                organisation=org, user=request.user, partner=partner, spreadsheet=fmt != "htcds"
            )
            kind, ext = (xlsx, "xlsx") if fmt != "htcds" else ("text/csv; charset=utf-8", "csv")
            if partner is not None:
                note = f"HTCDS case fields for partner {partner.pk} ({fmt}), identities where consent and role allow"
        audit_record(action="export", object_type="cases.case", note=note)
        response = HttpResponse(body, content_type=kind)
        name = f"cases-{org.slug}-htcds.{ext}" if fmt.startswith("htcds") else f"cases-{org.slug}.{ext}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _partners(self, request):
        from threadline.cases.models import ReferralPartner

        return ReferralPartner.objects.filter(organisation=request.organisation).select_related("partner")

    def _partner(self, request):
        """The partner organisation named in the query, among this organisation's referral partners."""
        chosen = request.GET.get("partner")
        if not chosen or not chosen.isdigit():
            return None
        link = self._partners(request).filter(partner_id=int(chosen)).first()
        return link.partner if link else None

    def get_context_data(self, **kwargs):
        from threadline.cases.selectors import STATISTICS_COLUMNS

        partners = [link.partner for link in self._partners(self.request)]
        return super().get_context_data(columns=STATISTICS_COLUMNS, partners=partners, **kwargs)


class SettingsView(ScopedFormView):
    permission_required = "cases.change_casesettings"
    form_class = forms.CaseSettingsForm
    template_name = "cases/settings.html"
    success_message = _("Saved.")
    refusals = (ValidationError,)

    def get_initial(self):
        current = services.case_settings_for(organisation=self.request.organisation)
        return {"retention_days": current.retention_days, "reflection_days": current.reflection_days}

    def get_context_data(self, **kwargs):
        from threadline.accounts.models import Organisation
        from threadline.cases.models import ReferralPartner

        org = self.request.organisation
        partners = ReferralPartner.objects.restrict(self.request.user, "view", org).select_related("partner")
        others = (
            Organisation.objects.filter(is_active=True).exclude(pk=org.pk).exclude(pk__in=partners.values("partner_id"))
        )
        return super().get_context_data(
            partners=partners,
            partner_form=forms.PartnerForm(organisations=others),
            can_add_partner=has_perm(self.request.user, "cases.add_referralpartner", org),
            **kwargs,
        )

    def perform(self, data):
        services.case_settings_save(organisation=self.request.organisation, user=self.request.user, **data)

    def performed(self, result):
        return redirect("cases:settings")


class PartnerAddView(OrganisationPermissionMixin, FormView):
    permission_required = "cases.add_referralpartner"
    form_class = forms.PartnerForm
    http_method_names = ["post"]

    def get_form_kwargs(self):
        from threadline.accounts.models import Organisation

        others = Organisation.objects.filter(is_active=True).exclude(pk=self.request.organisation.pk)
        return {**super().get_form_kwargs(), "organisations": others}

    def form_valid(self, form):
        services.referral_partner_add(
            organisation=self.request.organisation, user=self.request.user, partner=form.cleaned_data["partner"]
        )
        return redirect("cases:settings")

    def form_invalid(self, form):
        messages.error(self.request, _("Choose an organisation."))
        return redirect("cases:settings")


class PartnerRemoveView(OrganisationPermissionMixin, FormView):
    permission_required = "cases.delete_referralpartner"
    form_class = forms.WithdrawForm
    http_method_names = ["post"]

    def form_valid(self, form):
        from threadline.cases.models import ReferralPartner

        qs = ReferralPartner.objects.restrict(self.request.user, "delete", self.request.organisation)
        services.referral_partner_remove(item=get_object_or_404(qs, pk=self.kwargs["pk"]), user=self.request.user)
        return redirect("cases:settings")
