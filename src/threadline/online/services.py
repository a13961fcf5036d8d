"""Writes of the online area: investigations, inputs, scans, reviews, notices and weight proposals.

Evidence packages and partner signals live in ``packages.py``; reads in ``selectors.py`` and ``workspace.py``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.core.models import Task
from threadline.core.tasks import enqueue, request_cancel
from threadline.core.uploads import check_upload_size
from threadline.engines.online import workspace as ws_mod
from threadline.online.models import (
    AdCorrection,
    AdLabel,
    Investigation,
    Label,
    NetworkReview,
    NoticeStatus,
    PlatformNotice,
    ReviewNote,
    Scan,
    SourceFile,
    WeightProposal,
)

INPUT_SUFFIXES = (".jsonl", ".jsonl.gz", ".csv", ".csv.gz", ".parquet", ".html", ".htm", ".json.gz", ".ndjson")
IMPORT_ROOTS_ENV = "THREADLINE_ONLINE_IMPORT_ROOTS"
#: ``Scan.summary["error"]`` of a scan whose inputs could not be read at all (format, header, columns).
SCAN_ERROR_INPUTS = "inputs"


# ------------------------------------------------------------------------------------------------ paths
def data_root() -> Path:
    """``$THREADLINE_DATA_DIR/online``: inputs, scan workspaces and packages, per organisation and investigation."""
    override = getattr(settings, "ONLINE_DATA_DIR", None)
    return Path(override) if override else Path(settings.DATA_DIR) / "online"


def investigation_dir(investigation: Investigation) -> Path:
    return data_root() / str(investigation.organisation_id) / str(investigation.pk)


def import_roots() -> list[Path]:
    """Server directories an administrator allows analysts to scan in place (``THREADLINE_ONLINE_IMPORT_ROOTS``)."""
    configured = getattr(settings, "ONLINE_IMPORT_ROOTS", None)
    raw = configured if configured is not None else os.environ.get(IMPORT_ROOTS_ENV, "")
    if isinstance(raw, str):
        raw = [p for p in re.split(r"[,:;]", raw) if p.strip()]
    return [Path(p).resolve() for p in raw]


def scan_workers() -> int:
    value = getattr(settings, "ONLINE_SCAN_WORKERS", None) or os.environ.get("THREADLINE_ONLINE_SCAN_WORKERS", "1")
    try:
        return max(0, int(value))
    except ValueError:
        return 1


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _safe_name(name: str) -> str:
    base = Path(name).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "input"
    return cleaned[:120]


def _check_suffix(name: str) -> None:
    if not name.lower().endswith(INPUT_SUFFIXES):
        raise ValidationError(_("Use a .jsonl, .csv or .parquet file (optionally .gz) or an HTML page."))


# ------------------------------------------------------------------------------------------ investigations
@transaction.atomic
def investigation_create(*, organisation, user, title: str, description: str = "") -> Investigation:
    return Investigation.objects.create(
        organisation=organisation, title=title.strip(), description=description.strip(), created_by=user
    )


@transaction.atomic
def source_upload(*, investigation: Investigation, user, uploaded) -> SourceFile:
    """Store an uploaded file in the investigation's directory (never the database) with its SHA-256."""
    _check_suffix(uploaded.name)
    check_upload_size(uploaded, settings.ONLINE_UPLOAD_MAX_BYTES)
    target_dir = investigation_dir(investigation) / "inputs"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{uuid.uuid4().hex[:8]}-{_safe_name(uploaded.name)}"
    h = hashlib.sha256()
    size = 0
    with open(target, "wb") as fh:
        for chunk in uploaded.chunks():
            h.update(chunk)
            size += len(chunk)
            fh.write(chunk)
    return SourceFile.objects.create(
        organisation=investigation.organisation,
        investigation=investigation,
        kind=SourceFile.Kind.UPLOAD,
        name=_safe_name(uploaded.name),
        path=str(target),
        size=size,
        sha256=h.hexdigest(),
        added_by=user,
    )


