"""Pages of the online area. Thin: services write, selectors and the workspace module read."""

from __future__ import annotations

import io
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from threadline.accounts.models import User
from threadline.audit.mixins import AuditReadMixin
from threadline.audit.services import audit_record
from threadline.core.views import OrganisationPermissionMixin, ScopedDetailView, ScopedListView
from threadline.engines import csvsafe
from threadline.engines.online import workspace as ws_mod
from threadline.online import charts, forms, packages, selectors, services
from threadline.online.evidence import CATEGORY_LABELS, annotate, link_reasons
from threadline.online.models import (
    AdLabel,
    CustodyEvent,
    EvidencePackage,
    Investigation,
    Label,
    NetworkReview,
    PlatformNotice,
    ReviewNote,
    Scan,
    SourceFile,
    WeightProposal,
)

PAGE_SIZE = 50
ADS_PER_PAGE = 20  # a network page lists its ads in pages: a 59-ad network was a 25,700-px page
DEFAULT_MIN_ADS = "2"  # the network list hides single ads unless the analyst asks for them


def _errors(request, exc: ValidationError | PermissionDenied) -> None:
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)


class InvestigationMixin(OrganisationPermissionMixin):
    """Loads the investigation named in the URL from the user's organisation (another's is a 404)."""

    investigation_action = "view"

    @cached_property
    def investigation(self) -> Investigation:
        queryset = Investigation.objects.restrict(
            self.request.user, self.investigation_action, self.request.organisation
        )
        return get_object_or_404(queryset.select_related("current_scan"), pk=self.kwargs["pk"])

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


# ---------------------------------------------------------------------------------------------- investigations
class InvestigationListView(ScopedListView):
    model = Investigation
    permission_required = "online.view_investigation"
    template_name = "online/investigation_list.html"
    context_object_name = "investigations"

    def get_queryset(self):
        return super().get_queryset().select_related("current_scan", "created_by")


class InvestigationCreateView(OrganisationPermissionMixin, FormView):
    permission_required = "online.add_investigation"
    form_class = forms.InvestigationForm
    template_name = "online/investigation_form.html"

    def form_valid(self, form):
        investigation = services.investigation_create(
            organisation=self.request.organisation, user=self.request.user, **form.cleaned_data
        )
        return redirect("online:investigation", pk=investigation.pk)


class InvestigationDetailView(AuditReadMixin, ScopedDetailView):
    model = Investigation
    permission_required = "online.view_investigation"
    template_name = "online/investigation_detail.html"
    context_object_name = "investigation"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        inv = self.object
        ctx.update(
            sources=inv.sources.all(),
            scans=inv.scans.select_related("task")[:10],
            upload_form=forms.UploadForm(),
            path_form=forms.ServerPathForm(),
            import_roots=services.import_roots(),
            running=inv.scans.filter(status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING]).first(),
            packages=inv.packages.select_related("created_by")[:20],
            notices=inv.notices.all()[:20],
            n_reviews=inv.reviews.exclude(label="").count(),
        )
        return ctx


class SourceUploadView(InvestigationMixin, View):
    permission_required = "online.add_sourcefile"

    def post(self, request, pk):
        form = forms.UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.source_upload(
                    investigation=self.investigation, user=request.user, uploaded=form.cleaned_data["file"]
                )
                messages.success(request, _("File added."))
            except ValidationError as exc:
                _errors(request, exc)
        else:
            for error in form.errors.get("file", [_("Choose a file to upload.")]):
                messages.error(request, error)
        return redirect("online:investigation", pk=self.investigation.pk)


class SourcePathView(InvestigationMixin, View):
    permission_required = "online.add_sourcefile"

    def post(self, request, pk):
        form = forms.ServerPathForm(request.POST)
        if form.is_valid():
            try:
                services.source_add_path(
                    investigation=self.investigation, user=request.user, path=form.cleaned_data["path"]
                )
                messages.success(request, _("Server path added."))
            except ValidationError as exc:
                _errors(request, exc)
        return redirect("online:investigation", pk=self.investigation.pk)


class SourceRemoveView(InvestigationMixin, View):
    permission_required = "online.delete_sourcefile"

    def post(self, request, pk, source_pk):
        source = get_object_or_404(
            SourceFile.objects.restrict(request.user, "delete", request.organisation),
            pk=source_pk,
            investigation=self.investigation,
        )
        services.source_remove(source=source)
        return redirect("online:investigation", pk=self.investigation.pk)


