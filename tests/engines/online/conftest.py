"""Shared fixtures for the online engine tests: small seeded corpora and one scanned workspace per session."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _encryption_keys():
    """Overrides the root autouse fixture: these tests need no keys, settings or Django (also run with -p no:django)."""
    yield


@pytest.fixture(scope="session", autouse=True)
def _own_cache_dir(tmp_path_factory):
    """Scans keep their derived tables (gazetteer, fold table) in a directory of this session, not the user's
    cache; set in the environment so that spawned scan workers use it too."""
    old = os.environ.get("THREADLINE_CACHE_DIR")
    os.environ["THREADLINE_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("THREADLINE_CACHE_DIR", None)
    else:
        os.environ["THREADLINE_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    from threadline.engines.online.synth import write_corpus

    d = tmp_path_factory.mktemp("corpus")
    return write_corpus(1500, 42, d / "ads.jsonl.gz", chunk=500, version=1)


@pytest.fixture(scope="session")
def workspace(corpus, tmp_path_factory):
    from threadline.engines.online.scan import ScanOptions, run_scan

    ws = tmp_path_factory.mktemp("ws")
    events = []
    summary = run_scan([corpus[0]], ws, ScanOptions(workers=1, batch_size=400),
                       progress_callback=lambda s, d, t: events.append((s, d, t)))  # fmt: skip
    return ws, summary, events
