"""Where an organisation's insights data lives, and the ledgers of what left it.

One store per organisation: ``$THREADLINE_DATA_DIR/insights/<org slug>/`` (tests point
``settings.INSIGHTS_STORE_ROOT`` elsewhere). The disclosure ledgers sit beside the data in
``<store>/ledgers/``: the release ledger (what was published, for the differencing audit) and the
privacy-budget ledger (epsilon spent per dataset).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings

#: The privacy budget of one organisation's dataset (all differentially private figures together).
TOTAL_EPSILON = 10.0
#: Epsilon one dashboard chart spends (split over its tables) the first time it is drawn for a version.
CHART_EPSILON = 0.5
DEFAULT_K = 11
#: A public, data-independent window of registration years for differentially private tables.
DP_YEARS = range(2015, 2027)


def insights_root() -> Path:
    configured = getattr(settings, "INSIGHTS_STORE_ROOT", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "insights"


def store_path(organisation) -> Path:
    return insights_root() / organisation.slug


def store_for(organisation):
    from threadline.engines.insights import Store

    return Store(store_path(organisation))


def uploads_dir(organisation) -> Path:
    path = store_path(organisation) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def dataset_id(organisation) -> str:
    """One dataset per organisation: the budget and the release ledger are kept for it as a whole."""
    return f"org-{organisation.pk}"


def dataset_version(organisation) -> str:
    """Changes whenever a batch is added or removed or linkage runs (cheap: names and file stamps)."""
    store = store_for(organisation)
    parts = [p.name for p in store.batch_files()]
    clusters = store.clusters_path
    if clusters.exists():
        stat = clusters.stat()
        parts.append(f"clusters:{stat.st_mtime_ns}:{stat.st_size}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def release_ledger(organisation):
    from threadline.engines.disclosure import ReleaseLedger

    return ReleaseLedger(store_path(organisation) / "ledgers" / "releases.json")


def budget_ledger(organisation):
    from threadline.engines.disclosure import BudgetLedger

    return BudgetLedger(store_path(organisation) / "ledgers" / "budget.json", TOTAL_EPSILON)


def has_data(organisation) -> bool:
    return bool(store_for(organisation).batch_files())
