"""Imports of published files and of the organisation's own cases, and linkage runs over the store."""

from __future__ import annotations

import csv
import io
import logging
import uuid
import zipfile
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.audit.services import audit_record
from threadline.core.models import Task
from threadline.core.tasks import enqueue, run_task
from threadline.core.uploads import check_upload_size
from threadline.insights.models import (
    ImportFormat,
    ImportJob,
    LinkageRun,
)
from threadline.insights.stores import store_for, uploads_dir

log = logging.getLogger(__name__)

#: Files up to this size are imported and validated in the request; larger ones by the worker.
INLINE_MAX_BYTES = 2_000_000
MAX_ISSUES_KEPT = 500
OWN_CASES_SOURCE = "own-cases"
#: An import may be (re)validated, with a new mapping, until it is accepted or cancelled.
VALIDATABLE = (ImportJob.Status.UPLOADED, ImportJob.Status.VALID, ImportJob.Status.INVALID)
IGNORE = ""


def mapping_targets() -> list[str]:
    from threadline.engines.insights.importers import SPECIAL_TARGETS
    from threadline.engines.insights.schema import DATA_COLUMNS, ENCODING_COLUMNS

    return [*SPECIAL_TARGETS, *DATA_COLUMNS, *[c for c in ENCODING_COLUMNS if c not in DATA_COLUMNS]]


def report_dict(report, file_name: str) -> dict:
    """What an import job keeps of an engine validation report (shown on its page): every problem with what
    was done about it (refused, set to missing, kept as Other, row quarantined, column ignored) and rows in =
    kept + quarantined."""
    issues = [
        {
            "file": file_name,  # the name the officer uploaded, not the stored copy's
            "row": i.row,
            "column": i.column,
            "reason": i.reason,
            "action": i.action,
            "value": i.value,
        }
        for i in report.issues[:MAX_ISSUES_KEPT]
    ]
    return {
        "rows": report.rows,
        "ok": report.ok,
        "strict": report.strict,
        "stored_rows": report.stored_rows if report.ok else 0,
        "quarantined": report.quarantined,
        "counts": report.counts(),
        "bad_rows": report.bad_rows,
        "issue_count": len(report.issues),
        "issues": issues,
        "columns": dict(report.columns),
        "key_ids": {key: list(where) for key, where in report.key_ids.items()},
    }


def _upload_path(job: ImportJob) -> Path:
    from threadline.insights.stores import store_path

    return store_path(job.organisation) / "uploads" / (job.stored_name or "missing")


def _engine_mapping(job: ImportJob) -> dict[str, str | None] | None:
    if job.format != ImportFormat.HTCDS or not job.mapping:
        return None
    return {col: (target or None) for col, target in job.mapping.items()}


def import_upload(*, organisation, user, uploaded_file, fmt: str, source: str, strict: bool = False) -> ImportJob:
    """Keep the uploaded file in the organisation's upload area and propose a column mapping.

    Not one transaction: the file is read and validated first, with no database lock held (on SQLite a write
    transaction open during a long validation stalls every other request), and the job is written once at the
    end. A file whose reading fails is removed, so nothing is left half-stored."""
    suffix = Path(uploaded_file.name).suffix.lower()
    if suffix not in {".csv", ".txt", ".xlsx"}:
        raise ValidationError({"file": _("Upload a .csv or .xlsx file.")})
    if suffix == ".xlsx" and fmt != ImportFormat.HTCDS:
        raise ValidationError({"file": _("Excel files are read in the HTCDS format only.")})
    check_upload_size(uploaded_file, settings.INSIGHTS_UPLOAD_MAX_BYTES)
    job = ImportJob(
        organisation=organisation,
        created_by=user,
        file_name=Path(uploaded_file.name).name[:200],
        stored_name=f"{uuid.uuid4().hex}{suffix}",
        format=fmt,
        source=source,
        strict=strict,
    )
    path = uploads_dir(organisation) / job.stored_name
    try:
        with open(path, "wb") as fh:
            for chunk in uploaded_file.chunks():
                fh.write(chunk)
        if suffix == ".xlsx":
            _refuse_workbook_bomb(path)
        return _import_propose_mapping(job=job, path=path)
    except BaseException:
        path.unlink(missing_ok=True)  # no upload is left without its job (the job is saved last)
        raise


