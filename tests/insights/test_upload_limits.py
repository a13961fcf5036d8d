"""Partner uploads are size-limited and an .xlsx decompression bomb is refused as a form error, with nothing
left behind (issue #18, item 9)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from typer.testing import CliRunner

from tests.insights.conftest import HEADER, csv_upload, plan_rows

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def workbook_bomb() -> bytes:
    """A valid workbook with one more member of 20 MB of zeros (about 20 kB compressed)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(HEADER)
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", bytes(20 * MB))
    return buffer.getvalue()


def _nothing_stored(org):
    from threadline.insights.models import ImportJob
    from threadline.insights.stores import uploads_dir

    assert not ImportJob.objects.exists()
    assert not list(uploads_dir(org).iterdir())


def test_xlsx_bomb_is_a_form_error(officer_client, org):
    upload = SimpleUploadedFile("partner.xlsx", workbook_bomb())
    response = officer_client.post(reverse("insights:imports"), {"file": upload, "format": "htcds", "source": "xl"})
    assert response.status_code == 200
    assert b"decompression bomb" in response.content
    _nothing_stored(org)


def test_upload_over_the_limit_is_a_form_error(officer_client, org, settings):
    settings.INSIGHTS_UPLOAD_MAX_BYTES = 1000
    upload = csv_upload(plan_rows())
    response = officer_client.post(reverse("insights:imports"), {"file": upload, "format": "htcds", "source": "p"})
    assert response.status_code == 200
    assert b"the largest file accepted here" in response.content
    _nothing_stored(org)


def test_cli_import_refuses_the_bomb(tmp_path):
    from threadline.cli import app

    (tmp_path / "bomb.xlsx").write_bytes(workbook_bomb())
    args = ["insights", "import", str(tmp_path / "bomb.xlsx"), "--format", "htcds", "--source", "p",
            "--store", str(tmp_path / "store")]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "workbook refused" in result.output and "200:1" in result.output
    assert not (tmp_path / "store" / "batches").exists() or not list((tmp_path / "store" / "batches").iterdir())