class ScanStartView(InvestigationMixin, View):
    permission_required = "online.add_scan"

    def post(self, request, pk):
        try:
            services.scan_start(investigation=self.investigation, user=request.user)
            messages.success(request, _("Scan queued."))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("online:investigation", pk=self.investigation.pk)


class ScanProgressView(OrganisationPermissionMixin, View):
    """The scan's progress fragment; the investigation page polls it with htmx while the scan runs."""

    permission_required = "online.view_scan"

    def get(self, request, scan_pk):
        scan = get_object_or_404(
            Scan.objects.restrict(request.user, "view", request.organisation).select_related(
                "task", "investigation__current_scan"
            ),
            pk=scan_pk,
        )
        ctx = {"scan": scan, "investigation": scan.investigation}
        if request.htmx and scan.status not in (Scan.Status.QUEUED, Scan.Status.RUNNING):
            # The last poll of the investigation page: refresh what the finished scan changed on it (its tabs,
            # the summary with "Review networks" and the scans table) out of band, without a reload.
            investigation = scan.investigation
            page = reverse("online:investigation", args=[investigation.pk])
            if (request.htmx.current_url_abs_path or "").split("?")[0] == page:
                ctx.update(
                    investigation=investigation,
                    refresh_page=True,
                    scans=investigation.scans.select_related("task")[:10],
                    n_reviews=investigation.reviews.exclude(label="").count(),
                )
        template = "online/_scan_progress.html" if request.htmx else "online/scan_detail.html"
        return render(request, template, ctx)


class ScanCancelView(OrganisationPermissionMixin, View):
    permission_required = "online.change_scan"

    def post(self, request, scan_pk):
        scan = get_object_or_404(Scan.objects.restrict(request.user, "change", request.organisation), pk=scan_pk)
        services.scan_cancel(scan=scan)
        messages.success(request, _("Cancelling the scan; finished batches are kept for a later run."))
        return redirect("online:investigation", pk=scan.investigation_id)


# ---------------------------------------------------------------------------------------------- networks
class NetworkListView(InvestigationMixin, View):
    permission_required = "online.view_networkreview"

    def get(self, request, pk):
        if selectors.investigation_workspace(self.investigation) is None:
            messages.error(request, _("Scan the investigation's inputs first."))
            return redirect("online:investigation", pk=self.investigation.pk)
        ws = self.workspace
        facets = ws_mod.facets(ws)
        params = request.GET.copy()
        params.setdefault("min_ads", DEFAULT_MIN_ADS)  # an explicitly empty box shows single ads too
        form = forms.NetworkFilterForm(params, sites=facets["sites"], cities=facets["cities"])
        data = form.cleaned_data if form.is_valid() else {}
        include, exclude = selectors.review_filter_ids(
            investigation=self.investigation, status=data.get("review") or "", user=request.user
        )
        if data.get("q"):
            found = ws_mod.search_networks(ws, data["q"])
            include = found if include is None else [n for n in include if n in set(found)]
        flt = ws_mod.NetworkFilter(
            category=data.get("category") or "", city=data.get("city") or "", site=data.get("site") or "",
            min_ads=data.get("min_ads"), max_ads=data.get("max_ads"), date_from=data.get("date_from"),
            date_to=data.get("date_to"), include_ids=include, exclude_ids=exclude,
        )  # fmt: skip
        try:
            number = max(int(request.GET.get("page", "1")), 1)
        except ValueError:
            number = 1
        rows, total = ws_mod.network_page(
            ws, flt, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE, overrides=self.investigation.risk_weights
        )
        reviews = selectors.reviews_for(self.investigation, [r["network_id"] for r in rows])
        for row in rows:
            row["review"] = reviews.get(row["network_id"])
            row["category_labels"] = [CATEGORY_LABELS.get(c, c) for c in row["indicator_categories"]]
        paginator = Paginator(range(total), PAGE_SIZE)
        page = Page(rows, min(number, max(paginator.num_pages, 1)), paginator)
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "online/network_list.html", {
            "investigation": self.investigation, "form": form, "networks": rows, "total": total,
            "page_obj": page, "is_paginated": paginator.num_pages > 1, "query": query.urlencode(),
            "cities": facets["cities"], "searched": bool(data.get("q")),
        })  # fmt: skip


