from __future__ import annotations

import csv

import pytest

from threadline.engines.prevention import get_questionnaire


@pytest.fixture(scope="session")
def pupils():
    return get_questionnaire("pupil-prepost-starter")


def write_csv(path, questionnaire, rows):
    """Write response rows (dicts overriding a complete, valid default row) and return the path."""
    columns = ["instrument", "phase", "code", "school", "sex", "age_band", *(i.id for i in questionnaire.items)]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        for row in rows:
            base = {
                "instrument": questionnaire.id,
                "phase": "pre",
                "code": "",
                "school": "s1",
                "sex": "female",
                "age_band": questionnaire.age_bands[0],
            }
            for item in questionnaire.items:
                base[item.id] = "3" if item.kind == "agreement" else str(item.correct)
            base.update(row)
            writer.writerow(base)
    return path
