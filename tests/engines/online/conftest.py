"""Shared fixtures for the online engine tests: small seeded corpora and one scanned workspace per session."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _encryption_keys():
    """Overrides the root autouse fixture: these tests need no keys, settings or Django (also run with -p no:django)."""
    yield


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