class NetworkDetailView(InvestigationMixin, View):
    permission_required = "online.view_networkreview"

    def get(self, request, pk, network_id):
        network = self.network_or_404(network_id)
        inv = self.investigation
        audit_record(action="view", object_type="online.network", object_id=network_id,
                     organisation_id=inv.organisation_id)  # fmt: skip
        ws = self.workspace
        ads = ws_mod.network_ads(ws, network_id)
        indicators = ws_mod.network_indicators(ws, network_id)
        entities = ws_mod.network_entities(ws, network_id)
        review = NetworkReview.objects.filter(investigation=inv, network_id=network_id).select_related(
            "labelled_by", "confirmed_by", "assigned_to").first()  # fmt: skip
        ad_labels = dict(AdLabel.objects.filter(investigation=inv, network_id=network_id).values_list("ad_id", "label"))
        cities: dict[tuple, int] = {}
        for ad in ads:
            key = (ad.get("city") or "?", ad.get("country") or "")
            cities[key] = cities.get(key, 0) + 1
        shared: dict[tuple, set] = {}
        for e in entities:
            if e["kind"] in ("phone", "email", "handle", "image", "url", "name"):
                shared.setdefault((e["kind"], e["value"]), set()).add(e["ad_id"])
        explanation = ws_mod.explain(network, inv.risk_weights)
        colleagues = User.objects.filter(
            memberships__organisation=inv.organisation, memberships__is_active=True,
            memberships__role="online_analyst", is_active=True,
        ).order_by("email")  # fmt: skip
        platforms = sorted({a["site"] for a in ads if a.get("site") and a.get("url")})
        ads_page = Paginator(ads, ADS_PER_PAGE).get_page(request.GET.get("ads_page"))
        page_ads = list(ads_page.object_list)
        annotated = annotate(page_ads, indicators, entities)
        reasons = link_reasons(ws_mod.network_links(ws, network_id))
        corrections = selectors.ad_corrections(investigation=inv, ad_ids=[a["ad_id"] for a in page_ads])
        for ad in annotated:
            ad["label"] = ad_labels.get(ad["ad_id"], "")
            ad["why"] = reasons.get(ad["ad_id"], [])
            ad["correction"] = corrections.get(ad["ad_id"])
        return render(request, "online/network_detail.html", {
            "investigation": inv, "network": network, "ads": annotated, "n_ads_shown": len(ads),
            "ads_page": ads_page, "graph_kinds": sorted({e["kind"] for e in entities} & set(charts.GRAPH_KINDS)),
            "review": review, "label_form": forms.LabelForm(initial={"label": review.label if review else ""}),
            "note_form": forms.NoteForm(), "ad_label_choices": Label.choices,
            "assign_form": forms.AssignForm(colleagues=colleagues,
                                            initial={"assignee": review.assigned_to_id if review else ""}),
            "notice_form": forms.NoticeForm(platforms=platforms),
            "notes": ReviewNote.objects.filter(investigation=inv, network_id=network_id).select_related("author"),
            "cities": sorted(cities.items(), key=lambda x: -x[1]),
            "shared": sorted(((k, len(v)) for k, v in shared.items()), key=lambda x: (-x[1], x[0])),
            "explanation": explanation, "explanation_chart": charts.bars(
                [(e["label"], e["points"]) for e in explanation], label=_("Risk score contributions (points)")),
            "timeline": charts.timeline(ads), "graph": charts.graph(ads, entities),
            "categories": [CATEGORY_LABELS.get(c, c) for c in network.get("indicator_categories") or []],
            "packages": inv.packages.filter(network_id=network_id),
            "notices": inv.notices.filter(network_id=network_id),
        })  # fmt: skip


class NetworkActionView(InvestigationMixin, View):
    """Base of the review actions on a network: each is a POST that redirects back to the network."""

    permission_required = "online.change_networkreview"

    def post(self, request, pk, network_id):
        network = self.network_or_404(network_id)
        anchor = ws_mod.network_ads(self.workspace, network_id, limit=1)
        self.anchor = anchor[0]["ad_id"] if anchor else ""
        try:
            self.act(request, network)
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        return redirect(self.network_url())

    def act(self, request, network):  # pragma: no cover - overridden
        raise NotImplementedError


class NetworkLabelView(NetworkActionView):
    def act(self, request, network):
        form = forms.LabelForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors] or _("Choose a label."))
        services.network_label(investigation=self.investigation, network_id=network["network_id"],
                               label=form.cleaned_data["label"], user=request.user, anchor_ad_id=self.anchor,
                               risk_score=network.get("risk_score"))  # fmt: skip
        messages.success(request, _("Label saved."))