@transaction.atomic
def source_add_path(*, investigation: Investigation, user, path: str) -> SourceFile:
    """Name a file or directory already on the server; it must lie under an allowed import root."""
    roots = import_roots()
    if not roots:
        raise ValidationError(_("No server directory is open for scanning; ask an administrator."))
    resolved = Path(path).expanduser().resolve()
    if not any(resolved == root or root in resolved.parents for root in roots):
        raise ValidationError(_("That path is not under a directory open for scanning."))
    if not resolved.exists():
        raise ValidationError(_("No file or directory at that path."))
    if resolved.is_file():
        _check_suffix(resolved.name)
        size, digest = resolved.stat().st_size, _sha256_file(resolved)
    else:
        size, digest = sum(p.stat().st_size for p in resolved.rglob("*") if p.is_file()), ""
    return SourceFile.objects.create(
        organisation=investigation.organisation,
        investigation=investigation,
        kind=SourceFile.Kind.SERVER_PATH,
        name=resolved.name,
        path=str(resolved),
        size=size,
        sha256=digest,
        added_by=user,
    )


@transaction.atomic
def source_remove(*, source: SourceFile) -> None:
    if source.kind == SourceFile.Kind.UPLOAD:
        Path(source.path).unlink(missing_ok=True)
    source.delete()


# ---------------------------------------------------------------------------------------------- scanning
def scan_start(*, investigation: Investigation, user) -> Scan:
    """Queue a scan of all the investigation's inputs into a new workspace; earlier reviews carry over."""
    if not investigation.sources.exists():
        raise ValidationError(_("Add at least one input file before scanning."))
    # A scan left queued or running by a task that ended before tasks settled their scans (older versions).
    ended = [Task.Status.CANCELLED, Task.Status.FAILED]
    for stuck in investigation.scans.filter(
        status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING], task__status__in=ended
    ).select_related("task"):
        scan_settle(scan_id=stuck.pk, cancelled=stuck.task.status == Task.Status.CANCELLED)
    if investigation.scans.filter(status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING]).exists():
        raise ValidationError(_("A scan of this investigation is already running."))
    with transaction.atomic():
        scan = Scan.objects.create(
            organisation=investigation.organisation, investigation=investigation, created_by=user, workspace=""
        )
        scan.workspace = str(investigation_dir(investigation) / "scans" / str(scan.pk))
        task = enqueue(
            "online.scan", organisation=investigation.organisation, user=user, payload={"scan": str(scan.pk)}
        )
        scan.task = task
        scan.save(update_fields=["workspace", "task"])
    return scan


def scan_cancel(*, scan: Scan) -> None:
    if scan.task is not None:
        request_cancel(scan.task)
    if scan.status == Scan.Status.QUEUED:
        scan.status = Scan.Status.CANCELLED
        scan.finished_at = timezone.now()
        scan.save(update_fields=["status", "finished_at"])


def scan_settle(*, scan_id, cancelled: bool) -> None:
    """Its task ended without finishing the scan (cancelled from any page, failed, or given up): a scan still
    queued or running is marked so, and a re-scan can start."""
    Scan.objects.filter(pk=scan_id, status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING]).update(
        status=Scan.Status.CANCELLED if cancelled else Scan.Status.FAILED, finished_at=timezone.now()
    )


def _count_parts(parts: Path) -> tuple[int, int]:
    import json

    read = rejected = 0
    for p in parts.glob("done-*.json"):
        try:
            stats = json.loads(p.read_text())
        except (OSError, ValueError):
            continue
        read += int(stats.get("n_read", 0))
        rejected += int(stats.get("n_rejected", 0))
    return read, rejected


