"""Dashboards and downloads: every figure protected (k-suppression or DP within the budget)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

K = 11


def _counts(text: str) -> list[str]:
    """The count cells of a chart CSV (percent columns excluded)."""
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], [r for r in rows[1:] if r and not r[0].startswith("#")]
    n = (len(header) - 1) // 2
    return [value for row in body for value in row[1 : 1 + n]]


def test_sections_render_protected_charts(officer_client, loaded):
    for section in ("scale", "patterns", "trends"):
        page = officer_client.get(reverse("insights:dashboard", args=[section]))
        assert page.status_code == 200
        body = page.content.decode()
        assert "<svg" in body and "style=" not in body.split("<main", 1)[1]
    scale = officer_client.get(reverse("insights:dashboard", args=["scale"])).content.decode()
    assert "suppressed" in scale, "the 3 adult men of 2022 and the 5 boys of 2023 are below k"


@pytest.mark.parametrize("slug", ["by_year", "trends", "means", "recruiter", "flows"])
def test_no_downloaded_count_under_k(officer_client, loaded, slug):
    response = officer_client.get(reverse("insights:chart_download", args=[slug, "csv"]))
    assert response.status_code == 200
    for value in _counts(response.content.decode()):
        if value in ("suppressed", "") or "." in value:
            continue
        assert int(value) == 0 or int(value) >= K, (slug, value)


def test_filters_slice_the_same_protected_table(officer_client, loaded):
    from threadline.insights.models import ProtectedFigures

    officer_client.get(reverse("insights:dashboard", args=["scale"]))
    before = ProtectedFigures.objects.count()
    page = officer_client.get(reverse("insights:dashboard", args=["scale"]) + "?gender=Male&year=2022")
    assert page.status_code == 200
    assert ProtectedFigures.objects.count() == before, "a filter never creates a new table"


def test_downloads_in_every_format(officer_client, loaded):
    from openpyxl import load_workbook

    from threadline.audit.models import AuditEntry

    svg = officer_client.get(reverse("insights:chart_download", args=["by_year", "svg"]))
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<svg")
    png = officer_client.get(reverse("insights:chart_download", args=["by_year", "png"]))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    xlsx = officer_client.get(reverse("insights:chart_download", args=["exploitation", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "Exploitation by gender and age"
    pdf = officer_client.get(reverse("insights:section_report", args=["scale", "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    book = officer_client.get(reverse("insights:section_report", args=["patterns", "xlsx"]))
    assert len(load_workbook(io.BytesIO(book.content)).sheetnames) == 4
    assert AuditEntry.objects.filter(action="export", object_type="insights.dashboard").count() == 5


def test_png_chart_draws_bars_suppressed_outlines_and_arabic_labels():
    from PIL import Image

    from threadline.core.charts import MUTED, PALETTE, WIDTH, render_png
    from threadline.insights.dashboards import ChartData, Point

    rows = [("2022", [Point(120.0), Point(None)]), ("نيجيريا", [Point(40.0, 5.0), Point(15.0)])]
    data = ChartData("by_year", "Victims", "", ["Children", "Adults"], rows, chart_columns=[0, 1])
    image = Image.open(io.BytesIO(render_png(data))).convert("RGB")
    assert image.width == 2 * WIDTH
    colours = {f"#{r:02x}{g:02x}{b:02x}" for _n, (r, g, b) in image.getcolors(maxcolors=1 << 16)}
    assert PALETTE[0] in colours and PALETTE[1] in colours, "both series are drawn"
    assert MUTED in colours, "the suppressed figure is drawn as a dashed outline"


def test_dp_dashboard_states_accuracy_and_charges_once(officer_client, loaded, org):
    from threadline.insights.protection import budget_status

    url = reverse("insights:dashboard", args=["scale"]) + "?method=dp"
    page = officer_client.get(url).content.decode()
    assert "±" in page and "Privacy budget of this dataset" in page
    spent = budget_status(org)["spent"]
    assert 0 < spent <= 2 * 0.5 + 1e-9  # two charts, each 0.5
    officer_client.get(url)
    officer_client.get(url + "&year=2023")
    assert budget_status(org)["spent"] == spent, "re-shown as drawn: no new charge"


def test_dp_dashboard_refuses_when_the_budget_is_spent(officer_client, loaded, org):
    from threadline.insights.protection import budget_status
    from threadline.insights.stores import budget_ledger, dataset_id

    total = budget_status(org)["total"]
    budget_ledger(org).charge(dataset_id(org), total - 0.1, "spent elsewhere")
    page = officer_client.get(reverse("insights:dashboard", args=["patterns"]) + "?method=dp").content.decode()
    assert "Refused: the privacy budget of this dataset would be exceeded" in page
    status = budget_status(org)
    assert status["spent"] <= status["total"] + 1e-9


def test_empty_store_shows_no_figures(officer_client):
    page = officer_client.get(reverse("insights:dashboard", args=["scale"]))
    assert b"No data yet" in page.content


def test_unknown_section_and_format(officer_client):
    assert officer_client.get(reverse("insights:dashboard", args=["nope"])).status_code == 404
    assert officer_client.get(reverse("insights:chart_download", args=["by_year", "exe"])).status_code == 404


def test_home_offers_insights_to_data_officers_only(officer_client, org, make_user, signed_in, client):
    assert b"/insights/" in officer_client.get("/").content
    caseworker = make_user(org, "caseworker")
    client.logout()
    assert b"/insights/" not in signed_in(caseworker, org).get("/").content


def test_dp_download_carries_the_accuracy(officer_client, loaded):
    response = officer_client.get(reverse("insights:chart_download", args=["by_year", "csv"]) + "?method=dp")
    header = response.content.decode().splitlines()[0]
    assert "(accuracy)" in header
    body = response.content.decode().splitlines()[1]
    assert body.split(",")[-1] not in ("", None)


def test_new_data_gives_new_tables_and_drops_the_old(officer_client, loaded, org, officer):
    from tests.insights.conftest import csv_upload, plan_rows
    from threadline.insights import services
    from threadline.insights.models import ProtectedFigures

    officer_client.get(reverse("insights:dashboard", args=["trends"]))
    old_keys = set(ProtectedFigures.objects.values_list("key", flat=True))
    rows = [[f"n{i}", *row[1:]] for i, row in enumerate(plan_rows())]
    job = services.import_upload(
        organisation=org, user=officer, uploaded_file=csv_upload(rows), fmt="htcds", source="b"
    )
    services.import_start(job=services.import_set_mapping(job=job, mapping=job.mapping), user=officer)
    page = officer_client.get(reverse("insights:dashboard", args=["trends"])).content.decode()
    assert "<td>88</td>" in page, "children of 2022 counted in both batches (no linkage: 2 x 44)"
    new_keys = set(ProtectedFigures.objects.values_list("key", flat=True))
    assert new_keys and not (new_keys & old_keys)


def test_dashboards_and_releases_together_never_reveal_a_suppressed_cell(officer_client, loaded, org):
    """The attacker holds every dashboard table (all sections, as downloaded) and every release of the same
    data, and solves for each hidden figure by linear programming."""
    from tests.insights.conftest import assert_attacker_learns_nothing
    from threadline.engines.disclosure import crosstab
    from threadline.insights.models import ProtectedFigures, Release
    from threadline.insights.protection import Figures, records, release_fields

    for section in ("scale", "patterns", "trends"):
        assert officer_client.get(reverse("insights:dashboard", args=[section])).status_code == 200
    for fields in (["yearOfRegistration", "gender"], ["majorityStatus", "isSexualExploit"]):
        data = {"title": "r", "group_by": fields, "method": "suppression", "k": K}
        assert officer_client.post(reverse("insights:releases"), data).status_code == 302
    tables = [Figures.from_payload(f.payload) for f in ProtectedFigures.objects.filter(organisation=org)]
    tables = [t for t in tables if not t.refused]
    assert len(tables) >= 20
    tables += [Figures.from_payload(r.table) for r in Release.objects.filter(organisation=org)]
    assert_attacker_learns_nothing(
        tables,
        lambda t: crosstab(records(org, t.by), t.by, categories=t.categories, allowed=release_fields()).with_margins(),
        K,
    )


def test_dashboards_are_recorded_once_per_version_in_the_release_ledger(officer_client, loaded, org):
    from threadline.insights.dashboards import suppressed_specs
    from threadline.insights.stores import release_ledger

    officer_client.get(reverse("insights:dashboard", args=["scale"]))
    officer_client.get(reverse("insights:dashboard", args=["patterns"]))
    entries = release_ledger(org).load()["releases"]
    assert len(entries) == len(suppressed_specs()) - sum(1 for e in entries if e.get("kind") != "dashboard")
    assert {e.get("kind") for e in entries} == {"dashboard"}
    flows = next(e for e in entries if e["by"] == ["citizenship", "CountryOfExploitation"])
    assert len(flows["categories"]["citizenship"]) <= 13, "at most 12 countries and Other"


def test_a_set_that_cannot_be_protected_shows_refusals_not_figures(officer_client, loaded, monkeypatch):
    from threadline.engines import disclosure

    def refuse(*args, **kwargs):
        raise disclosure.ReleaseRefused("suppression did not converge")

    monkeypatch.setattr(disclosure, "suppress_jointly", refuse)
    page = officer_client.get(reverse("insights:dashboard", args=["scale"]))
    assert page.status_code == 200
    assert "These figures cannot be shown without revealing a suppressed cell." in page.content.decode()


def test_dp_exploitation_chart_includes_forced_criminality(officer_client, loaded):
    response = officer_client.get(reverse("insights:chart_download", args=["exploitation", "csv"]) + "?method=dp")
    header = response.content.decode().splitlines()[0]
    assert "Forced criminality" in header and "Sexual exploitation" in header


def test_the_worker_records_dashboards_after_a_linkage_not_after_each_import(org, officer, monkeypatch, tmp_path):
    """A version nobody looks at is not recorded: later versions would be difference-suppressed against it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from threadline.core.tasks import run_worker
    from threadline.engines.insights import generate, write_agency_files
    from threadline.insights import services
    from threadline.insights.stores import release_ledger

    monkeypatch.setattr(services.imports, "INLINE_MAX_BYTES", 0)  # everything goes through the worker
    for path in write_agency_files(generate(300, agencies=2, seed=3), tmp_path / "files"):
        if not path.name.startswith("agency"):
            continue
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        job = services.import_upload(
            organisation=org, user=officer, uploaded_file=upload, fmt="htcds", source=path.stem
        )
        services.import_start(job=services.import_set_mapping(job=job, mapping=job.mapping), user=officer)
        assert run_worker(once=True) == 1
    assert not release_ledger(org).load()["releases"], "imports record nothing"
    run = services.linkage_start(organisation=org, user=officer)
    assert run_worker(once=True) == 1
    run.refresh_from_db()
    assert run.task.status == "succeeded", run.task.error
    assert {e.get("kind") for e in release_ledger(org).load()["releases"]} == {"dashboard"}
