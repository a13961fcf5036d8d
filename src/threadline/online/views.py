"""Pages of the online area, on the shared scoped views of ``core.views``: services write, selectors read."""

from __future__ import annotations

import io
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from threadline.accounts.models import User
from threadline.audit.mixins import AuditReadMixin
from threadline.audit.services import audit_record
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
from threadline.engines import csvsafe
from threadline.engines.online import workspace as ws_mod
from threadline.online import forms, packages, selectors, services
from threadline.online.models import (
    CustodyEvent,
    EvidencePackage,
    Investigation,
    Label,
    PlatformNotice,
    Scan,
    SourceFile,
    WeightProposal,
)

DEFAULT_MIN_ADS = "2"  # the network list hides single ads unless the analyst asks for them


class InvestigationMixin(OrganisationPermissionMixin):
    """Loads the investigation named in the URL from the user's organisation (another's is a 404)."""

    investigation_action = "view"

    @cached_property
    def investigation(self) -> Investigation:
        return self.scoped_object(
            Investigation, self.investigation_action, select_related=["current_scan"], pk=self.kwargs["pk"]
        )

    @cached_property
    def workspace(self) -> ws_mod.Workspace:
        ws = selectors.investigation_workspace(self.investigation)
        if ws is None:
            raise Http404
        return ws

    def network_or_404(self, network_id: str) -> dict:
        network = ws_mod.network_get(self.workspace, network_id)
        if network is None:
            raise Http404
        return network

    def network_url(self) -> str:
        return reverse("online:network", args=[self.investigation.pk, self.kwargs["network_id"]])

    def get_context_data(self, **kwargs):
        return super().get_context_data(investigation=self.investigation, **kwargs)


class InvestigationActionView(InvestigationMixin, ScopedActionView):
    """A POST on an investigation that goes back to the investigation's page."""

    def get_redirect_url(self) -> str:
        return reverse("online:investigation", args=[self.investigation.pk])


# ---------------------------------------------------------------------------------------------- investigations
class InvestigationListView(ScopedListView):
    model = Investigation
    permission_required = "online.view_investigation"
    template_name = "online/investigation_list.html"
    context_object_name = "investigations"

    def get_queryset(self):
        return super().get_queryset().select_related("current_scan", "created_by")


class InvestigationCreateView(ScopedFormView):
    permission_required = "online.add_investigation"
    form_class = forms.InvestigationForm
    template_name = "online/investigation_form.html"

    def perform(self, data):
        return services.investigation_create(organisation=self.request.organisation, user=self.request.user, **data)

    def performed(self, investigation):
        return redirect("online:investigation", pk=investigation.pk)


class InvestigationDetailView(AuditReadMixin, ScopedDetailView):
    model = Investigation
    permission_required = "online.view_investigation"
    template_name = "online/investigation_detail.html"
    context_object_name = "investigation"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **selectors.investigation_overview(investigation=self.object),
            upload_form=forms.UploadForm(),
            path_form=forms.ServerPathForm(),
            import_roots=services.import_roots(),
            **kwargs,
        )


class SourceUploadView(InvestigationActionView):
    permission_required = "online.add_sourcefile"
    success_message = gettext_lazy("File added.")

    def act(self, request, pk):
        form = forms.UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError(form.errors.get("file", [_("Choose a file to upload.")]))
        services.source_upload(investigation=self.investigation, user=request.user, uploaded=form.cleaned_data["file"])


class SourcePathView(InvestigationActionView):
    permission_required = "online.add_sourcefile"

    def act(self, request, pk):
        form = forms.ServerPathForm(request.POST)
        if form.is_valid():
            services.source_add_path(
                investigation=self.investigation, user=request.user, path=form.cleaned_data["path"]
            )
            messages.success(request, _("Server path added."))


class SourceRemoveView(InvestigationActionView):
    permission_required = "online.delete_sourcefile"

    def act(self, request, pk, source_pk):
        source = self.scoped_object(SourceFile, "delete", pk=source_pk, investigation=self.investigation)
        services.source_remove(source=source)


class ScanStartView(InvestigationActionView):
    permission_required = "online.add_scan"
    success_message = gettext_lazy("Scan queued.")

    def act(self, request, pk):
        services.scan_start(investigation=self.investigation, user=request.user)


