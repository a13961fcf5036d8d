"""Public codebooks: each category once, spelled as the insights store spells it."""

import pytest

from threadline.engines.disclosure.fields import public_codebook


@pytest.mark.parametrize("field", ["RecruiterRelationship", "gender", "ageBroad", "majorityStatus", "isSexualExploit"])
def test_codebook_categories_are_unique(field):
    codebook = public_codebook(field)
    assert len(codebook) == len(set(codebook))


def test_recruiter_codebook_matches_the_store_spelling():
    from threadline.engines.insights.schema import ENUM_COLUMNS

    assert set(ENUM_COLUMNS["RecruiterRelationship"]) <= set(public_codebook("RecruiterRelationship"))