class NetworkAssignView(NetworkActionView):
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
        messages.success(request, _("Assignment saved."))


class NetworkConfirmView(NetworkActionView):
    def act(self, request, network):
        services.network_confirm(investigation=self.investigation, network_id=network["network_id"], user=request.user)
        messages.success(request, _("Label confirmed."))


class NoteAddView(NetworkActionView):
    permission_required = "online.add_reviewnote"

    def act(self, request, network):
        form = forms.NoteForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Write a note first."))
        services.note_add(investigation=self.investigation, network_id=network["network_id"],
                          text=form.cleaned_data["text"], user=request.user)  # fmt: skip
        messages.success(request, _("Note added."))


class AdLabelView(NetworkActionView):
    permission_required = "online.change_adlabel"

    def act(self, request, network):
        form = forms.AdLabelForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose one of the labels."))
        ad_id = form.cleaned_data["ad_id"]
        if ws_mod.ad_network_ids(self.workspace, [ad_id]).get(ad_id) != network["network_id"]:
            raise Http404
        services.ad_label(investigation=self.investigation, ad_id=ad_id, network_id=network["network_id"],
                          label=form.cleaned_data["label"], user=request.user)  # fmt: skip
        messages.success(request, _("Ad label saved."))


class NetworkCorrectView(NetworkActionView):
    """Split ads off a network, remove them from it, or put them back (kept by ad id across re-scans)."""

    permission_required = "online.change_adcorrection"

    def act(self, request, network):
        nid = network["network_id"]
        ws = self.workspace
        members = {a["ad_id"] for a in ws_mod.network_ads(ws, nid, limit=100_000)}
        reasons = link_reasons(ws_mod.network_links(ws, nid))
        evidence = {ad: [r["kind"] for r in rs] for ad, rs in reasons.items()}
        action = request.POST.get("action", "")
        services.network_correct(investigation=self.investigation, network_id=nid,
                                 ad_ids=request.POST.getlist("ad_ids"), action=action, user=request.user,
                                 network_ad_ids=members, evidence=evidence)  # fmt: skip
        messages.success(request, _("Ads put back.") if action == "restore" else _("Correction saved."))


class NoticeCreateView(NetworkActionView):
    permission_required = "online.add_platformnotice"

    def act(self, request, network):
        ads = ws_mod.network_ads(self.workspace, network["network_id"], limit=100_000)
        platforms = sorted({a["site"] for a in ads if a.get("site") and a.get("url")})
        form = forms.NoticeForm(request.POST, platforms=platforms)
        if not form.is_valid():
            raise ValidationError(_("Choose a platform and give a reason."))
        platform = form.cleaned_data["platform"]
        notice = services.notice_create(
            investigation=self.investigation, network_id=network["network_id"], platform=platform,
            ad_urls=[a["url"] for a in ads if a.get("site") == platform and a.get("url")],
            reason=form.cleaned_data["reason"], user=request.user,
        )  # fmt: skip
        self.notice = notice
        messages.success(request, _("Notice drafted."))

    def post(self, request, pk, network_id):
        response = super().post(request, pk, network_id)
        notice = getattr(self, "notice", None)
        return redirect("online:notice", notice_pk=notice.pk) if notice else response


class PackageCreateView(NetworkActionView):
    permission_required = "online.add_evidencepackage"

    def post(self, request, pk, network_id):
        self.network_or_404(network_id)
        package = packages.package_create(investigation=self.investigation, network_id=network_id, user=request.user)
        messages.success(request, _("Evidence package created."))
        return redirect("online:package", package_pk=package.pk)


# ---------------------------------------------------------------------------------------------- packages
class PackageDetailView(OrganisationPermissionMixin, View):
    permission_required = "online.view_evidencepackage"

    def get(self, request, package_pk):
        package = get_object_or_404(
            EvidencePackage.objects.restrict(request.user, "view", request.organisation).select_related(
                "investigation", "created_by"), pk=package_pk)  # fmt: skip
        packages.custody_record(package=package, action=CustodyEvent.Action.VIEWED, user=request.user)
        return render(request, "online/package_detail.html", {
            "package": package, "custody": package.custody.select_related("actor"), "verify_form": forms.VerifyForm(),
        })  # fmt: skip


