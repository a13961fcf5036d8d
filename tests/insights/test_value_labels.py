"""Issue #19 item 2: every released value has a human label in the reader's language (never "0" and "1")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from threadline.insights import services
from threadline.insights.protection import value_label

pytestmark = pytest.mark.django_db


def _cells(html: str, columns: int = 2) -> list[str]:
    """The values of the first ``columns`` cells of every table row (the released fields, not the counts)."""
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[:columns]
        out.extend(re.sub(r"<[^>]+>", "", c).strip() for c in cells)
    return out


def test_value_labels_speak_the_readers_language():
    assert (value_label("isSexualExploit", "1"), value_label("isSexualExploit", "0")) == ("Yes", "No")
    assert value_label("majorityStatus", "Minor") == "Child (under 18)"
    assert value_label("ageBroad", "9--17") == "9–17" and value_label("gender", "Total") == "Total"
    assert value_label("yearOfRegistration", "2022") == "2022" and value_label("citizenship", "NG") == "NG"
    with translation.override("fr"):
        assert value_label("isForcedLabour", "1") == "Oui" and value_label("gender", "Female") == "Féminin"


def test_a_released_flag_reads_yes_and_no_on_the_release_and_public_pages(org, officer, officer_client, client, loaded):
    release = services.release_create(
        organisation=org, user=officer, title="By sexual exploitation and gender",
        fields=["gender", "isSexualExploit"], method="suppression", k=11,
    )  # fmt: skip
    services.release_publish(release=release, published=True)
    page = officer_client.get(reverse("insights:release", args=[release.pk])).content.decode()
    cells = _cells(page)
    assert "Yes" in cells and "No" in cells and "Female" in cells
    assert "0" not in cells and "1" not in cells
    legend = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert ">Yes<" in legend and ">No<" in legend and ">1<" not in legend
    public = client.get(reverse("insights:public"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Oui" in _cells(public) and "1" not in _cells(public)
