"""The organisation's case settings, referral partners and the statistics export."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from threadline.cases import forms, services
from threadline.core.permissions import has_perm
from threadline.core.views import (
    ScopedActionView,
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
    success_message = gettext_lazy("Saved.")
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


class PartnerAddView(ScopedActionView):
    permission_required = "cases.add_referralpartner"

    def act(self, request):
        from threadline.accounts.models import Organisation

        others = Organisation.objects.filter(is_active=True).exclude(pk=request.organisation.pk)
        form = forms.PartnerForm(request.POST, organisations=others)
        if not form.is_valid():
            raise ValidationError(_("Choose an organisation."))
        services.referral_partner_add(
            organisation=request.organisation, user=request.user, partner=form.cleaned_data["partner"]
        )

    def get_redirect_url(self) -> str:
        return reverse("cases:settings")


class PartnerRemoveView(ScopedActionView):
    permission_required = "cases.delete_referralpartner"
    refusals = ()

    def act(self, request, pk):
        from threadline.cases.models import ReferralPartner

        services.referral_partner_remove(item=self.scoped_object(ReferralPartner, "delete", pk=pk), user=request.user)

    def get_redirect_url(self) -> str:
        return reverse("cases:settings")