def scan_run(*, scan: Scan, ctx) -> dict:
    """Run the engine for a queued scan (called by the ``online.scan`` task); resumable and cancellable."""
    import time

    import yaml

    from threadline.core.tasks import TaskCancelled
    from threadline.engines.online.backend import Cancelled
    from threadline.engines.online.readers import InputError
    from threadline.engines.online.scan import ScanOptions, run_scan

    investigation = scan.investigation
    inputs = [s.path for s in investigation.sources.order_by("added_at")]
    out = Path(scan.workspace)
    out.mkdir(parents=True, exist_ok=True)
    options = ScanOptions(workers=scan_workers(), report_top=20, image_root=settings.ONLINE_IMAGE_ROOT,
                          max_image_bytes=settings.ONLINE_IMAGE_MAX_BYTES)  # fmt: skip
    if investigation.risk_weights:
        weights_path = out.parent.parent / "risk.yaml"
        weights_path.write_text(yaml.safe_dump(ws_mod.effective_weights(investigation.risk_weights)))
        options.risk_weights = str(weights_path)
    Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.RUNNING)
    last = [0.0]

    def progress(stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and (total is None or done < total):
            return
        last[0] = now
        records, rejects = _count_parts(out / "_parts")
        ctx.progress(stage=stage, records=records, rejects=rejects,
                     percent=(round(100 * done / total) if total else None))  # fmt: skip

    try:
        summary = run_scan(inputs, out, options, progress_callback=progress, cancel_check=ctx.cancelled)
    except Cancelled:
        Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.CANCELLED, finished_at=timezone.now())
        raise TaskCancelled from None
    except InputError as exc:
        # The engine's message may quote the file's content (a parse error): the scan keeps only what failed,
        # and the page says it in the reader's language.
        Scan.objects.filter(pk=scan.pk).update(
            status=Scan.Status.FAILED, finished_at=timezone.now(), summary={"error": SCAN_ERROR_INPUTS}
        )
        raise ValueError("The inputs could not be read.") from exc
    except Exception:
        Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.FAILED, finished_at=timezone.now())
        raise
    counts = summary.get("counts", {})
    ctx.progress(stage="index", records=counts.get("read", 0), rejects=counts.get("rejected", 0), percent=None)
    ctx.check_cancelled()
    ws_mod.build_review_index(ws_mod.Workspace(out))
    ctx.progress(stage="done", records=counts.get("read", 0), rejects=counts.get("rejected", 0), percent=100)
    scan.refresh_from_db()
    # the analysts' corrections first, so that reviews of split-off networks find them again by id
    corrections_apply(investigation=investigation, workspace=ws_mod.Workspace(out))
    carried = reviews_carry_over(investigation=investigation, workspace=ws_mod.Workspace(out))
    with transaction.atomic():
        scan.status = Scan.Status.COMPLETE
        scan.summary = {"counts": counts, "seconds": summary.get("seconds", {}), "risk": summary.get("risk_version")}
        scan.reviews_carried = carried
        scan.finished_at = timezone.now()
        scan.save()
        investigation.current_scan = scan
        investigation.save(update_fields=["current_scan"])
    shutil.rmtree(out / "_parts", ignore_errors=True)
    return {"ads": counts.get("read", 0), "networks": counts.get("networks", 0), "reviews_carried": carried}


def reviews_carry_over(*, investigation: Investigation, workspace: ws_mod.Workspace) -> int:
    """Keep reviews attached after a re-scan: network ids are stable for the same ads; when a network grew or
    merged and its id changed, its anchor ad finds it again. Ad labels follow their ad. Returns reviews moved."""
    reviews = list(NetworkReview.objects.filter(investigation=investigation))
    present = ws_mod.network_exists(workspace, [r.network_id for r in reviews])
    lost = [r for r in reviews if r.network_id not in present and r.anchor_ad_id]
    moved = 0
    if lost:
        new_ids = ws_mod.ad_network_ids(workspace, [r.anchor_ad_id for r in lost])
        taken = {r.network_id for r in reviews if r.network_id in present}
        for review in lost:
            new_id = new_ids.get(review.anchor_ad_id)
            if new_id and new_id not in taken:
                old = review.network_id
                review.network_id = new_id
                review.save(update_fields=["network_id"])
                for model in (ReviewNote, PlatformNotice):
                    model.objects.filter(investigation=investigation, network_id=old).update(network_id=new_id)
                taken.add(new_id)
                moved += 1
    for model in (AdLabel, AdCorrection):  # ad labels and corrections follow their ad
        rows = list(model.objects.filter(investigation=investigation))
        # a correction names the scanned network it corrected, not the one it made
        scanned = model is AdCorrection
        mapping = ws_mod.ad_network_ids(workspace, [a.ad_id for a in rows], scanned=scanned) if rows else {}
        for row in rows:
            new_id = mapping.get(row.ad_id, "")
            if new_id and new_id != row.network_id:
                model.objects.filter(pk=row.pk).update(network_id=new_id)
    return moved