def _import_propose_mapping(*, job: ImportJob, path: Path) -> ImportJob:
    from threadline.engines.insights.importers.base import Reader

    fmt, source = job.format, job.source
    issues: list = []
    job.header = Reader(path, issues, labels=_labels_for(job)).read_header()[:300]
    if fmt == ImportFormat.HTCDS and job.header:
        from threadline.engines.insights.schema import IDENTIFIER_COLUMNS

        recognised = _recognised_columns(job.header, source)
        # raw names and dates of birth need the agencies' linkage key, which the web does not hold: ignored
        targets = set(mapping_targets()) - set(IDENTIFIER_COLUMNS)
        job.mapping = {
            col: (recognised.get(col, IGNORE) if recognised.get(col) in targets else IGNORE) for col in job.header
        }
        job.report = {"recognised": sorted(c for c in job.header if c in recognised and recognised[c] in targets)}
        job.save()
    else:
        import_validate(job=job)  # validates, then saves the job
    return job


def _refuse_workbook_bomb(path: Path) -> None:
    """An .xlsx is a ZIP: one that unpacks to too much is refused before anything reads it."""
    from threadline.engines import archives

    try:
        archives.open_zip(path).close()
    except archives.ArchiveRefused:
        raise ValidationError({"file": _("This workbook is refused: it unpacks to too much or is compressed like "
                                         "a decompression bomb.")}) from None  # fmt: skip
    except (zipfile.BadZipFile, OSError, EOFError):
        pass  # not a ZIP at all: the reader reports an unreadable workbook


def _recognised_columns(header: list[str], source: str) -> dict[str, str]:
    """The engine's own reading of the header (canonical names and HTCDS aliases), from the header alone so
    that a large file is not read twice."""
    import tempfile

    from threadline.engines.insights import validate_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "header.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerow(header)
        return dict(validate_file(path, ImportFormat.HTCDS, source=source).columns)


def import_validate(*, job: ImportJob) -> ImportJob:
    """Validate the file against the mapping; nothing is stored. The report is what an import would do:
    every problem (file, row, column, value where it may be shown, reason, action) and rows in = kept +
    quarantined. The officer then accepts or cancels. A file encoded with another linkage key than the store's
    records is refused here: it could never be linked, and every person in it would be counted again."""
    from threadline.engines.insights import validate_file

    if job.status not in VALIDATABLE:
        raise ValidationError(_("This import has started or ended: it cannot be validated again."))
    report = validate_file(
        _upload_path(job), job.format, mapping=_engine_mapping(job), source=job.source, strict=job.strict
    )
    if report.header:  # the file was read: its quarantined rows are served as they are until accept or cancel
        report.write_rejects(_rejects_path(job))
    job.report = report_dict(report, job.file_name)
    job.rows = report.rows
    keeps_rows = report.ok and report.stored_rows > 0
    job.status = ImportJob.Status.VALID if keeps_rows else ImportJob.Status.INVALID
    if report.ok and not keeps_rows:
        reason = _("the file has no data rows") if not report.rows else _("every row was quarantined")
        job.report["issues"].insert(0, {"file": job.file_name, "row": 0, "column": "", "reason": reason})
        job.report["issue_count"] += 1
        job.report["ok"] = False
    if job.status == ImportJob.Status.VALID:
        key_issue = _linkage_key_issue(job)
        if key_issue is not None:
            job.report.update(ok=False, issues=[key_issue], issue_count=1)
            job.status = ImportJob.Status.INVALID
    job.save()
    return job


def _linkage_key_issue(job: ImportJob) -> dict | None:
    """A validation issue when the file's encodings cannot be linked with the store's records, else None.
    (A file mixing keys is refused by the engine's validation itself; its report names the file's keys.)"""
    in_file = job.report.get("key_ids") or {}
    if len(in_file) != 1:
        return None
    from threadline.insights.selectors import store_key_ids

    in_store = store_key_ids(organisation=job.organisation)
    key, (row, column) = next(iter(in_file.items()))
    if not in_store or key in in_store:
        return None
    reason = _(
        "this file was encoded with a different linkage key (fingerprint {key}) from the records already in "
        "the store (fingerprint {store}). Its people could never be linked with ours, so each would be counted "
        "again. Ask the partner to encode with the shared key and the same Threadline version; if the shared "
        "key was changed, withdraw the earlier imports first."
    ).format(key=key, store=", ".join(sorted(in_store)))
    return {"file": job.file_name, "row": row, "column": column, "reason": reason}