class ScanProgressView(ScopedTemplateView):
    """The scan's progress fragment; the investigation page polls it with htmx while the scan runs."""

    permission_required = "online.view_scan"

    @cached_property
    def scan(self) -> Scan:
        return self.scoped_object(
            Scan, select_related=["task", "investigation__current_scan"], pk=self.kwargs["scan_pk"]
        )

    def get_template_names(self):
        return ["online/_scan_progress.html" if self.request.htmx else "online/scan_detail.html"]

    def get_context_data(self, **kwargs):
        scan, htmx = self.scan, self.request.htmx
        ctx = {"scan": scan, "investigation": scan.investigation}
        if htmx and scan.status not in (Scan.Status.QUEUED, Scan.Status.RUNNING):
            # The last poll of the investigation page: refresh what the finished scan changed on it (its tabs,
            # the summary with "Review networks" and the scans table) out of band, without a reload.
            page = reverse("online:investigation", args=[scan.investigation.pk])
            if (htmx.current_url_abs_path or "").split("?")[0] == page:
                ctx.update(selectors.scan_finished_refresh(investigation=scan.investigation))
        return ctx


class ScanCancelView(ScopedActionView):
    permission_required = "online.change_scan"
    success_message = gettext_lazy("Cancelling the scan; finished batches are kept for a later run.")

    def act(self, request, scan_pk):
        self.scan = self.scoped_object(Scan, "change", pk=scan_pk)
        services.scan_cancel(scan=self.scan)

    def get_redirect_url(self) -> str:
        return reverse("online:investigation", args=[self.scan.investigation_id])


# ---------------------------------------------------------------------------------------------- networks
class NetworkListView(InvestigationMixin, ScopedTemplateView):
    permission_required = "online.view_networkreview"
    template_name = "online/network_list.html"

    def get(self, request, *args, **kwargs):
        if selectors.investigation_workspace(self.investigation) is None:
            messages.error(request, _("Scan the investigation's inputs first."))
            return redirect("online:investigation", pk=self.investigation.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        request, ws = self.request, self.workspace
        facets = ws_mod.facets(ws)
        params = request.GET.copy()
        params.setdefault("min_ads", DEFAULT_MIN_ADS)  # an explicitly empty box shows single ads too
        form = forms.NetworkFilterForm(params, sites=facets["sites"], cities=facets["cities"])
        data = form.cleaned_data if form.is_valid() else {}
        try:
            number = max(int(request.GET.get("page", "1")), 1)
        except ValueError:
            number = 1
        query = request.GET.copy()
        query.pop("page", None)
        return {
            "investigation": self.investigation, "form": form, "query": query.urlencode(),
            "cities": facets["cities"], "searched": bool(data.get("q")),
            **selectors.network_list_page(investigation=self.investigation, ws=ws, data=data, user=request.user,
                                          number=number),
        }  # fmt: skip


def _online_analysts(organisation):
    return User.objects.filter(
        memberships__organisation=organisation, memberships__is_active=True,
        memberships__role="online_analyst", is_active=True,
    ).order_by("email")  # fmt: skip


class NetworkDetailView(InvestigationMixin, ScopedTemplateView):
    permission_required = "online.view_networkreview"
    template_name = "online/network_detail.html"

    def get_context_data(self, **kwargs):
        network_id, inv = self.kwargs["network_id"], self.investigation
        network = self.network_or_404(network_id)
        audit_record(action="view", object_type="online.network", object_id=network_id,
                     organisation_id=inv.organisation_id)  # fmt: skip
        ctx = selectors.network_detail(investigation=inv, ws=self.workspace, network=network,
                                       ads_page=self.request.GET.get("ads_page"))  # fmt: skip
        review = ctx["review"]
        ctx.update(
            label_form=forms.LabelForm(initial={"label": review.label if review else ""}),
            note_form=forms.NoteForm(),
            ad_label_choices=Label.choices,
            assign_form=forms.AssignForm(colleagues=_online_analysts(inv.organisation),
                                         initial={"assignee": review.assigned_to_id if review else ""}),
            notice_form=forms.NoticeForm(platforms=ctx.pop("platforms")),
        )  # fmt: skip
        return ctx


class NetworkActionView(InvestigationMixin, ScopedActionView):
    """Base of the review actions on a network: each is a POST that redirects back to the network."""

    permission_required = "online.change_networkreview"
    refusals = (ValidationError, PermissionDenied)

    def post(self, request, pk, network_id):
        self.network = self.network_or_404(network_id)
        anchor = ws_mod.network_ads(self.workspace, network_id, limit=1)
        self.anchor = anchor[0]["ad_id"] if anchor else ""
        return super().post(request, self.network)

    def get_redirect_url(self) -> str:
        return self.network_url()


class NetworkLabelView(NetworkActionView):
    success_message = gettext_lazy("Label saved.")

    def act(self, request, network):
        form = forms.LabelForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors] or _("Choose a label."))
        services.network_label(investigation=self.investigation, network_id=network["network_id"],
                               label=form.cleaned_data["label"], user=request.user, anchor_ad_id=self.anchor,
                               risk_score=network.get("risk_score"))  # fmt: skip