# ---------------------------------------------------------------------------------------------- reviews
def _review(investigation: Investigation, network_id: str, anchor_ad_id: str = "") -> NetworkReview:
    review, _created = NetworkReview.objects.get_or_create(
        investigation=investigation,
        network_id=network_id,
        defaults={"organisation": investigation.organisation, "anchor_ad_id": anchor_ad_id},
    )
    if anchor_ad_id and not review.anchor_ad_id:
        review.anchor_ad_id = anchor_ad_id
    return review


@transaction.atomic
def network_label(
    *, investigation: Investigation, network_id: str, label: str, user, anchor_ad_id: str = "",
    risk_score: float | None = None,
) -> NetworkReview:  # fmt: skip
    if label not in Label.values:
        raise ValidationError(_("Choose one of the labels."))
    review = _review(investigation, network_id, anchor_ad_id)
    if review.label != label:
        review.confirmed_by = None  # a changed decision needs a new second look
        review.confirmed_at = None
    review.label = label
    review.labelled_by = user
    review.labelled_at = timezone.now()
    review.risk_score_at_label = risk_score
    review.save()
    return review


@transaction.atomic
def network_assign(*, investigation: Investigation, network_id: str, assignee, user, anchor_ad_id: str = ""):
    from threadline.core.permissions import has_perm

    if assignee is not None and not has_perm(assignee, "online.change_networkreview", investigation.organisation):
        raise ValidationError(_("That colleague cannot review networks in this organisation."))
    review = _review(investigation, network_id, anchor_ad_id)
    review.assigned_to = assignee
    review.save()
    return review


@transaction.atomic
def network_confirm(*, investigation: Investigation, network_id: str, user) -> NetworkReview:
    """A second reviewer confirms the label; the person who labelled cannot confirm their own decision."""
    review = (
        NetworkReview.objects.select_for_update().filter(investigation=investigation, network_id=network_id).first()
    )
    if review is None or not review.label:
        raise ValidationError(_("Label the network before asking for confirmation."))
    if review.labelled_by_id == user.pk:
        raise PermissionDenied(_("A second reviewer must confirm: you labelled this network."))
    review.confirmed_by = user
    review.confirmed_at = timezone.now()
    review.save()
    return review


@transaction.atomic
def ad_label(*, investigation: Investigation, ad_id: str, network_id: str, label: str, user) -> AdLabel:
    if label not in Label.values:
        raise ValidationError(_("Choose one of the labels."))
    obj = AdLabel.objects.filter(investigation=investigation, ad_id=ad_id).first()
    if obj is None:
        obj = AdLabel(organisation=investigation.organisation, investigation=investigation, ad_id=ad_id)
    obj.network_id = network_id
    obj.label = label
    obj.labelled_by = user
    obj.save()
    return obj


@transaction.atomic
def network_correct(*, investigation: Investigation, network_id: str, ad_ids: list[str], action: str, user,
                    network_ad_ids: set[str], evidence: dict[str, list[str]]) -> list[AdCorrection]:  # fmt: skip
    """Remove ads from a network or split them off together (``action``: remove or split), or put them back
    (``restore``). ``network_ad_ids``: the network's ads (a correction names only those); ``evidence``: per ad,
    the kinds of link that had put it there. Kept by ad id, so a re-scan shows the same correction."""
    ad_ids = list(dict.fromkeys(ad_ids))
    if not ad_ids:
        raise ValidationError(_("Select the ads first."))
    if not set(ad_ids) <= network_ad_ids:
        raise ValidationError(_("Those ads are not in this network."))
    existing = {c.ad_id: c for c in AdCorrection.objects.filter(investigation=investigation, ad_id__in=ad_ids)}
    if action == "restore":
        for c in existing.values():
            c.delete()
        corrections_apply(investigation=investigation)
        return []
    if action not in AdCorrection.Action.values:
        raise ValidationError(_("Choose a correction."))
    if action == AdCorrection.Action.SPLIT and len(ad_ids) >= len(network_ad_ids):
        raise ValidationError(_("Leave some ads in the network: select the ads to split off."))
    part = uuid.uuid4().hex[:12] if action == AdCorrection.Action.SPLIT else ""
    out = []
    for ad_id in ad_ids:
        c = existing.get(ad_id) or AdCorrection(organisation=investigation.organisation, investigation=investigation,
                                                ad_id=ad_id)  # fmt: skip
        c.network_id, c.action, c.part, c.decided_by = network_id, action, part, user
        c.evidence = sorted(set(evidence.get(ad_id, [])))
        c.save()
        out.append(c)
    corrections_apply(investigation=investigation)
    return out


