"""Issue #19 item 1: a file encoded with another linkage key is refused at validation, an import can be
withdrawn (web and CLI, audited), and figures over records the last linkage did not cover say so."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.insights.conftest import HEADER, csv_upload, plan_rows
from threadline.audit.models import AuditEntry
from threadline.insights import selectors, services
from threadline.insights.models import ImportJob
from threadline.insights.stores import store_for

pytestmark = pytest.mark.django_db

OUR_KEY, THEIR_KEY = "a1" * 8, "b2" * 8


def _encoded_rows(key, first=1, n=None):
    rows = plan_rows()[: n or None]
    return [[f"{key[:2]}{i:05d}", *row[1:], key] for i, row in enumerate(rows, start=first)]


def _import(org, user, rows, source, *, start=True):
    job = services.import_upload(
        organisation=org,
        user=user,
        uploaded_file=csv_upload(rows, header=[*HEADER, "enc_key_id"], name=f"{source}.csv"),
        fmt="htcds",
        source=source,
    )
    job = services.import_set_mapping(job=job, mapping=job.mapping)
    if start and job.status == ImportJob.Status.VALID:
        services.import_start(job=job, user=user)
        job.refresh_from_db()
    return job


def test_a_file_under_another_linkage_key_is_refused_with_a_plain_reason(org, officer, officer_client):
    ours = _import(org, officer, _encoded_rows(OUR_KEY), "partner-a")
    assert ours.status == ImportJob.Status.IMPORTED and ours.mapping["enc_key_id"] == "enc_key_id"

    theirs = _import(org, officer, _encoded_rows(THEIR_KEY), "partner-b")

    assert theirs.status == ImportJob.Status.INVALID
    (issue,) = theirs.report["issues"]
    assert (issue["file"], issue["row"], issue["column"]) == ("partner-b.csv", 2, "enc_key_id")
    assert "different linkage key" in issue["reason"] and THEIR_KEY in issue["reason"] and OUR_KEY in issue["reason"]
    page = officer_client.get(reverse("insights:import_detail", args=[theirs.pk])).content.decode()
    assert "different linkage key" in page and "no problems found" not in page
    with pytest.raises(ValidationError):
        services.import_start(job=theirs, user=officer)
    assert _import(org, officer, _encoded_rows(OUR_KEY, first=500), "partner-c").status == ImportJob.Status.IMPORTED


def test_a_file_mixing_two_keys_is_refused_at_the_row_where_the_second_appears(org, officer):
    rows = _encoded_rows(OUR_KEY, n=5) + _encoded_rows(THEIR_KEY, first=6, n=3)
    job = _import(org, officer, rows, "mixed", start=False)
    assert job.status == ImportJob.Status.INVALID
    assert job.report["issues"][0]["row"] == 7 and "2 different linkage keys" in job.report["issues"][0]["reason"]


def test_an_import_is_withdrawn_from_the_web_page_and_audited(org, officer, officer_client, loaded):
    page = officer_client.get(reverse("insights:import_detail", args=[loaded.pk])).content.decode()
    assert 'id="withdraw-import"' in page
    response = officer_client.post(reverse("insights:import_withdraw", args=[loaded.pk]))
    assert response.status_code == 302
    loaded.refresh_from_db()
    assert loaded.status == ImportJob.Status.WITHDRAWN
    assert store_for(org).batch_files() == [] and selectors.store_overview(organisation=org)["records"] == 0
    entry = AuditEntry.objects.get(object_type="insights.importbatch", action="delete")
    assert entry.actor_id == officer.pk and entry.object_id == loaded.batch_id
    with pytest.raises(ValidationError):
        services.import_withdraw(job=loaded, user=officer)


def test_an_import_is_withdrawn_from_the_command_line(org, officer, loaded):
    from typer.testing import CliRunner

    from threadline.cli import app

    runner = CliRunner()
    refused = runner.invoke(app, ["insights", "withdraw", str(loaded.pk), "--by", "nobody@example.org"])
    assert refused.exit_code == 2 and store_for(org).batch_files()
    result = runner.invoke(app, ["insights", "withdraw", str(loaded.pk), "--by", officer.email])
    assert result.exit_code == 0, result.output
    loaded.refresh_from_db()
    assert loaded.status == ImportJob.Status.WITHDRAWN and not store_for(org).batch_files()
    assert AuditEntry.objects.filter(object_type="insights.importbatch", actor_id=officer.pk).exists()


def _link_everything(org):
    """Stand in for a linkage run: every record of the store is its own cluster, written now."""
    from threadline.engines.insights.store import records_table

    ids = records_table(store_for(org), ["record_id"]).column("record_id")
    store = store_for(org).ensure()
    pq.write_table(pa.table({"record_id": ids, "cluster_id": ids}), store.clusters_path)


def test_figures_over_records_the_last_linkage_missed_are_published_only_with_a_note(
    org, officer, officer_client, client
):
    _import(org, officer, _encoded_rows(OUR_KEY), "partner-a")
    _link_everything(org)
    assert selectors.linkage_coverage(organisation=org).complete
    late = _import(org, officer, _encoded_rows(OUR_KEY, first=500, n=40), "partner-b")
    coverage = selectors.linkage_coverage(organisation=org)
    assert coverage.uncovered_records == 40 and [b["batch_id"] for b in coverage.uncovered_batches] == [late.batch_id]
    index = officer_client.get(reverse("insights:index")).content.decode()
    assert 'id="unlinked-warning"' in index

    release = services.release_create(
        organisation=org, user=officer, title="By gender", fields=["gender"], method="suppression", k=11
    )
    assert release.table["coverage"] == {"records": coverage.records, "unlinked": 40}
    with pytest.raises(ValidationError, match="not covered by the last linkage"):
        services.release_publish(release=release, published=True)
    officer_client.post(reverse("insights:release_publish", args=[release.pk]), {"publish": "1"})
    release.refresh_from_db()
    assert not release.published
    officer_client.post(
        reverse("insights:release_publish", args=[release.pk]), {"publish": "1", "unlinked_acknowledged": "1"}
    )
    release.refresh_from_db()
    assert release.published
    public = client.get(reverse("insights:public")).content.decode()
    assert "were not covered by record linkage" in public


def test_records_without_encodings_need_no_linkage(org, loaded):
    assert selectors.linkage_coverage(organisation=org).complete