class NetworkAssignView(NetworkActionView):
    success_message = gettext_lazy("Assignment saved.")

    def act(self, request, network):
        assignee_id = request.POST.get("assignee") or ""
        assignee = None
        if assignee_id:
            assignee = User.objects.filter(pk=assignee_id, memberships__organisation=self.investigation.organisation,
                                           memberships__is_active=True).first()  # fmt: skip
            if assignee is None:
                raise ValidationError(_("That colleague is not in this organisation."))
        services.network_assign(investigation=self.investigation, network_id=network["network_id"],
                                assignee=assignee, user=request.user, anchor_ad_id=self.anchor)  # fmt: skip


class NetworkConfirmView(NetworkActionView):
    success_message = gettext_lazy("Label confirmed.")

    def act(self, request, network):
        services.network_confirm(investigation=self.investigation, network_id=network["network_id"], user=request.user)


class NoteAddView(NetworkActionView):
    permission_required = "online.add_reviewnote"
    success_message = gettext_lazy("Note added.")

    def act(self, request, network):
        form = forms.NoteForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Write a note first."))
        services.note_add(investigation=self.investigation, network_id=network["network_id"],
                          text=form.cleaned_data["text"], user=request.user)  # fmt: skip


class AdLabelView(NetworkActionView):
    permission_required = "online.change_adlabel"
    success_message = gettext_lazy("Ad label saved.")

    def act(self, request, network):
        form = forms.AdLabelForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose one of the labels."))
        ad_id = form.cleaned_data["ad_id"]
        if ws_mod.ad_network_ids(self.workspace, [ad_id]).get(ad_id) != network["network_id"]:
            raise Http404
        services.ad_label(investigation=self.investigation, ad_id=ad_id, network_id=network["network_id"],
                          label=form.cleaned_data["label"], user=request.user)  # fmt: skip


class NetworkCorrectView(NetworkActionView):
    """Split ads off a network, remove them from it, or put them back (kept by ad id across re-scans)."""

    permission_required = "online.change_adcorrection"

    def act(self, request, network):
        nid = network["network_id"]
        members, evidence = selectors.network_evidence(ws=self.workspace, network_id=nid)
        action = request.POST.get("action", "")
        services.network_correct(investigation=self.investigation, network_id=nid,
                                 ad_ids=request.POST.getlist("ad_ids"), action=action, user=request.user,
                                 network_ad_ids=members, evidence=evidence)  # fmt: skip
        messages.success(request, _("Ads put back.") if action == "restore" else _("Correction saved."))


class NoticeCreateView(NetworkActionView):
    permission_required = "online.add_platformnotice"
    success_message = gettext_lazy("Notice drafted.")

    def act(self, request, network):
        ads = ws_mod.network_ads(self.workspace, network["network_id"], limit=100_000)
        form = forms.NoticeForm(request.POST, platforms=selectors.network_platforms(ads))
        if not form.is_valid():
            raise ValidationError(_("Choose a platform and give a reason."))
        platform = form.cleaned_data["platform"]
        self.notice = services.notice_create(
            investigation=self.investigation, network_id=network["network_id"], platform=platform,
            ad_urls=[a["url"] for a in ads if a.get("site") == platform and a.get("url")],
            reason=form.cleaned_data["reason"], user=request.user,
        )  # fmt: skip

    def get_redirect_url(self) -> str:
        notice = getattr(self, "notice", None)
        return reverse("online:notice", kwargs={"notice_pk": notice.pk}) if notice else self.network_url()


