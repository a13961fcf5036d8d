"""Demo: an investigation already scanned from a small synthetic ad corpus, with a few reviews and notices."""

from __future__ import annotations

from datetime import timedelta

from threadline.synth.demo import DemoContext, demo_loader

DEMO_ADS = 2500


@demo_loader(50, "online: synthetic ad corpus scanned into an investigation")
def load_online_demo(ctx: DemoContext) -> str:
    from django.utils import timezone

    from threadline.core.tasks import run_task
    from threadline.engines.online import workspace as ws_mod
    from threadline.engines.online.synth import write_corpus
    from threadline.online import services
    from threadline.online.models import Investigation, Label, NoticeStatus, SourceFile

    org = ctx.organisations["harbour"]
    analyst = ctx.users["harbour:online_analyst"]
    if Investigation.objects.filter(organisation=org).exists():
        return "already loaded"
    inv = services.investigation_create(
        organisation=org,
        user=analyst,
        title="Demo: classifieds sweep (synthetic)",
        description="Synthetic ads from six example sites; every identifier is reserved for fiction.",
    )
    inputs = services.investigation_dir(inv) / "inputs"
    corpus, _truth = write_corpus(DEMO_ADS, ctx.seed, inputs / "synthetic-ads.jsonl")
    SourceFile.objects.create(
        organisation=org, investigation=inv, kind=SourceFile.Kind.UPLOAD, name=corpus.name, path=str(corpus),
        size=corpus.stat().st_size, sha256=services._sha256_file(corpus), added_by=analyst,
    )  # fmt: skip
    scan = services.scan_start(investigation=inv, user=analyst)
    run_task(scan.task)
    inv.refresh_from_db()
    ws = ws_mod.Workspace(services.Path(inv.current_scan.workspace))
    rows, _total = ws_mod.network_page(ws, ws_mod.NetworkFilter(min_ads=2), offset=0, limit=12)
    labels = [Label.LIKELY_TRAFFICKING, Label.POSSIBLE_MINOR, Label.NEEDS_INFO, Label.SPAM_SCAM,
              Label.INDEPENDENT, Label.LIKELY_TRAFFICKING, Label.NOT_RELEVANT]  # fmt: skip
    for row, label in zip(rows, labels, strict=False):
        anchor = ws_mod.network_ads(ws, row["network_id"], limit=1)[0]["ad_id"]
        services.network_label(investigation=inv, network_id=row["network_id"], label=label, user=analyst,
                               anchor_ad_id=anchor, risk_score=row["risk_score"])  # fmt: skip
    now = timezone.now()
    outcomes = [(NoticeStatus.REMOVED, 2), (NoticeStatus.REMOVED, 9), (NoticeStatus.REFUSED, 3),
                (NoticeStatus.ACKNOWLEDGED, 1), (NoticeStatus.REMOVED, 1)]  # fmt: skip
    for i, row in enumerate(rows[:5]):
        ads = ws_mod.network_ads(ws, row["network_id"])
        site = ads[0]["site"]
        notice = services.notice_create(
            investigation=inv, network_id=row["network_id"], platform=site,
            ad_urls=[a["url"] for a in ads if a["site"] == site and a.get("url")],
            reason="These ads show indicators of trafficking for human review; please review and remove them.",
            user=analyst,
        )  # fmt: skip
        sent = now - timedelta(days=20 - i * 3)
        services.notice_set_status(notice=notice, status=NoticeStatus.SENT, at=sent, user=analyst)
        status, days = outcomes[i]
        services.notice_set_status(notice=notice, status=status, at=sent + timedelta(days=days), user=analyst)
    return f"{DEMO_ADS} synthetic ads scanned into one investigation"
