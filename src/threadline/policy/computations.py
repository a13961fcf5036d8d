"""Indicators computed from Threadline data, never publishing a figure that rests on fewer than 11 people.

- SDG 16.2.2 (detected victims of trafficking per 100,000 population, by sex, age group and form of
  exploitation) reads the organisation's insights store only through the protected tables of the disclosure
  engine (the dashboards' suppressed set, audited with every release of the same data version), divided by
  population figures entered as data. The reference year is the latest year with both.
- Time from identification to the first service, and the share of people given services who are not
  cooperating with criminal proceedings, read the organisation's cases (counts only) and go through the
  engine's suppression rules (:func:`median_days`, :func:`share`).
- Prevention reach: pupils reached by prevention sessions, from the prevention app's class reach (attendance by
  sex and age band, a pupil counted once per class), the total and each breakdown through :func:`headcount` and
  :func:`headcounts` (primary and complementary suppression), and the share of the reached districts' pupils.
- Prevention outcomes: the share of the survey outcomes whose mean rose after the sessions (Welch 95 % interval
  above zero), each outcome shown only with at least k pupils before and after.

SDG 8.7.1 (children in child labour) and 16.2.3 (young adults who experienced sexual violence by 18) are
survey-based prevalence figures: Threadline's records of detected victims cannot estimate them, so they are
entered by hand with their survey source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.engines.policy import Figure, K, headcount, headcounts, median_days, rate_per_100k, share


class Unavailable(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Result:
    period: str
    figure: Figure
    note: str
    breakdown: dict[str, Any] = field(default_factory=dict)


YEAR, CHILD, GENDER = "yearOfRegistration", "majorityStatus", "gender"
FORMS = {
    "isSexualExploit": "sexual_exploitation",
    "isForcedLabour": "forced_labour",
    "isForcedCriminality": "forced_criminality",
    "isOtherExploit": "other",
}


def _protected_tables(organisation) -> dict[tuple[str, ...], Any]:
    """The dashboards' protected set, then one table per form of exploitation by year, audited jointly with
    it (and recorded in the release ledger, so a later release cannot be subtracted from them)."""
    from threadline.insights.protection import compute_suppressed_set
    from threadline.insights.services import dashboard_set
    from threadline.insights.stores import dataset_version

    tables = dict(dashboard_set(organisation=organisation))
    specs = [[YEAR, f] for f in FORMS]
    for by, figures in zip(
        specs, compute_suppressed_set(organisation, specs, k=K, version=dataset_version(organisation)), strict=True
    ):
        tables[tuple(by)] = figures
    return tables


def _population(organisation) -> dict[tuple[int, str, str], int]:
    from threadline.policy.models import PopulationFigure

    rows = PopulationFigure.objects.filter(organisation=organisation).values_list(
        "year", "age_group", "sex", "population"
    )
    return {(year, age, sex): population for year, age, sex, population in rows}


def sdg_16_2_2(organisation) -> Result:
    from threadline.insights.stores import has_data

    if not has_data(organisation):
        raise Unavailable(_("There are no insights data yet: import a file first."))
    population = _population(organisation)
    tables = _protected_tables(organisation)
    base = tables.get((YEAR, CHILD, GENDER))
    if base is None or base.refused:
        raise Unavailable(_("The victim counts cannot be shown without revealing a suppressed figure."))
    years = sorted(
        (int(y) for y in base.categories.get(YEAR, []) if y.isdigit() and (int(y), "total", "total") in population),
        reverse=True,
    )
    if not years:
        raise Unavailable(_("Enter the population of a year the data cover (all ages, both sexes)."))
    year = years[0]
    y = str(year)

    def count(table, **where) -> int | None:
        return table.get(**where)[0] if table is not None and not table.refused else None

    headline = rate_per_100k(count(base, **{YEAR: y}), population[(year, "total", "total")])
    breakdown: dict[str, Any] = {"sex": {}, "age": {}, "form": {}}
    for sex, key in (("Female", "female"), ("Male", "male")):
        figure = rate_per_100k(count(base, **{YEAR: y, GENDER: sex}), population.get((year, "total", key)))
        breakdown["sex"][key] = figure.to_dict()
    for majority, key in (("Minor", "child"), ("Adult", "adult")):
        figure = rate_per_100k(count(base, **{YEAR: y, CHILD: majority}), population.get((year, key, "total")))
        breakdown["age"][key] = figure.to_dict()
    for flag, key in FORMS.items():
        figure = rate_per_100k(
            count(tables.get((YEAR, flag)), **{YEAR: y, flag: "1"}), population[(year, "total", "total")]
        )
        breakdown["form"][key] = figure.to_dict()
    note = str(_("Insights store, data version %(version)s; protected tables (k=%(k)s); population %(year)s."))
    from threadline.insights.stores import dataset_version

    return Result(
        str(year), headline, note % {"version": dataset_version(organisation), "k": K, "year": year}, breakdown
    )


def _served_cases(organisation):
    from threadline.cases.models import Case, Service

    given = [Service.Status.ONGOING, Service.Status.COMPLETED]
    return Case.objects.filter(organisation=organisation, services__status__in=given).distinct()


def time_to_services(organisation) -> Result:
    from django.db.models import Min

    from threadline.cases.models import Service

    rows = (
        _served_cases(organisation)
        .filter(identified_on__isnull=False)
        .annotate(
            first=Min(
                "services__start_on",
                filter=~_q(services__status=Service.Status.DECLINED),
            )
        )
        .values_list("identified_on", "first")
    )
    days = [(first - identified).days for identified, first in rows if first is not None]
    figure = median_days(days)
    today = timezone.localdate()
    return Result(
        str(_("to %(date)s") % {"date": today.isoformat()}),
        figure,
        str(_("Cases with an identification date and a service given; median in days.")),
    )


def _q(**kwargs):
    from django.db.models import Q

    return Q(**kwargs)


def without_cooperation(organisation) -> Result:
    from threadline.cases.models import Cooperation

    served = _served_cases(organisation)
    total = served.count()
    cooperating = served.filter(cooperation__stance=Cooperation.Stance.COOPERATING).count()
    figure = share(total - cooperating, total)
    today = timezone.localdate()
    return Result(
        str(_("to %(date)s") % {"date": today.isoformat()}),
        figure,
        str(_("People given services (ongoing or completed) who are not cooperating with criminal proceedings.")),
    )


def prevention_reach(organisation) -> Result:
    from threadline.prevention import selectors as prevention

    cells = prevention.reach_cells(organisation=organisation)
    by_sex: dict[str, int] = {}
    by_band: dict[str, int] = {}
    for (sex, band), n in cells.items():
        by_sex[sex] = by_sex.get(sex, 0) + n
        by_band[band] = by_band.get(band, 0) + n
    total = sum(cells.values())
    figure = headcount(total)
    breakdown: dict[str, Any] = {
        "sex": {name: f.to_dict() for name, f in headcounts(by_sex).items()},
        "age_band": {name: f.to_dict() for name, f in sorted(headcounts(by_band).items())},
    }
    whole = prevention.pupils_in_reached_districts(organisation=organisation)
    breakdown["coverage"] = {"share_of_district_pupils": share(total, whole).to_dict()}
    today = timezone.localdate()
    return Result(
        str(_("to %(date)s") % {"date": today.isoformat()}),
        figure,
        str(_("Pupils reached by prevention sessions (most present at one session, per class, sex and age band).")),
        breakdown,
    )


def prevention_outcomes(organisation) -> Result:
    """The share of the programme's survey outcomes (knowledge, attitudes, help-seeking ...) whose mean rose
    from before to after the sessions with a 95 % interval above zero. Each outcome's change is shown only
    when both the pupils before and after are at least k (the prevention dashboard's suppression, unpaired
    Welch interval); the headline rests on the outcomes shown and counts the pupils of the largest of them."""
    from threadline.prevention import selectors as prevention

    cells: dict[str, Any] = {}
    shown = improved = pupils = 0
    for overall in prevention.outcome_changes(organisation=organisation):
        n = min(int(overall.get("n_pre") or 0), int(overall.get("n_post") or 0))
        change = overall.get("change")
        if overall.get("suppressed") or change is None or n < K:
            cells[overall["title"]] = Figure(None, None).to_dict()
            continue
        shown += 1
        pupils = max(pupils, n)
        low = overall.get("ci_low")
        improved += int(change > 0 and (low is None or low > 0))
        cells[overall["title"]] = {**Figure(round(float(change), 3), n).to_dict(), "unit": overall["unit"]}
    figure = Figure(round(100 * improved / shown, 1), pupils) if shown else Figure(None, None)
    today = timezone.localdate()
    return Result(
        str(_("to %(date)s") % {"date": today.isoformat()}),
        figure,
        str(
            _(
                "Outcomes whose mean rose after the sessions with a 95 per cent interval above zero, of %(shown)s "
                "outcomes with at least %(k)s pupils before and after; the change per outcome is shown below."
            )
            % {"shown": shown, "k": K}
        ),
        {"outcome": cells},
    )


COMPUTATIONS = {
    "sdg_16_2_2": sdg_16_2_2,
    "prevention_outcomes": prevention_outcomes,
    "prevention_reach": prevention_reach,
    "time_to_services": time_to_services,
    "without_cooperation": without_cooperation,
}


def compute(source: str, *, organisation) -> Result:
    try:
        function = COMPUTATIONS[source]
    except KeyError as exc:
        raise Unavailable(_("This indicator is entered by hand.")) from exc
    return function(organisation)