class PackageCreateView(NetworkActionView):
    permission_required = "online.add_evidencepackage"
    success_message = gettext_lazy("Evidence package created.")
    refusals = ()

    def act(self, request, network):
        self.package = packages.package_create(investigation=self.investigation, network_id=network["network_id"],
                                               user=request.user)  # fmt: skip

    def get_redirect_url(self) -> str:
        return reverse("online:package", kwargs={"package_pk": self.package.pk})


# ---------------------------------------------------------------------------------------------- packages
class PackageDetailView(ScopedTemplateView):
    permission_required = "online.view_evidencepackage"
    template_name = "online/package_detail.html"

    def get_context_data(self, **kwargs):
        package = self.scoped_object(EvidencePackage, select_related=["investigation", "created_by"],
                                     pk=self.kwargs["package_pk"])  # fmt: skip
        packages.custody_record(package=package, action=CustodyEvent.Action.VIEWED, user=self.request.user)
        return {
            "package": package,
            "custody": package.custody.select_related("actor"),
            "verify_form": forms.VerifyForm(),
        }


class PackageDownloadView(ScopedDownloadView):
    """The package file; every download is a link in its chain of custody."""

    permission_required = "online.export_evidencepackage"

    def download(self, request, package_pk):
        package = self.scoped_object(EvidencePackage, "view", pk=package_pk)
        packages.custody_record(package=package, action=CustodyEvent.Action.EXPORTED, user=request.user)
        return FileResponse(open(package.path, "rb"), as_attachment=True,
                            filename=f"evidence-{package.network_id}-{str(package.pk)[:8]}.zip")  # fmt: skip


class PackageVerifyView(ScopedFormView):
    """Check an uploaded package against its manifest, and whether it is one this organisation created."""

    permission_required = "online.view_evidencepackage"
    form_class = forms.VerifyForm
    template_name = "online/package_verify.html"

    def perform(self, data):
        result = packages.package_verify(data["package"])
        known = self.scoped(EvidencePackage, "view").filter(sha256=result.sha256).first()
        if known is not None:
            packages.custody_record(package=known, action=CustodyEvent.Action.VERIFIED, user=self.request.user,
                                    detail="intact" if result.ok else "altered")  # fmt: skip
        return result, known

    def performed(self, found):
        result, known = found
        return self.render_to_response(self.get_context_data(result=result, known=known))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form, result=None, known=None))


class SignalsView(InvestigationMixin, ScopedFormView):
    """Keyed hashes of the labelled networks' identifiers for a partner holding the same key."""

    permission_required = "online.export_investigation"
    form_class = forms.SignalsForm
    template_name = "online/signals.html"

    def perform(self, data):
        network_ids = selectors.signal_network_ids(investigation=self.investigation, scope=data["scope"])
        return packages.signals_export(investigation=self.investigation, network_ids=network_ids,
                                       key=data["key"].encode(), user=self.request.user)  # fmt: skip

    def performed(self, data):
        return attachment(data, "text/csv; charset=utf-8", f"signals-{self.investigation.pk}.csv")


# ---------------------------------------------------------------------------------------------- notices
class NoticeMixin(OrganisationPermissionMixin):
    permission_required = "online.view_platformnotice"
    notice_action = "view"

    @cached_property
    def notice(self) -> PlatformNotice:
        return self.scoped_object(PlatformNotice, self.notice_action, select_related=["investigation"],
                                  pk=self.kwargs["notice_pk"])  # fmt: skip


class NoticeDetailView(NoticeMixin, ScopedTemplateView):
    template_name = "online/notice_detail.html"

    def get_context_data(self, **kwargs):
        notice = self.notice
        return {"notice": notice, "text": selectors.notice_text(notice), "form": forms.NoticeStatusForm()}


class NoticeExportView(NoticeMixin, ScopedDownloadView):
    """The notice as plain text or PDF, to send to the platform; every export is audited."""

    def download(self, request, notice_pk, fmt):
        notice = self.notice
        if fmt not in ("txt", "pdf"):
            raise Http404
        text = selectors.notice_text(notice)
        audit_record(action="export", object_type="online.platformnotice", object_id=str(notice.pk), note=fmt,
                     organisation_id=notice.organisation_id)  # fmt: skip
        if fmt == "txt":
            body, content_type = text.plain(), "text/plain; charset=utf-8"
        else:
            body, content_type = _notice_pdf(notice, text, request.organisation.name), "application/pdf"
        return attachment(body, content_type, f"notice-{notice.pk}.{fmt}")


