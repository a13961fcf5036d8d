"""Issue #19 item 3: the Trends chart shows the change on the year before, says why girls and boys of a year
are hidden (complementary suppression) and how to get the figure, and the year filter offers only years with
data."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.insights.conftest import csv_upload, plan_rows

pytestmark = pytest.mark.django_db

PLAN = {
    ("2022", "Female", "Minor", "NG", "IT", 1, 0): 40,
    ("2022", "Male", "Minor", "NG", "IT", 0, 1): 30,
    ("2022", "Transgender/NonConforming", "Minor", "NG", "IT", 1, 0): 2,
    ("2022", "Female", "Adult", "RO", "DE", 1, 0): 40,
    ("2022", "Male", "Adult", "RO", "DE", 0, 1): 30,
    ("2023", "Female", "Minor", "NG", "IT", 1, 0): 45,
    ("2023", "Male", "Minor", "VN", "GB", 0, 1): 35,
    ("2023", "Female", "Adult", "RO", "DE", 1, 0): 40,
    ("2023", "Male", "Adult", "VN", "GB", 0, 1): 30,
}


@pytest.fixture
def trends_data(org, officer):
    from threadline.insights import services

    job = services.import_upload(organisation=org, user=officer, uploaded_file=csv_upload(plan_rows(PLAN)),
                                 fmt="htcds", source="partner-a")  # fmt: skip
    services.import_start(job=services.import_set_mapping(job=job, mapping=job.mapping), user=officer)


def test_trends_show_the_change_and_say_why_a_year_is_hidden(officer_client, trends_data):
    page = officer_client.get(reverse("insights:dashboard", args=["trends"])).content.decode()
    chart = page.split('id="chart-trends"')[1].split("</section>")[0]
    svg = re.search(r"<svg.*?</svg>", chart, re.S).group(0)
    assert "2023 (+" in svg  # the change on the year before, drawn with the chart
    assert "complementary suppression" in chart and "2022 (72 children)" in chart
    assert "coarser breakdown" in chart


def test_the_year_filter_offers_only_years_with_data(officer_client, trends_data):
    page = officer_client.get(reverse("insights:dashboard", args=["scale"])).content.decode()
    options = re.findall(r'<option value="(\d{4})"', page.split('id="f-year"')[1].split("</select>")[0])
    assert options == ["2022", "2023"]
