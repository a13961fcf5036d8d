"""Base views: every page declares the permission it needs, and its queryset is restricted once, here.

``permission_required`` is checked in the current organisation (403 when missing, and the refusal is audited).
``get_queryset`` and ``scoped_object`` return only the current organisation's rows the user may act on, so
another organisation's object is a 404. Every area builds its pages from these shapes:

- ``ScopedListView`` / ``ScopedDetailView``: a restricted list or object (add ``AuditReadMixin`` for a
  sensitive record, so the read is audited);
- ``ScopedFormView``: validate, call one service in ``perform``, redirect; a refusal shows on the form;
- ``ScopedActionView``: a POST that calls one service in ``act`` and redirects; a refusal becomes a message;
- ``ScopedTemplateView``: a page whose context comes from selectors;
- ``ScopedDownloadView``: a file to download, built by ``download()`` (``attachment`` sets its name); the
  export is audited where it always was, and a signed-in user's download is never cached.

``tests/test_app_shape.py`` requires every page that is not public to be one of these shapes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from threadline.core import auditing
from threadline.core.errors import form_errors, show_errors
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

    def scoped(self, model, action: str | None = None):
        """``model``'s rows in the current organisation that the user may ``action`` (deny by default)."""
        return model.objects.restrict(self.request.user, action or self.queryset_action, self.request.organisation)

    def scoped_object(self, model, action: str | None = None, *, select_related=(), **lookup):
        """One of ``model``'s rows the user may ``action`` here; 404 otherwise (including another
        organisation's)."""
        queryset = self.scoped(model, action)
        if select_related:
            queryset = queryset.select_related(*select_related)
        return get_object_or_404(queryset, **lookup)


class ScopedListView(OrganisationPermissionMixin, ListView):
    paginate_by = 50


class ScopedDetailView(OrganisationPermissionMixin, DetailView):
    pass


class ScopedTemplateView(OrganisationPermissionMixin, TemplateView):
    pass


class ScopedFormView(OrganisationPermissionMixin, FormView):
    """Validate, call one service (``perform``), then ``performed`` answers (by default a redirect to
    ``get_success_url``). A refusal from the service shows on the form, which is rendered again."""

    success_message: str | None = None
    refusals: tuple[type[Exception], ...] = (ValidationError, PermissionDenied)

    def perform(self, data: dict):
        raise NotImplementedError(f"{type(self).__name__} must define perform().")

    def performed(self, result):
        return redirect(self.get_success_url())

    def refused(self, form, exc: Exception) -> None:
        """Show the refusal on the form (its field's errors on that field, the rest on top)."""
        form_errors(form, exc)

    def form_valid(self, form):
        try:
            result = self.perform(form.cleaned_data)
        except self.refusals as exc:
            self.refused(form, exc)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return self.performed(result)


class ScopedActionView(OrganisationPermissionMixin, View):
    """A POST that calls one service (``act``) and redirects to ``get_redirect_url``; ``act`` may return its
    own response instead. A refusal (``refusals``) becomes error messages on the page redirected to."""

    http_method_names = ["post"]
    success_message: str | None = None
    refusals: tuple[type[Exception], ...] = (ValidationError,)

    def act(self, request, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define act().")

    def get_redirect_url(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} must define get_redirect_url().")

    def post(self, request, *args, **kwargs):
        try:
            response = self.act(request, *args, **kwargs)
        except self.refusals as exc:
            show_errors(request, exc)
            response = None
        else:
            if self.success_message:
                messages.success(request, self.success_message)
        return response or redirect(self.get_redirect_url())


def attachment(body, content_type: str, filename: str) -> HttpResponse:
    """``body`` as a file to save under ``filename`` (a name the view builds; it is not escaped here)."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ScopedDownloadView(OrganisationPermissionMixin, View):
    """A file to download: a GET calls ``download``, which returns the response (``attachment``, or a
    ``FileResponse`` for a file on disk) and audits the export as that download always has. A signed-in
    user's file holds sensitive data, so it is never cached (``no-store``, as every signed-in page)."""

    def download(self, request, *args, **kwargs) -> HttpResponse:
        raise NotImplementedError(f"{type(self).__name__} must define download().")

    def get(self, request, *args, **kwargs):
        response = self.download(request, *args, **kwargs)
        response.setdefault("Cache-Control", "no-store")
        return response


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


class TaskCancelView(ScopedActionView):
    permission_required = "core.change_task"
    queryset_action = "change"

    def act(self, request, pk):
        request_cancel(self.scoped_object(Task, pk=pk))

    def get_redirect_url(self) -> str:
        return reverse("core:task", kwargs={"pk": self.kwargs["pk"]})
