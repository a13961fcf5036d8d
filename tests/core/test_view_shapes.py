"""The download shape of ``core.views`` and the form shape's ``refused`` hook (issue #17)."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from threadline.core.views import ScopedDownloadView, ScopedFormView, attachment

pytestmark = pytest.mark.django_db


class _Sheet(ScopedDownloadView):
    permission_required = "prevention.summarise_programmeplan"

    def download(self, request, name):
        return attachment("a,b\r\n", "text/csv; charset=utf-8", f"{name}.csv")


def _get(user, org, view, **kwargs):
    request = RequestFactory().get("/sheet")
    request.user, request.organisation = user, org
    return view.as_view()(request, **kwargs)


def test_a_download_is_an_attachment_that_is_never_cached(org, make_user):
    response = _get(make_user(org, "data_officer"), org, _Sheet, name="figures")
    assert response.content == b"a,b\r\n"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="figures.csv"'
    assert response["Cache-Control"] == "no-store"


def test_a_download_needs_its_permission(org, make_user):
    with pytest.raises(PermissionDenied):
        _get(make_user(org, "caseworker"), org, _Sheet, name="figures")


def test_a_download_without_download_says_so(org, make_user):
    class Nothing(ScopedDownloadView):
        permission_required = "prevention.summarise_programmeplan"

    with pytest.raises(NotImplementedError, match="Nothing must define download"):
        _get(make_user(org, "data_officer"), org, Nothing)


class _NameForm(forms.Form):
    name = forms.CharField()


class _Refusing(ScopedFormView):
    permission_required = "prevention.summarise_programmeplan"
    form_class = _NameForm
    template_name = "core/home.html"

    def perform(self, data):
        raise ValidationError({"name": "Taken."})

    def refused(self, form, exc):
        self.seen = exc
        super().refused(form, exc)

    def form_invalid(self, form):
        self.errors = form.errors
        return super().form_invalid(form)


def test_a_refusal_goes_through_refused_onto_the_form(org, make_user):
    request = RequestFactory().post("/", {"name": "x"})
    request.user, request.organisation = make_user(org, "data_officer"), org
    view = _Refusing()
    view.setup(request)
    view.dispatch(request)
    assert isinstance(view.seen, ValidationError)
    assert view.errors["name"] == ["Taken."]
