"""API of what was page-only in the online area: adding inputs, starting and following a scan, evidence packages."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.online import helpers
from threadline.core.tasks import run_worker
from threadline.online.models import CustodyEvent, EvidencePackage, Scan, SourceFile

pytestmark = pytest.mark.django_db
API = "/api/v1/online"


@pytest.fixture
def api(org, analyst, api_client):
    return api_client(analyst, org)


def _new_investigation(api) -> int:
    return api.post(f"{API}/investigations/", {"title": "Sweep"}, format="json").json()["id"]


def test_inputs_added_through_the_api_are_scanned(api, settings):
    settings.ONLINE_SCAN_WORKERS = 1
    inv = _new_investigation(api)
    upload = SimpleUploadedFile("ads.jsonl", helpers.corpus().read_bytes())
    added = api.post(f"{API}/investigations/{inv}/inputs/", {"file": upload}, format="multipart")
    assert added.status_code == 201, added.content
    assert (
        added.json()["kind"] == "upload"
        and added.json()["sha256"] == hashlib.sha256(helpers.corpus().read_bytes()).hexdigest()
    )
    assert "path" not in added.json()  # where it lies on the server is not shown
    assert [s["id"] for s in api.get(f"{API}/investigations/{inv}/inputs/").json()] == [added.json()["id"]]

    started = api.post(f"{API}/investigations/{inv}/scan/")
    assert started.status_code == 202 and started.json()["status"] == "queued"
    again = api.post(f"{API}/investigations/{inv}/scan/")
    assert again.status_code == 400 and "already running" in again.json()["errors"]["non_field_errors"][0]

    assert run_worker(once=True) == 1
    scan = api.get(f"{API}/scans/{started.json()['id']}/").json()
    assert scan["status"] == "complete" and scan["counts"]["ads"] == helpers.N_ADS
    networks = api.get(f"{API}/investigations/{inv}/networks/?min_ads=2").json()
    assert networks["count"] > 0


def test_server_paths_only_under_the_import_roots(api, settings):
    inv = _new_investigation(api)
    url = f"{API}/investigations/{inv}/inputs/"
    settings.ONLINE_IMPORT_ROOTS = [str(helpers.corpus().parent)]
    refused = api.post(url, {"path": "/etc/passwd"}, format="json")
    assert refused.status_code == 400 and "not under a directory" in refused.json()["errors"]["non_field_errors"][0]
    added = api.post(url, {"path": str(helpers.corpus())}, format="json")
    assert added.status_code == 201 and added.json()["kind"] == "path"
    assert SourceFile.objects.filter(investigation_id=inv).count() == 1


@pytest.mark.parametrize("body", [{}, {"path": "x.jsonl", "file": "ads.jsonl"}])
def test_an_input_is_a_file_or_a_path(api, body):
    inv = _new_investigation(api)
    if "file" in body:
        body = {**body, "file": SimpleUploadedFile("ads.jsonl", b"{}\n")}
    response = api.post(f"{API}/investigations/{inv}/inputs/", body, format="multipart")
    assert response.status_code == 400 and response.json()["errors"]["non_field_errors"]
    assert not SourceFile.objects.filter(investigation_id=inv).exists()


def test_a_scan_needs_inputs(api):
    inv = _new_investigation(api)
    response = api.post(f"{API}/investigations/{inv}/scan/")
    assert response.status_code == 400 and not Scan.objects.filter(investigation_id=inv).exists()


def test_evidence_package_is_created_and_downloaded_with_its_custody(api, investigation, top):
    from threadline.online.packages import package_verify

    created = api.post(
        f"{API}/packages/", {"investigation": investigation.pk, "network_id": top["network_id"]}, format="json"
    )
    assert created.status_code == 201, created.content
    package = EvidencePackage.objects.get(pk=created.json()["id"])
    assert api.get(f"{API}/packages/{package.pk}/").json()["sha256"] == package.sha256

    download = api.get(f"{API}/packages/{package.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    raw = b"".join(download.streaming_content)
    assert hashlib.sha256(raw).hexdigest() == package.sha256
    assert package_verify(io.BytesIO(raw)).ok
    actions = list(CustodyEvent.objects.filter(package=package).order_by("at", "id").values_list("action", flat=True))
    assert actions == ["created", "viewed", "exported"]


def test_a_package_of_an_unknown_network_is_404(api, investigation):
    response = api.post(f"{API}/packages/", {"investigation": investigation.pk, "network_id": "Nnope"}, format="json")
    assert response.status_code == 404 and not EvidencePackage.objects.exists()


def test_another_organisations_investigation_cannot_be_packaged(api, other_org, make_user, top):
    stranger = make_user(other_org, "online_analyst")
    theirs = helpers.make_investigation(other_org, stranger)
    response = api.post(f"{API}/packages/", {"investigation": theirs.pk, "network_id": top["network_id"]},
                        format="json")  # fmt: skip
    assert response.status_code == 400 and "investigation" in response.json()["errors"]