def corrections_apply(*, investigation: Investigation, workspace: ws_mod.Workspace | None = None) -> dict:
    """Rewrite the workspace's corrections overlay from the investigation's corrections, so the network list,
    a network's counts and ads, and every export show the networks as corrected (after each correction and after
    each scan; the engine's files stay as scanned). Returns the ads moved and the networks replaced."""
    import fcntl

    from threadline.engines.online.corrections import apply_corrections

    if workspace is None:
        scan = investigation.current_scan
        if scan is None or not scan.workspace:
            return {}
        workspace = ws_mod.Workspace(Path(scan.workspace))
    if not workspace.exists():
        return {}
    with open(workspace.root / "corrections.lock", "w") as lock:  # one writer of the overlay at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        rows = list(AdCorrection.objects.filter(investigation=investigation).values("ad_id", "action", "part"))
        return apply_corrections(workspace.root, rows)


@transaction.atomic
def note_add(*, investigation: Investigation, network_id: str, text: str, user, ad_id: str = "") -> ReviewNote:
    text = text.strip()
    if not text:
        raise ValidationError(_("Write a note first."))
    return ReviewNote.objects.create(
        organisation=investigation.organisation,
        investigation=investigation,
        network_id=network_id,
        ad_id=ad_id,
        text=text,
        author=user,
    )


# ---------------------------------------------------------------------------------------------- notices
STATUS_FIELDS = {
    NoticeStatus.SENT: "sent_at",
    NoticeStatus.ACKNOWLEDGED: "acknowledged_at",
    NoticeStatus.REMOVED: "removed_at",
    NoticeStatus.REFUSED: "refused_at",
    NoticeStatus.NO_RESPONSE: "no_response_at",
}


@transaction.atomic
def notice_create(
    *, investigation: Investigation, network_id: str, platform: str, ad_urls: list[str], reason: str, user
) -> PlatformNotice:
    if not ad_urls:
        raise ValidationError(_("The network has no ad addresses on that platform."))
    return PlatformNotice.objects.create(
        organisation=investigation.organisation,
        investigation=investigation,
        network_id=network_id,
        platform=platform,
        ad_urls=list(ad_urls),
        reason=reason.strip(),
        created_by=user,
    )


@transaction.atomic
def notice_set_status(*, notice: PlatformNotice, status: str, at: datetime | None = None, user) -> PlatformNotice:
    if status not in NoticeStatus.values:
        raise ValidationError(_("Unknown status."))
    at = at or timezone.now()
    if status != NoticeStatus.DRAFTED:
        if status != NoticeStatus.SENT:
            if notice.sent_at is None:
                notice.sent_at = at  # a reply implies the notice went out; record it no later than the reply
            elif at < notice.sent_at:
                raise ValidationError(_("That date is before the notice was sent."))
        setattr(notice, STATUS_FIELDS[status], at)
    notice.status = status
    notice.save()
    return notice


# ---------------------------------------------------------------------------------------------- calibration
@transaction.atomic
def proposal_create(*, investigation: Investigation, user) -> WeightProposal:
    from threadline.online.selectors import calibration_propose

    result = calibration_propose(investigation=investigation)
    if result is None:
        raise ValidationError(_("Label networks as relevant and as not relevant before proposing weights."))
    return WeightProposal.objects.create(
        organisation=investigation.organisation,
        investigation=investigation,
        weights=result["weights"],
        metrics=result["metrics"],
        created_by=user,
    )


@transaction.atomic
def proposal_decide(*, proposal: WeightProposal, accept: bool, user) -> WeightProposal:
    if proposal.status != WeightProposal.Status.PROPOSED:
        raise ValidationError(_("This proposal was already decided."))
    proposal.status = WeightProposal.Status.ACCEPTED if accept else WeightProposal.Status.REJECTED
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save()
    if accept:
        investigation = proposal.investigation
        investigation.risk_weights = dict(proposal.weights)
        investigation.save(update_fields=["risk_weights"])  # audited by the model
    return proposal
