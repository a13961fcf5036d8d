"""Meta-test: every writable related-object field of the API is restricted by permission, never a bare queryset."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from rest_framework import relations, serializers

import threadline
from threadline.cases.api.serializers import PartnerCandidateField, ReferralPartnerField
from threadline.core.api.fields import RestrictedRelatedField

# Fields that name another organisation's object on purpose, each restricted in its own way.
VETTED = (RestrictedRelatedField, ReferralPartnerField, PartnerCandidateField)


def _api_serializers():
    for info in pkgutil.walk_packages(threadline.__path__, "threadline."):
        if "engines" in info.name or not (".api" in info.name or info.name.endswith("api")):
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, serializers.BaseSerializer) and cls.__module__ == module.__name__:
                yield cls


def test_writable_relations_are_restricted():
    found, loose = 0, []
    for cls in _api_serializers():
        for name, field in cls().get_fields().items():
            if isinstance(field, relations.ManyRelatedField):
                field = field.child_relation
            if isinstance(field, relations.RelatedField) and not field.read_only:
                found += 1
                if not isinstance(field, VETTED):
                    loose.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert found >= 7
    assert not loose, f"writable relations without a restricted queryset: {loose}"
