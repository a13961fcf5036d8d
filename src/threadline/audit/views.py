from __future__ import annotations

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views import View

from threadline.audit import selectors
from threadline.audit.filters import AuditFilterForm
from threadline.audit.models import AuditEntry
from threadline.audit.services import audit_record, audit_verify
from threadline.core.views import OrganisationPermissionMixin, ScopedListView
from threadline.engines import csvsafe


class AuditListView(ScopedListView):
    model = AuditEntry
    permission_required = "audit.view_auditentry"
    template_name = "audit/list.html"
    context_object_name = "entries"

    def get_queryset(self):
        self.filter_form = AuditFilterForm(self.request.GET or None)
        queryset = super().get_queryset()
        if not self.request.GET:
            return queryset
        queryset = self.filter_form.apply(queryset)
        if self.filter_form.is_valid() and self.filter_form.cleaned_data["q"]:
            queryset = selectors.search(
                queryset,
                self.filter_form.cleaned_data["q"],
                user=self.request.user,
                organisation=self.request.organisation,
            )
        return queryset

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = selectors.rows_for(
            list(ctx["entries"]), user=self.request.user, organisation=self.request.organisation
        )
        ctx["filter_form"] = self.filter_form
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query"] = query.urlencode()
        return ctx


class _Echo:
    def write(self, value):
        return value


class AuditExportView(OrganisationPermissionMixin, View):
    """CSV of the filtered audit entries of this organisation; the export itself is audited."""

    permission_required = "audit.export_auditentry"
    queryset_action = "view"

    def get(self, request):
        form = AuditFilterForm(request.GET or None)
        queryset = AuditEntry.objects.restrict(request.user, "view", request.organisation)
        if request.GET:
            queryset = form.apply(queryset)
        audit_record(action="export", object_type="audit.auditentry", note="csv")
        columns = [
            "id",
            "at",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "fields",
            "request_id",
            "via",
        ]
        writer = csvsafe.writer(_Echo())

        def rows():
            yield writer.writerow(columns)
            for entry in queryset.order_by("id").iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        entry.pk,
                        entry.at.isoformat(),
                        entry.actor_label,
                        entry.action,
                        entry.object_type,
                        entry.object_id,
                        " ".join(entry.fields),
                        entry.request_id,
                        entry.via,
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit.csv"'
        return response


class AuditVerifyView(OrganisationPermissionMixin, View):
    """Check the whole chain (all organisations' entries are linked in one chain) and show the outcome."""

    permission_required = "audit.view_auditentry"

    def post(self, request):
        result = audit_verify()
        template = "audit/_verify_result.html" if request.htmx else "audit/verify.html"
        return render(request, template, {"result": result})
