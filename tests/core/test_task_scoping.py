"""Background tasks are their owner's (or a supervising role's, within its areas), and cancelling one leaves
the scan or import it belongs to consistent (issue #18 item 4)."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.online import helpers
from threadline.core import tasks
from threadline.core.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dirs(settings, tmp_path):
    settings.ONLINE_DATA_DIR = str(tmp_path / "online")
    settings.INSIGHTS_STORE_ROOT = str(tmp_path / "insights")


def test_tasks_are_seen_only_by_their_owner_or_a_supervising_role_of_the_area(org, other_org, make_user):
    people = {role: make_user(org, role) for role in ("online_analyst", "caseworker", "supervisor", "administrator")}
    other_analyst = make_user(org, "online_analyst")
    officer, other_officer = make_user(org, "data_officer"), make_user(org, "data_officer")
    scan = tasks.enqueue("online.scan", organisation=org, user=people["online_analyst"], payload={"scan": "x"})
    imp = tasks.enqueue("insights.import", organisation=org, user=officer, payload={"job": str(uuid.uuid4())})
    tasks.enqueue("online.scan", organisation=other_org, user=people["online_analyst"], payload={"scan": "y"})
    tasks.enqueue("audit.verify_chain", organisation=org)  # a system task: nobody's to see

    def seen(user, action="view"):
        return set(Task.objects.restrict(user, action, org))

    assert seen(people["online_analyst"]) == {scan} == seen(people["online_analyst"], "change")
    assert seen(other_analyst) == set()  # a colleague's scan
    assert seen(people["caseworker"]) == set()  # no online permission at all
    assert seen(people["supervisor"]) == set()  # supervises tasks, but not online work
    assert seen(officer) == {imp} and seen(other_officer) == set()
    assert seen(people["administrator"]) == {imp} == seen(people["administrator"], "change")  # supervises imports


def test_a_caseworker_cannot_cancel_an_analysts_scan(org, make_user, signed_in):
    analyst = make_user(org, "online_analyst")
    record = tasks.enqueue("online.scan", organisation=org, user=analyst, payload={"scan": "x"})
    client = signed_in(make_user(org, "caseworker"), org)
    assert client.post(reverse("core:task_cancel", args=[record.pk])).status_code == 404
    assert client.get(reverse("core:task", args=[record.pk])).status_code == 404
    assert str(record.pk) not in client.get(reverse("core:tasks")).content.decode()
    record.refresh_from_db()
    assert record.status == Task.Status.QUEUED and not record.cancel_requested


def _queued_scan(org, analyst):
    from threadline.online import services

    inv = services.investigation_create(organisation=org, user=analyst, title="Sweep")
    path = helpers.corpus()
    services.source_upload(investigation=inv, user=analyst, uploaded=SimpleUploadedFile(path.name, path.read_bytes()))
    return inv, services.scan_start(investigation=inv, user=analyst)


def test_cancelling_a_queued_scan_from_the_tasks_page_lets_a_rescan_start(org, make_user, signed_in):
    from threadline.online import services
    from threadline.online.models import Scan

    analyst = make_user(org, "online_analyst")
    inv, scan = _queued_scan(org, analyst)
    response = signed_in(analyst, org).post(reverse("core:task_cancel", args=[scan.task_id]))
    assert response.status_code == 302
    scan.refresh_from_db()
    assert scan.status == Scan.Status.CANCELLED and scan.task.status == Task.Status.CANCELLED
    again = services.scan_start(investigation=inv, user=analyst)  # no "a scan is already running"
    assert again.status == Scan.Status.QUEUED


@pytest.mark.parametrize(("raised", "expected"), [(tasks.TaskCancelled, "cancelled"), (OSError, "failed")])
def test_a_scan_task_that_ends_early_settles_its_scan(org, make_user, monkeypatch, raised, expected):
    from threadline.online import services

    def ends_early(**kwargs):
        raise raised

    analyst = make_user(org, "online_analyst")
    inv, scan = _queued_scan(org, analyst)
    monkeypatch.setattr(services, "scan_run", ends_early)
    tasks.run_worker(once=True)
    scan.refresh_from_db()
    assert scan.status == expected and scan.task.status == expected
    services.scan_start(investigation=inv, user=analyst)


def test_a_scan_given_up_after_its_worker_died_too_often_settles(org, make_user):
    from datetime import timedelta

    from django.utils import timezone

    analyst = make_user(org, "online_analyst")
    _inv, scan = _queued_scan(org, analyst)
    Task.objects.filter(pk=scan.task_id).update(
        status=Task.Status.RUNNING, attempts=tasks.MAX_ATTEMPTS, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    tasks._requeue_stale(timezone.now())
    scan.refresh_from_db()
    assert scan.status == "failed" and scan.task.status == Task.Status.FAILED


def test_cancelling_a_queued_import_makes_it_ready_to_import_again(org, make_user, signed_in, monkeypatch):
    from tests.insights.conftest import csv_upload, plan_rows
    from threadline.insights import services

    officer = make_user(org, "data_officer")
    monkeypatch.setattr(services.imports, "INLINE_MAX_BYTES", 10)  # left to the worker
    job = services.import_upload(
        organisation=org, user=officer, uploaded_file=csv_upload(plan_rows()), fmt="htcds", source="partner"
    )
    job = services.import_set_mapping(job=job, mapping=job.mapping)
    record = services.import_start(job=job, user=officer)
    signed_in(make_user(org, "administrator"), org).post(reverse("core:task_cancel", args=[record.pk]))
    job.refresh_from_db()
    assert job.status == "valid"
    services.import_start(job=job, user=officer)
    job.refresh_from_db()
    assert job.status == "importing"


def test_a_scan_stuck_by_a_task_cancelled_before_this_fix_does_not_block_a_rescan(org, make_user):
    from threadline.online import services
    from threadline.online.models import Scan

    analyst = make_user(org, "online_analyst")
    inv, scan = _queued_scan(org, analyst)
    Task.objects.filter(pk=scan.task_id).update(status=Task.Status.CANCELLED)  # what the old cancel left
    again = services.scan_start(investigation=inv, user=analyst)
    scan.refresh_from_db()
    assert scan.status == Scan.Status.CANCELLED and again.status == Scan.Status.QUEUED
