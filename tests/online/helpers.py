"""A small scanned workspace shared by the online tests (scanned once per test session)."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

N_ADS = 240
SEED = 11


@functools.cache
def shared_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="tl-online-tests-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


@functools.cache
def corpus() -> Path:
    from threadline.engines.online.synth import write_corpus

    path, _truth = write_corpus(N_ADS, SEED, shared_root() / "corpus" / "ads.jsonl")
    return path


@functools.cache
def workspace() -> Path:
    from threadline.engines.online.scan import ScanOptions, run_scan

    out = shared_root() / "workspace"
    run_scan([corpus()], out, ScanOptions(workers=1, html_report=False))
    return out


def use_test_data_dir() -> None:
    """Packages and uploads of tests go under a temporary directory, never the working tree."""
    from django.conf import settings

    settings.ONLINE_DATA_DIR = str(shared_root() / "data")


@functools.cache
def top_network() -> dict:
    from threadline.engines.online import workspace as ws_mod

    rows, _ = ws_mod.network_page(ws_mod.Workspace(workspace()), ws_mod.NetworkFilter(min_ads=3), offset=0, limit=1)
    return rows[0]


def make_investigation(org, user, *, scanned: bool = True):
    from threadline.online.models import Investigation, Scan, SourceFile

    use_test_data_dir()
    inv = Investigation.objects.create(organisation=org, title="Test sweep", created_by=user)
    SourceFile.objects.create(organisation=org, investigation=inv, kind="path", name="ads.jsonl",
                              path=str(corpus()), size=corpus().stat().st_size, added_by=user)  # fmt: skip
    if scanned:
        scan = Scan.objects.create(organisation=org, investigation=inv, status=Scan.Status.COMPLETE,
                                   workspace=str(workspace()), summary={"counts": {"ads": N_ADS}})  # fmt: skip
        inv.current_scan = scan
        inv.save(update_fields=["current_scan"])
    return inv
