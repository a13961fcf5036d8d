"""The audit CSV is safe to open in a spreadsheet (issue #18, item 10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.csv_safety import HOSTILE, assert_spreadsheet_safe
from threadline.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_audit_export_neutralises_formulas(org, make_user, signed_in):
    admin = make_user(org, "administrator")
    audit_record(action="export", object_type="online.investigation", object_id=HOSTILE[2], organisation_id=org.pk)
    response = signed_in(admin, org).get(reverse("audit:export"))
    text = b"".join(response.streaming_content).decode()
    assert_spreadsheet_safe(text, must_contain=(HOSTILE[2],))