class PackageDownloadView(OrganisationPermissionMixin, View):
    permission_required = "online.export_evidencepackage"

    def get(self, request, package_pk):
        package = get_object_or_404(
            EvidencePackage.objects.restrict(request.user, "view", request.organisation), pk=package_pk
        )
        packages.custody_record(package=package, action=CustodyEvent.Action.EXPORTED, user=request.user)
        return FileResponse(open(package.path, "rb"), as_attachment=True,
                            filename=f"evidence-{package.network_id}-{str(package.pk)[:8]}.zip")  # fmt: skip


class PackageVerifyView(OrganisationPermissionMixin, View):
    """Check an uploaded package against its manifest, and whether it is one this organisation created."""

    permission_required = "online.view_evidencepackage"

    def get(self, request):
        return render(request, "online/package_verify.html", {"form": forms.VerifyForm()})

    def post(self, request):
        form = forms.VerifyForm(request.POST, request.FILES)
        result = known = None
        if form.is_valid():
            result = packages.package_verify(form.cleaned_data["package"])
            known = EvidencePackage.objects.restrict(request.user, "view", request.organisation).filter(
                sha256=result.sha256).first()  # fmt: skip
            if known is not None:
                packages.custody_record(package=known, action=CustodyEvent.Action.VERIFIED, user=request.user,
                                        detail="intact" if result.ok else "altered")  # fmt: skip
        return render(request, "online/package_verify.html", {"form": form, "result": result, "known": known})


class SignalsView(InvestigationMixin, View):
    """Keyed hashes of the labelled networks' identifiers for a partner holding the same key."""

    permission_required = "online.export_investigation"

    def get(self, request, pk):
        return render(request, "online/signals.html", {"investigation": self.investigation,
                                                       "form": forms.SignalsForm()})  # fmt: skip

    def post(self, request, pk):
        form = forms.SignalsForm(request.POST)
        if not form.is_valid():
            return render(request, "online/signals.html", {"investigation": self.investigation, "form": form})
        reviews = NetworkReview.objects.filter(investigation=self.investigation).exclude(label="")
        if form.cleaned_data["scope"] == "relevant":
            reviews = reviews.filter(label__in=["likely_trafficking", "possible_minor"])
        data = packages.signals_export(investigation=self.investigation,
                                       network_ids=list(reviews.values_list("network_id", flat=True)),
                                       key=form.cleaned_data["key"].encode(), user=request.user)  # fmt: skip
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="signals-{self.investigation.pk}.csv"'
        return response


# ---------------------------------------------------------------------------------------------- notices
class NoticeDetailView(OrganisationPermissionMixin, View):
    permission_required = "online.view_platformnotice"

    def get(self, request, notice_pk):
        notice = get_object_or_404(
            PlatformNotice.objects.restrict(request.user, "view", request.organisation).select_related("investigation"),
            pk=notice_pk,
        )
        return render(request, "online/notice_detail.html", {
            "notice": notice, "text": selectors.notice_text(notice), "form": forms.NoticeStatusForm(),
        })  # fmt: skip


