"""Base views: every page declares the permission it needs, and its queryset is restricted once, here.

``permission_required`` is checked in the current organisation (403 when missing). ``get_queryset`` returns
only the current organisation's rows the user may act on, so another organisation's object is a 404.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from threadline.core import auditing
from threadline.core.models import Task
from threadline.core.permissions import has_perm
from threadline.core.tasks import request_cancel


class OrganisationPermissionMixin(LoginRequiredMixin):
    permission_required: str | None = None
    queryset_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission_required is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must declare permission_required.")
        if not has_perm(request.user, self.permission_required, request.organisation):
            auditing.denied(note=f"{self.permission_required} at {request.path}"[:200])
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        base = super().get_queryset()
        return base.restrict(self.request.user, self.queryset_action, self.request.organisation)


class ScopedListView(OrganisationPermissionMixin, ListView):
    paginate_by = 50


class ScopedDetailView(OrganisationPermissionMixin, DetailView):
    pass


class ScopedTemplateView(OrganisationPermissionMixin, TemplateView):
    pass


class HomeView(LoginRequiredMixin, TemplateView):
    """The organisation's home page: what this role can do here."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        from threadline.core.navigation import sections_for

        ctx = super().get_context_data(**kwargs)
        ctx["sections"] = sections_for(self.request.user, self.request.organisation)
        return ctx


class HealthView(View):
    """For load balancers and monitors: 200 when the database answers and background tasks are being run,
    503 with a short reason otherwise (never identifying data)."""

    def get(self, request):
        from threadline.core.tasks import worker_health

        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            problem = worker_health()
        except Exception:
            return JsonResponse({"status": "unavailable", "reason": "the database does not answer"}, status=503)
        if problem:
            return JsonResponse({"status": "unavailable", "reason": problem}, status=503)
        return JsonResponse({"status": "ok"})


class TaskListView(ScopedListView):
    model = Task
    permission_required = "core.view_task"
    template_name = "core/task_list.html"
    context_object_name = "tasks"


class TaskDetailView(ScopedDetailView):
    """Live progress: the page polls its own progress fragment with htmx while the task runs."""

    model = Task
    permission_required = "core.view_task"
    context_object_name = "task"

    def get_template_names(self):
        if self.request.htmx:
            return ["core/_task_progress.html"]
        return ["core/task_detail.html"]


class TaskCancelView(OrganisationPermissionMixin, View):
    permission_required = "core.change_task"
    queryset_action = "change"

    def post(self, request, pk):
        record = get_object_or_404(Task.objects.restrict(request.user, "change", request.organisation), pk=pk)
        request_cancel(record)
        return redirect("core:task", pk=record.pk)
