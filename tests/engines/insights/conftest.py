"""Fixtures of the insights engine tests (no database, no Django; also run with ``-p no:django``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadline.engines.insights.schema import CTDC_COLUMNS, CTDC_SYNTHETIC_COLUMNS

KEY = b"test-linkage-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def _encryption_keys():
    """Overrides the root autouse fixture: these tests need no keys, settings or Django."""
    yield


def ctdc_row(**overrides: str) -> list[str]:
    """A valid 63-column CTDC row (values as text), with overrides by column name."""
    values = dict.fromkeys(CTDC_COLUMNS, "-99")
    values.update(
        {
            "yearOfRegistration": "2019",
            "Datasource": "Case Management",
            "gender": "Female",
            "ageBroad": "9--17",
            "majorityStatus": "Minor",
            "majorityStatusAtExploit": "Minor",
            "majorityEntry": "Unknown",
            "citizenship": "UA",
            "CountryOfExploitation": "PL",
            "isSexualExploit": "1",
            "isForcedLabour": "0",
            "meansOfControlThreats": "1",
            "meansOfControlConcatenated": "Threats",
            "typeOfSexProstitution": "1",
            "RecruiterRelationship": "Friend",
            "recruiterRelationFriend": "1",
        }
    )
    values.update(overrides)
    return [values[c] for c in CTDC_COLUMNS]


def write_ctdc(path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    lines = [";".join(header or CTDC_COLUMNS)] + [";".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def synthetic_row(**overrides: str) -> list[str]:
    values = dict.fromkeys(CTDC_SYNTHETIC_COLUMNS, "0")
    values.update(
        {
            "yearOfRegistration": "2021",
            "gender": "Woman",
            "ageBroad": "9--17",
            "citizenship": "VN",
            "CountryOfExploitation": "GBR",
            "traffickMonths": "0--12",
            "isSexualExploit": "1",
            "meansAbusePsyPhySex": "1",
        }
    )
    values.update(overrides)
    return [values[c] for c in CTDC_SYNTHETIC_COLUMNS]


@pytest.fixture(scope="session")
def linked(tmp_path_factory):
    """A store of 4,000 synthetic records from 3 agencies, imported and linked once per session."""
    from threadline.engines.insights import import_file, link
    from threadline.engines.insights.synthetic import generate, write_agency_files

    base = tmp_path_factory.mktemp("linked")
    files = write_agency_files(generate(4000, 3, seed=7), base / "synth")
    store = base / "store"
    for f in files:
        rep = import_file(f, "htcds", f.stem, store)
        assert rep.stored, rep.validation.summary()
    report = link(store, truth=base / "synth" / "truth.csv")
    return store, report, base / "synth"