class NoticeExportView(OrganisationPermissionMixin, View):
    """The notice as plain text or PDF, to send to the platform; every export is audited."""

    permission_required = "online.view_platformnotice"

    def get(self, request, notice_pk, fmt):
        notice = get_object_or_404(
            PlatformNotice.objects.restrict(request.user, "view", request.organisation), pk=notice_pk
        )
        if fmt not in ("txt", "pdf"):
            raise Http404
        text = selectors.notice_text(notice)
        audit_record(action="export", object_type="online.platformnotice", object_id=str(notice.pk), note=fmt,
                     organisation_id=notice.organisation_id)  # fmt: skip
        if fmt == "txt":
            response = HttpResponse(text.plain(), content_type="text/plain; charset=utf-8")
        else:
            from threadline.core.pdf import Document

            doc = Document()
            doc.title(_("Notice to %(platform)s") % {"platform": notice.platform})
            doc.line(f"{request.organisation.name} · {timezone.localdate():%Y-%m-%d}")
            doc.space()
            for paragraph in (text.greeting, text.reason, text.intro):
                doc.line(paragraph)
                doc.space(2)
            for url in text.urls:
                doc.line(f"- {url}")
            response = HttpResponse(doc.output(), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="notice-{notice.pk}.{fmt}"'
        return response


class NoticeStatusView(OrganisationPermissionMixin, View):
    permission_required = "online.change_platformnotice"

    def post(self, request, notice_pk):
        notice = get_object_or_404(
            PlatformNotice.objects.restrict(request.user, "change", request.organisation), pk=notice_pk
        )
        form = forms.NoticeStatusForm(request.POST)
        if form.is_valid():
            at = form.cleaned_data.get("at")
            if at is not None and timezone.is_naive(at):
                at = timezone.make_aware(at)
            try:
                services.notice_set_status(notice=notice, status=form.cleaned_data["status"], at=at, user=request.user)
                messages.success(request, _("Status updated."))
            except ValidationError as exc:
                _errors(request, exc)
        else:
            messages.error(request, _("Choose a status."))
        return redirect("online:notice", notice_pk=notice.pk)


class PlatformMixin(OrganisationPermissionMixin):
    permission_required = "online.view_platformnotice"

    def notices(self):
        return PlatformNotice.objects.restrict(self.request.user, "view", self.request.organisation)


class PlatformListView(PlatformMixin, View):
    def get(self, request):
        stats = selectors.platform_stats(self.notices())
        return render(request, "online/platform_list.html", {
            "stats": stats,
            "chart_removed": charts.bars([(s["platform"], s["share_removed"] or 0.0) for s in stats if s["sent"]],
                                         label=_("Share of notices sent that led to removal"), unit="%", maximum=1),
            "chart_median": charts.bars([(s["platform"], s["median_days"]) for s in stats
                                         if s["median_days"] is not None],
                                        label=_("Median days from notice to removal"), unit=" d"),
        })  # fmt: skip


class PlatformDetailView(PlatformMixin, View):
    def get(self, request, platform):
        notices = list(self.notices().filter(platform=platform).select_related("investigation"))
        if not notices:
            raise Http404
        stats = selectors.platform_stats(notices)[0]
        return render(request, "online/platform_detail.html", {
            "platform": platform, "stats": stats, "notices": notices,
            "histogram": charts.histogram(stats["days_to_removal"], label=_("Notices by days to removal")),
        })  # fmt: skip


class PlatformCsvView(PlatformMixin, View):
    permission_required = "online.view_platformnotice"

    def get(self, request):
        stats = selectors.platform_stats(self.notices())
        audit_record(action="export", object_type="online.platformnotice", note="platform accountability csv")
        buf = io.StringIO()
        writer = csvsafe.writer(buf)
        columns = ["platform", "notices", "sent", "removed", "refused", "no_response", "share_removed",
                   "median_days", "p90_days", "due", "still_online_7d"]  # fmt: skip
        writer.writerow(columns)
        for row in stats:
            writer.writerow([("" if row[c] is None else (round(row[c], 3) if isinstance(row[c], float) else row[c]))
                             for c in columns])  # fmt: skip
        response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="platforms-{datetime.now():%Y%m%d}.csv"'
        return response


# ---------------------------------------------------------------------------------------------- calibration
class CalibrationView(InvestigationMixin, View):
    permission_required = "online.view_weightproposal"

    def get(self, request, pk):
        inv = self.investigation
        report = selectors.calibration_report(investigation=inv)
        weights = ws_mod.effective_weights(inv.risk_weights)["features"]
        proposals = WeightProposal.objects.restrict(request.user, "view", request.organisation).filter(
            investigation=inv
        )
        return render(request, "online/calibration.html", {
            "investigation": inv, "report": report, "weights": weights, "proposals": proposals[:10],
            "open": proposals.filter(status=WeightProposal.Status.PROPOSED).first(),
        })  # fmt: skip


class CalibrationProposeView(InvestigationMixin, View):
    permission_required = "online.add_weightproposal"

    def post(self, request, pk):
        try:
            services.proposal_create(investigation=self.investigation, user=request.user)
            messages.success(request, _("Weights proposed. Nothing changes until you accept them."))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("online:calibration", pk=self.investigation.pk)


class ProposalDecideView(OrganisationPermissionMixin, View):
    permission_required = "online.change_weightproposal"

    def post(self, request, proposal_pk):
        proposal = get_object_or_404(
            WeightProposal.objects.restrict(request.user, "change", request.organisation), pk=proposal_pk
        )
        accept = request.POST.get("decision") == "accept"
        try:
            services.proposal_decide(proposal=proposal, accept=accept, user=request.user)
            messages.success(request, _("Weights accepted: the ranking uses them now.") if accept
                             else _("Proposal rejected."))  # fmt: skip
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("online:calibration", pk=proposal.investigation_id)
