"""Feedback from labels: precision at k, proposed weights, applied only when an analyst accepts."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from threadline.engines.online import workspace as ws_mod
from threadline.online import selectors, services

pytestmark = pytest.mark.django_db


def test_precision_at_k():
    scored = [(90, True), (80, False), (70, True), (10, False)]
    assert selectors.precision_at_k(scored, ks=(1, 2, 4, 10)) == {"1": 1.0, "2": 0.5, "4": 0.5, "10": None, "all": 0.5}


def _label_some(investigation, analyst, ws):
    rows, _ = ws_mod.network_page(ws, ws_mod.NetworkFilter(min_ads=2), offset=0, limit=12)
    for i, row in enumerate(rows):
        label = "likely_trafficking" if i % 3 == 0 else ("not_relevant" if i % 3 == 1 else "needs_info")
        services.network_label(investigation=investigation, network_id=row["network_id"], label=label, user=analyst)
    return rows


def test_proposal_changes_nothing_until_accepted(investigation, analyst, ws):
    rows = _label_some(investigation, analyst, ws)
    report = selectors.calibration_report(investigation=investigation)
    assert report["n_labelled"] == 8 and report["n_relevant"] == 4  # "needs more information" left out
    proposal = services.proposal_create(investigation=investigation, user=analyst)
    investigation.refresh_from_db()
    assert investigation.risk_weights == {}
    assert set(proposal.metrics) >= {"before", "after", "changed"}
    services.proposal_decide(proposal=proposal, accept=True, user=analyst)
    investigation.refresh_from_db()
    assert investigation.risk_weights == proposal.weights
    reranked, _ = ws_mod.network_page(ws, ws_mod.NetworkFilter(include_ids=[r["network_id"] for r in rows]),
                                      offset=0, limit=20, overrides=investigation.risk_weights)  # fmt: skip
    assert len(reranked) == len(rows)


def test_command_reports_and_records_a_proposal(investigation, analyst, ws):
    _label_some(investigation, analyst, ws)
    out = io.StringIO()
    call_command("online_calibrate", "--investigation", str(investigation.pk), "--json", "--propose", stdout=out)
    data = json.loads(out.getvalue())
    assert data["labelled"] == 8 and data["precision_at_k"]["5"] is not None and data["proposal_id"]
    investigation.refresh_from_db()
    assert investigation.risk_weights == {}
    text = io.StringIO()
    call_command("online_calibrate", "--investigation", str(investigation.pk), stdout=text)
    assert "precision at 5" in text.getvalue() and "not applied until an analyst accepts" in text.getvalue()