def _notice_pdf(notice: PlatformNotice, text: selectors.NoticeText, organisation_name: str) -> bytes:
    from threadline.core.pdf import Document

    doc = Document()
    doc.title(_("Notice to %(platform)s") % {"platform": notice.platform})
    doc.line(f"{organisation_name} · {timezone.localdate():%Y-%m-%d}")
    doc.space()
    for paragraph in (text.greeting, text.reason, text.intro):
        doc.line(paragraph)
        doc.space(2)
    for url in text.urls:
        doc.line(f"- {url}")
    return doc.output()


class NoticeStatusView(NoticeMixin, ScopedActionView):
    permission_required = "online.change_platformnotice"
    notice_action = "change"

    def act(self, request, notice_pk):
        form = forms.NoticeStatusForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a status."))
        at = form.cleaned_data.get("at")
        if at is not None and timezone.is_naive(at):
            at = timezone.make_aware(at)
        services.notice_set_status(notice=self.notice, status=form.cleaned_data["status"], at=at, user=request.user)
        messages.success(request, _("Status updated."))

    def get_redirect_url(self) -> str:
        return reverse("online:notice", kwargs={"notice_pk": self.notice.pk})


class PlatformMixin(OrganisationPermissionMixin):
    permission_required = "online.view_platformnotice"

    def notices(self):
        return self.scoped(PlatformNotice, "view")


class PlatformListView(PlatformMixin, ScopedTemplateView):
    template_name = "online/platform_list.html"

    def get_context_data(self, **kwargs):
        stats = selectors.platform_stats(self.notices())
        return {"stats": stats, **selectors.platform_charts(stats)}


class PlatformDetailView(PlatformMixin, ScopedTemplateView):
    template_name = "online/platform_detail.html"

    def get_context_data(self, **kwargs):
        platform = self.kwargs["platform"]
        notices = list(self.notices().filter(platform=platform).select_related("investigation"))
        if not notices:
            raise Http404
        stats = selectors.platform_stats(notices)[0]
        return {"platform": platform, "stats": stats, "notices": notices, **selectors.platform_detail_charts(stats)}


class PlatformCsvView(PlatformMixin, ScopedDownloadView):
    def download(self, request):
        rows = selectors.platform_csv_rows(selectors.platform_stats(self.notices()))
        audit_record(action="export", object_type="online.platformnotice", note="platform accountability csv")
        buf = io.StringIO()
        csvsafe.writer(buf).writerows(rows)
        return attachment(buf.getvalue(), "text/csv; charset=utf-8", f"platforms-{datetime.now():%Y%m%d}.csv")


# ---------------------------------------------------------------------------------------------- calibration
class CalibrationView(InvestigationMixin, ScopedTemplateView):
    permission_required = "online.view_weightproposal"
    template_name = "online/calibration.html"

    def get_context_data(self, **kwargs):
        proposals = self.scoped(WeightProposal, "view").filter(investigation=self.investigation)
        return {"investigation": self.investigation,
                **selectors.calibration_overview(investigation=self.investigation, proposals=proposals)}  # fmt: skip


class CalibrationProposeView(InvestigationMixin, ScopedActionView):
    permission_required = "online.add_weightproposal"
    success_message = gettext_lazy("Weights proposed. Nothing changes until you accept them.")

    def act(self, request, pk):
        services.proposal_create(investigation=self.investigation, user=request.user)

    def get_redirect_url(self) -> str:
        return reverse("online:calibration", args=[self.investigation.pk])


class ProposalDecideView(ScopedActionView):
    permission_required = "online.change_weightproposal"

    def act(self, request, proposal_pk):
        self.proposal = self.scoped_object(WeightProposal, "change", pk=proposal_pk)
        accept = request.POST.get("decision") == "accept"
        services.proposal_decide(proposal=self.proposal, accept=accept, user=request.user)
        messages.success(request, _("Weights accepted: the ranking uses them now.") if accept
                         else _("Proposal rejected."))  # fmt: skip

    def get_redirect_url(self) -> str:
        return reverse("online:calibration", args=[self.proposal.investigation_id])
