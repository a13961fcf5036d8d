"""Ad uploads are size-limited without storing what goes past the limit; the package verifier refuses a
decompression bomb as a result, not a 500 or gigabytes of memory (issue #18, item 9)."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from threadline.core.uploads import CappedUploadHandler
from threadline.online import packages
from threadline.online.models import SourceFile

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def package_bomb() -> bytes:
    """A package-shaped ZIP whose ads.jsonl unpacks to 60 MB from about 60 kB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("manifest.json", '{"files": [{"name": "ads.jsonl", "sha256": "0"}]}')
        zf.writestr("ads.jsonl", bytes(60 * MB))
    return buffer.getvalue()


def test_verifier_refuses_a_bomb_without_unpacking_it(tmp_path):
    path = tmp_path / "bomb.zip"
    path.write_bytes(package_bomb())
    tracemalloc.start()
    try:
        result = packages.package_verify(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not result.ok and "decompression bomb" in str(result.problems[0])
    assert peak < 8 * MB


def test_verify_page_shows_the_refusal(signed_in, analyst, org):
    upload = SimpleUploadedFile("bomb.zip", package_bomb())
    response = signed_in(analyst, org).post(reverse("online:package_verify"), {"package": upload})
    assert response.status_code == 200
    assert b"decompression bomb" in response.content


def test_verify_page_refuses_an_oversized_file(signed_in, analyst, org, settings):
    settings.ONLINE_UPLOAD_MAX_BYTES = 10_000
    upload = SimpleUploadedFile("big.zip", bytes(20_000))
    response = signed_in(analyst, org).post(reverse("online:package_verify"), {"package": upload})
    assert response.status_code == 200 and b"the largest file accepted here" in response.content
    assert response.context["result"] is None


def test_ad_upload_over_the_limit_is_refused_and_not_stored(signed_in, analyst, org, investigation, settings):
    settings.ONLINE_UPLOAD_MAX_BYTES = settings.INSIGHTS_UPLOAD_MAX_BYTES = 1 * MB
    upload = SimpleUploadedFile("ads.jsonl", b'{"id": "a", "body": "x"}\n' * (3 * MB // 25))
    response = signed_in(analyst, org).post(reverse("online:source_upload", args=[investigation.pk]),
                                            {"file": upload}, follow=True)  # fmt: skip
    assert any("the largest file accepted here" in str(m) for m in response.context["messages"])
    assert not SourceFile.objects.filter(kind=SourceFile.Kind.UPLOAD).exists()


def test_capped_handler_stops_storing_past_the_largest_limit(settings):
    settings.ONLINE_UPLOAD_MAX_BYTES = settings.INSIGHTS_UPLOAD_MAX_BYTES = 1000
    handler = CappedUploadHandler()
    handler.new_file("file", "big.csv", "text/csv", 5000)
    for start in range(0, 5000, 500):
        handler.receive_data_chunk(b"x" * 500, start)
    uploaded = handler.file_complete(5000)
    assert uploaded.size == 1001 and uploaded.sent_size == 5000
    assert len(uploaded.read()) == 1001
    uploaded.close()