@transaction.atomic
def import_cancel(*, job: ImportJob) -> ImportJob:
    """The officer cancels after reading the report: the upload is deleted and nothing is stored."""
    if job.status not in VALIDATABLE:
        raise ValidationError(_("Only an import that has not started can be cancelled."))
    _discard_upload(job)
    job.status = ImportJob.Status.CANCELLED
    job.save()
    return job


def _rejects_path(job: ImportJob) -> Path:
    return _upload_path(job).with_name(f"{job.stored_name or 'missing'}.rejects.csv")


def _discard_upload(job: ImportJob) -> None:
    """The upload and its quarantined rows: nothing of them is kept once the officer accepted or cancelled."""
    _upload_path(job).unlink(missing_ok=True)
    _rejects_path(job).unlink(missing_ok=True)


def import_rejects_csv(*, job: ImportJob) -> bytes:
    """The rows an import would quarantine (row, reason, their cells), as the last validation wrote them
    (atomically, beside the upload): the file is not read again. Raises ValidationError once the officer has
    accepted or cancelled (they are deleted with the upload) or before the file was validated."""
    try:
        return _rejects_path(job).read_bytes()
    except FileNotFoundError:
        raise ValidationError(_("The quarantined rows are no longer kept (or the file was not checked yet).")) from None


def _labels_for(job: ImportJob):
    from threadline.engines.insights.importers import htcds_label_row

    return htcds_label_row if job.format == ImportFormat.HTCDS else None


def import_set_mapping(*, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """Validate the file with the new mapping (no lock held), then save the mapping with its report at once."""
    targets = set(mapping_targets())
    clean = {}
    for col in job.header:
        target = mapping.get(col, IGNORE)
        clean[col] = target if target in targets else IGNORE
    job.mapping = clean
    return import_validate(job=job)


def _run_inline_if_small(record: Task, size: int) -> None:
    if size > INLINE_MAX_BYTES:
        return
    now = timezone.now()
    claimed = Task.objects.filter(pk=record.pk, status=Task.Status.QUEUED).update(
        status=Task.Status.RUNNING, worker="inline", started_at=now, heartbeat_at=now, attempts=1
    )
    if claimed:
        run_task(Task.objects.get(pk=record.pk))


def import_start(*, job: ImportJob, user) -> Task:
    """Queue the import (a background task); small files are imported at once."""
    if job.status != ImportJob.Status.VALID:
        raise ValidationError(_("Only a file that passed validation can be imported."))
    key_issue = _linkage_key_issue(job)  # another import may have arrived since the file was validated
    if key_issue is not None:
        job.report.update(ok=False, issues=[key_issue], issue_count=1)
        job.status = ImportJob.Status.INVALID
        job.save()
        raise ValidationError(key_issue["reason"])
    record = enqueue("insights.import", organisation=job.organisation, user=user, payload={"job": str(job.pk)})
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING, task=record)
    _run_inline_if_small(record, _upload_path(job).stat().st_size)
    return record


def import_run(*, job: ImportJob, progress=None) -> dict:
    """The task body: all-or-nothing import into the store (the engine validates again while streaming)."""
    from threadline.engines.insights import import_file

    if job.status == ImportJob.Status.IMPORTED:
        return {"rows": job.rows, "batch_id": job.batch_id}
    _remove_leftovers(job.organisation, current=job.task_id)
    if progress:
        progress(stage="importing", rows=job.rows)
    result = import_file(
        _upload_path(job),
        job.format,
        job.source,
        store_for(job.organisation),
        mapping=_engine_mapping(job),
        strict=job.strict,
    )
    job.report = report_dict(result.validation, job.file_name) if result.validation else job.report
    job.rows = result.rows
    if result.stored:
        job.status = ImportJob.Status.IMPORTED
        job.batch_id = result.batch_id or ""
        _discard_upload(job)  # the store holds the converted records now
    else:
        job.status = ImportJob.Status.FAILED
    job.save()
    if result.stored:
        from threadline.insights.signals import import_completed

        import_completed.send(sender=ImportJob, organisation=job.organisation, job=job)
    return {"rows": job.rows, "stored": result.stored}


