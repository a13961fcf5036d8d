"""Demo data: three made-up partner agencies' files for Harbour, imported, linked, and one public release.

The records come from the insights engine's seeded generator, calibrated to the UNODC Global Report 2024
shares (children 38 %: girls 22 %, boys 16 %; women 39 %, men 23 %), with planted duplicates across
agencies so that linkage has something to find. Nobody in this data exists.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from threadline.synth.demo import DemoContext, demo_loader

DEMO_RECORDS = 6000
DEMO_AGENCIES = 3
DEMO_SEED = 2024


@demo_loader(60, "insights: partner files, linkage and a public release")
def load_insights(ctx: DemoContext) -> str | None:
    from threadline.engines.insights import generate, import_file, link, write_agency_files
    from threadline.insights import services
    from threadline.insights.models import ImportFormat, ImportJob, Release
    from threadline.insights.stores import store_for

    org = ctx.organisations.get("harbour")
    if org is None:
        return None
    user = ctx.users.get("harbour:data_officer")
    store = store_for(org)
    if store.batch_files():
        return "insights demo already loaded"
    data = generate(DEMO_RECORDS, agencies=DEMO_AGENCIES, seed=DEMO_SEED)
    with tempfile.TemporaryDirectory() as tmp:
        for path in write_agency_files(data, Path(tmp)):
            if not path.name.startswith("agency"):
                continue
            result = import_file(path, ImportFormat.HTCDS, path.stem, store)
            ImportJob.objects.create(
                organisation=org,
                created_by=user,
                file_name=path.name,
                format=ImportFormat.HTCDS,
                source=path.stem,
                status=ImportJob.Status.IMPORTED if result.stored else ImportJob.Status.FAILED,
                rows=result.rows,
                batch_id=result.batch_id or "",
                report=services.report_dict(result.validation, path.name) if result.validation else {},
            )
        # The generator's ground truth (made-up people) lets the linkage page show pairwise precision/recall/F1.
        report = link(store, truth=Path(tmp) / "truth.csv")
    from threadline.insights.models import LinkageRun

    LinkageRun.objects.create(organisation=org, created_by=user, report=report.to_dict())
    release = services.release_create(
        organisation=org,
        user=user,
        title="Victims by year of registration, children and adults (demo data)",
        fields=["yearOfRegistration", "majorityStatus"],
        method="suppression",
        k=11,
    )
    services.release_publish(release=release, published=True)
    return f"{DEMO_RECORDS} synthetic records, {report.clusters} estimated people, {Release.objects.count()} release"
