"""Scanning as a background task: inputs, progress, cancellation, and reviews kept across re-scans."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.online import helpers
from threadline.core.models import Task
from threadline.core.tasks import request_cancel, run_worker
from threadline.engines.online import workspace as ws_mod
from threadline.online import selectors, services
from threadline.online.models import NetworkReview, Scan

pytestmark = pytest.mark.django_db


def _upload(investigation, user, path: Path):
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return services.source_upload(investigation=investigation, user=user, uploaded=upload)


def test_scan_runs_in_the_worker_and_carries_reviews_to_the_next_scan(org, analyst, tmp_path, settings):
    settings.ONLINE_SCAN_WORKERS = 1
    inv = services.investigation_create(organisation=org, user=analyst, title="Sweep")
    source = _upload(inv, analyst, helpers.corpus())
    assert Path(source.path).is_relative_to(services.investigation_dir(inv)) and len(source.sha256) == 64

    scan = services.scan_start(investigation=inv, user=analyst)
    with pytest.raises(ValidationError):
        services.scan_start(investigation=inv, user=analyst)  # one scan at a time
    assert run_worker(once=True) == 1
    scan.refresh_from_db()
    inv.refresh_from_db()
    assert scan.status == Scan.Status.COMPLETE and inv.current_scan == scan
    assert scan.task.progress["records"] == helpers.N_ADS and scan.task.progress["rejects"] == 0
    assert Path(scan.workspace).is_relative_to(services.data_root() / str(org.pk) / str(inv.pk))

    ws = selectors.investigation_workspace(inv)
    rows, _ = ws_mod.network_page(ws, ws_mod.NetworkFilter(min_ads=2), offset=0, limit=3)
    anchor = ws_mod.network_ads(ws, rows[0]["network_id"], limit=1)[0]["ad_id"]
    services.network_label(investigation=inv, network_id=rows[0]["network_id"], label="likely_trafficking",
                           user=analyst, anchor_ad_id=anchor)  # fmt: skip
    services.ad_label(investigation=inv, ad_id=anchor, network_id=rows[0]["network_id"], label="possible_minor",
                      user=analyst)  # fmt: skip

    from threadline.engines.online.synth import write_corpus

    more, _ = write_corpus(60, 99, tmp_path / "more.jsonl")
    _upload(inv, analyst, more)
    second = services.scan_start(investigation=inv, user=analyst)
    run_worker(once=True)
    second.refresh_from_db()
    inv.refresh_from_db()
    assert second.status == Scan.Status.COMPLETE and inv.current_scan == second
    assert second.summary["counts"]["read"] == helpers.N_ADS + 60
    new_ws = selectors.investigation_workspace(inv)
    review = NetworkReview.objects.get(investigation=inv)
    assert ws_mod.network_get(new_ws, review.network_id) is not None  # still attached to a network that exists
    assert anchor in {a["ad_id"] for a in ws_mod.network_ads(new_ws, review.network_id)}
    include, _ = selectors.review_filter_ids(investigation=inv, status="likely_trafficking", user=analyst)
    listed, total = ws_mod.network_page(new_ws, ws_mod.NetworkFilter(include_ids=include), offset=0, limit=5)
    assert total == 1 and listed[0]["network_id"] == review.network_id


def test_reviews_follow_their_anchor_ad_when_a_network_id_changes(org, analyst, investigation, ws, top):
    anchor = ws_mod.network_ads(ws, top["network_id"], limit=1)[0]["ad_id"]
    review = services.network_label(investigation=investigation, network_id="N0000000000000000", label="needs_info",
                                    user=analyst, anchor_ad_id=anchor)  # fmt: skip
    services.note_add(investigation=investigation, network_id="N0000000000000000", text="first look", user=analyst)
    assert services.reviews_carry_over(investigation=investigation, workspace=ws) == 1
    review.refresh_from_db()
    assert review.network_id == top["network_id"]
    assert investigation.notes.get().network_id == top["network_id"]


def test_a_cancelled_scan_stops(org, analyst):
    inv = services.investigation_create(organisation=org, user=analyst, title="Sweep")
    _upload(inv, analyst, helpers.corpus())
    scan = services.scan_start(investigation=inv, user=analyst)
    services.scan_cancel(scan=scan)
    scan.refresh_from_db()
    assert scan.status == Scan.Status.CANCELLED
    assert Task.objects.get(pk=scan.task_id).status == Task.Status.CANCELLED
    assert run_worker(once=True) == 0


def test_cancel_while_running_marks_the_scan_cancelled(org, analyst, monkeypatch):
    inv = services.investigation_create(organisation=org, user=analyst, title="Sweep")
    _upload(inv, analyst, helpers.corpus())
    scan = services.scan_start(investigation=inv, user=analyst)
    from threadline.core import tasks

    record = tasks.claim_next("test")
    request_cancel(record)
    tasks.run_task(record)
    scan.refresh_from_db()
    assert scan.status == Scan.Status.CANCELLED
    assert Task.objects.get(pk=record.pk).status == Task.Status.CANCELLED


def test_server_paths_only_under_allowed_roots(org, analyst, tmp_path, settings):
    inv = services.investigation_create(organisation=org, user=analyst, title="Sweep")
    settings.ONLINE_IMPORT_ROOTS = []
    with pytest.raises(ValidationError):
        services.source_add_path(investigation=inv, user=analyst, path=str(helpers.corpus()))
    settings.ONLINE_IMPORT_ROOTS = [str(helpers.corpus().parent)]
    added = services.source_add_path(investigation=inv, user=analyst, path=str(helpers.corpus()))
    assert added.kind == "path" and added.sha256
    for outside in ("/etc/passwd", str(helpers.corpus().parent / ".." / ".." / "x.jsonl")):
        with pytest.raises(ValidationError):
            services.source_add_path(investigation=inv, user=analyst, path=outside)


def test_uploads_refuse_unknown_formats(org, analyst):
    inv = services.investigation_create(organisation=org, user=analyst, title="Sweep")
    with pytest.raises(ValidationError):
        services.source_upload(investigation=inv, user=analyst, uploaded=SimpleUploadedFile("x.exe", b"MZ"))


def test_a_scan_of_unreadable_inputs_says_what_is_expected(org, analyst, signed_in, tmp_path):
    from django.urls import reverse

    bad = tmp_path / "ads.csv"
    bad.write_text("a,b\n1,2\n")
    inv = services.investigation_create(organisation=org, user=analyst, title="Sweep")
    _upload(inv, analyst, bad)
    scan = services.scan_start(investigation=inv, user=analyst)
    assert run_worker(once=True) == 1
    scan.refresh_from_db()
    assert scan.status == Scan.Status.FAILED and scan.summary == {"error": services.SCAN_ERROR_INPUTS}
    assert "1,2" not in scan.task.error, "the error never quotes the file"
    client = signed_in(analyst, org)
    page = client.get(reverse("online:scan", args=[scan.pk])).content.decode()
    assert "a table needs an id column and a body or title column" in page