@transaction.atomic
def import_withdraw(*, job: ImportJob, user) -> ImportJob:
    """Remove an imported file's records from the store (its batch), keep the import's history and audit it.
    Dashboards and releases made afterwards no longer count them; linkage should run again."""
    from threadline.engines.insights.store import refresh_catalogue

    if job.status != ImportJob.Status.IMPORTED or not job.batch_id:
        raise ValidationError(_("Only an imported file can be withdrawn."))
    store = store_for(job.organisation)
    for suffix in (".parquet", ".json"):
        (store.batches_dir / f"{job.batch_id}{suffix}").unlink(missing_ok=True)
    refresh_catalogue(store)
    job.status = ImportJob.Status.WITHDRAWN
    job.save()
    audit_record(
        action="delete",
        object_type="insights.importbatch",
        object_id=job.batch_id[:64],
        note=f"withdrawn import {job.pk}, {job.rows} rows",
        actor=user,
        organisation_id=job.organisation_id,
    )
    return job


def own_cases_available() -> bool:
    """Whether this installation has the case-management area to take the organisation's own cases from."""
    return django_apps.is_installed("threadline.cases")


def own_cases_import(*, organisation, user) -> ImportJob:
    """Bring the organisation's own cases (consented, non-identifying rows) into the store, replacing the
    previous snapshot, without re-entry."""
    from threadline.engines.insights.schema import DATA_COLUMNS, ENCODING_COLUMNS
    from threadline.engines.insights.store import refresh_catalogue

    if not own_cases_available():
        raise ValidationError(_("Case management is not available here."))
    from threadline.cases.selectors import case_statistics_rows

    # no identifier of any kind leaves the cases area
    columns = [c for c in DATA_COLUMNS if c != "screeningMethod" and c not in ENCODING_COLUMNS]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in case_statistics_rows(organisation=organisation):
        writer.writerow({c: ("" if row.get(c) is None else row.get(c)) for c in columns})
        count += 1
    if not count:
        raise ValidationError(_("No case has a statistics consent in force yet."))
    job = ImportJob(
        organisation=organisation,
        created_by=user,
        file_name=_("Our cases"),
        stored_name=f"{uuid.uuid4().hex}.csv",
        format=ImportFormat.HTCDS,
        source=OWN_CASES_SOURCE,
    )
    (uploads_dir(organisation) / job.stored_name).write_text(buffer.getvalue(), encoding="utf-8")
    job.header = columns
    job.save()
    import_validate(job=job)
    if job.status != ImportJob.Status.VALID:
        return job
    # Replace the earlier snapshot of our cases: the new one supersedes it.
    store = store_for(organisation)
    for batch in store.batches():
        if batch.get("source") == OWN_CASES_SOURCE:
            for suffix in (".parquet", ".json"):
                (store.batches_dir / f"{batch['batch_id']}{suffix}").unlink(missing_ok=True)
    refresh_catalogue(store)
    import_start(job=job, user=user)
    job.refresh_from_db()
    return job


def linkage_start(*, organisation, user, threshold: float = 0.8) -> LinkageRun:
    run = LinkageRun.objects.create(organisation=organisation, created_by=user, threshold=threshold)
    record = enqueue("insights.link", organisation=organisation, user=user, payload={"run": run.pk})
    LinkageRun.objects.filter(pk=run.pk).update(task=record)
    total = sum(b.get("rows", 0) for b in store_for(organisation).batches())
    _run_inline_if_small(record, total * 400)  # about 400 bytes a record: up to ~5,000 records at once
    run.refresh_from_db()
    return run


def import_settle(*, job_id, cancelled: bool) -> None:
    """Its task ended without importing (nothing is stored then: imports are all-or-nothing). A cancelled
    import is ready to start again; a failed one says so."""
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.IMPORTING).update(
        status=ImportJob.Status.VALID if cancelled else ImportJob.Status.FAILED
    )


def _remove_leftovers(organisation, *, current) -> None:
    """A killed import or linkage leaves its ``.tmp`` files behind; the next one removes them, unless another
    import or linkage of the organisation is running (those files would be its own)."""
    running = Task.objects.filter(
        organisation=organisation, name__in=["insights.import", "insights.link"], status=Task.Status.RUNNING
    ).exclude(pk=current)
    if not running.exists():
        removed = store_for(organisation).remove_leftovers()
        if removed:
            log.info("Removed %d temporary file(s) left by an interrupted import or linkage.", len(removed))


def linkage_run(*, run: LinkageRun, progress=None) -> dict:
    from threadline.engines.insights import link

    _remove_leftovers(run.organisation, current=run.task_id)
    if progress:
        progress(stage="linking")
    report = link(store_for(run.organisation), threshold=run.threshold)
    run.report = report.to_dict()
    run.save()
    return {"clusters": report.clusters, "estimated_duplicates": report.estimated_duplicates}
