"""Fixtures of the insights tests: a private store root per test and small, controlled record files."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

HEADER = [
    "case_id",
    "yearOfRegistration",
    "gender",
    "majorityStatus",
    "citizenship",
    "CountryOfExploitation",
    "isSexualExploit",
    "isForcedLabour",
]

#: (year, gender, majority, citizenship, country, sexual, labour) -> how many people. Some cells are below k.
PLAN = {
    ("2022", "Female", "Minor", "NG", "IT", 1, 0): 30,
    ("2022", "Male", "Minor", "NG", "IT", 0, 1): 14,
    ("2022", "Female", "Adult", "RO", "DE", 1, 0): 25,
    ("2022", "Male", "Adult", "RO", "DE", 0, 1): 3,
    ("2023", "Female", "Minor", "NG", "IT", 1, 0): 20,
    ("2023", "Male", "Minor", "VN", "GB", 0, 1): 5,
    ("2023", "Female", "Adult", "RO", "DE", 1, 0): 40,
    ("2023", "Male", "Adult", "VN", "GB", 0, 1): 22,
}


def plan_rows(plan=None) -> list[list]:
    rows, n = [], 0
    for values, count in (plan or PLAN).items():
        for _ in range(count):
            n += 1
            rows.append([f"c{n:05d}", *values])
    return rows


def csv_upload(rows: list[list], header: list[str] | None = None, name: str = "partner.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


@pytest.fixture(autouse=True)
def insights_root(settings, tmp_path):
    settings.INSIGHTS_STORE_ROOT = str(tmp_path / "insights")
    return tmp_path / "insights"


@pytest.fixture
def officer(org, make_user):
    return make_user(org, "data_officer")


@pytest.fixture
def officer_client(officer, org, signed_in):
    return signed_in(officer, org)


@pytest.fixture
def loaded(org, officer):
    """The organisation's store holding the PLAN records (imported through the services, as the web does)."""
    from threadline.insights import services

    job = services.import_upload(
        organisation=org, user=officer, uploaded_file=csv_upload(plan_rows()), fmt="htcds", source="partner-a"
    )
    job = services.import_set_mapping(job=job, mapping=job.mapping)
    services.import_start(job=job, user=officer)
    job.refresh_from_db()
    assert job.status == job.Status.IMPORTED, job.report
    return job


def assert_attacker_learns_nothing(tables, true_counts, k: int = 11) -> None:
    """The attacker holds every table (``Figures``) and solves for each hidden figure by linear programming:
    none may be determined, and a hidden figure below k must span at least k-1 values.
    ``true_counts(figures)`` gives the true count of each key of a table (margins included)."""
    from threadline.engines.disclosure import canonical, hidden_intervals, table_equations

    equations, known, hidden, truth = [], {}, set(), {}
    for t in tables:
        equations.extend(table_equations(t.by, t.categories))
        true = true_counts(t)
        for key, (value, _acc) in t.cells.items():
            name = canonical(t.by, key)
            truth[name] = true.get(key, 0)
            if value is None:
                hidden.add(name)
            else:
                assert value == truth[name], name
                known[name] = value
    hidden -= known.keys()
    assert hidden, "the plan has cells below k, so something must be hidden"
    intervals = hidden_intervals(equations, known, hidden)
    for name in hidden:
        lo, hi = intervals[name]
        assert hi - lo >= 1 - 1e-6, f"{name} is determined by the published tables together"
        if 0 < truth[name] < k:
            assert hi - lo >= k - 1 - 1e-6, f"{name}: the attacker can bound a small cell too tightly"
