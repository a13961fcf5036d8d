"""The dashboards: which protected tables each chart needs, and how a chart reads them.

A chart never sees a record: it reads published figures of protected tables (``Figures``). Filters pick a
*slice* of a table that already contains the filter's field, so filtering never creates a new table whose
difference with another could reveal a suppressed cell. A filter a chart's tables do not contain does not
apply to that chart (the page says so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from threadline.engines.disclosure import MISSING, OTHER
from threadline.engines.insights.schema import MEANS_OF_CONTROL
from threadline.insights.models import Method
from threadline.insights.protection import Figures, field_label
from threadline.insights.stores import CHART_EPSILON, DEFAULT_K, DP_YEARS

YEAR, GENDER, CHILD = "yearOfRegistration", "gender", "majorityStatus"
BASE = [YEAR, CHILD, GENDER]
EXPLOITATION = ["isSexualExploit", "isForcedLabour", "isForcedCriminality", "isOtherExploit"]
# The CTDC means of control shown on the dashboards ("Other" and "NotSpecified" are not patterns).
MEANS = [f"meansOfControl{m}" for m in MEANS_OF_CONTROL if m not in {"Other", "NotSpecified"}]
RECRUITERS = ["IntimatePartner", "Friend", "Family", "Other"]
GROUPS = [
    (_("Girls"), "Minor", "Female"),
    (_("Boys"), "Minor", "Male"),
    (_("Women"), "Adult", "Female"),
    (_("Men"), "Adult", "Male"),
]
SECTIONS = {
    "scale": _("Scale"),
    "patterns": _("Patterns"),
    "trends": _("Trends"),
}
FILTER_LABELS = {YEAR: _("Year"), GENDER: _("Gender"), CHILD: _("Child or adult")}
FILTER_VALUES = {
    GENDER: {"Female", "Male", "Transgender/NonConforming"},
    CHILD: {"Minor", "Adult"},
}


def filters_from(query) -> dict[str, str]:
    """The dashboard filters asked for in a query string (``request.GET``); an unknown value is no filter."""
    allowed = {YEAR: {str(y) for y in DP_YEARS}, **FILTER_VALUES}
    return {name: (query.get(name, "") if query.get(name, "") in values else "") for name, values in allowed.items()}


def method_from(query) -> str:
    """The protection asked for in a query string: differential privacy, or suppression by default."""
    return Method.DP if query.get("method") == Method.DP else Method.SUPPRESSION


def protection_text(method: str) -> str:
    """How the figures shown with ``method`` are protected, in a sentence for the page and the downloads."""
    if method == Method.DP:
        return gettext(
            # xgettext:no-python-format
            "Differentially private counts (OpenDP): each chart spends epsilon {e:g} of this dataset's budget once "
            "per version of the data; ± gives the half-width of a 95 % interval around the true count."
        ).format(e=CHART_EPSILON)
    return gettext(
        "Cells below k={k} are suppressed, with complementary suppression so that totals cannot reveal them."
    ).format(k=DEFAULT_K)


@dataclass
class Point:
    value: float | None  # None: suppressed, or not computable from published figures
    accuracy: float | None = None
    percent: bool = False

    @property
    def text(self) -> str:
        if self.value is None:
            return str(_("suppressed"))
        shown = f"{self.value:.1f} %" if self.percent else f"{int(self.value):,}"
        if self.accuracy is not None:
            shown += f" ± {self.accuracy:.1f}" if self.percent else f" ± {self.accuracy:.0f}"
        return shown


@dataclass
class ChartData:
    slug: str
    title: str
    description: str
    columns: list[str]
    rows: list[tuple[str, list[Point]]]
    chart_columns: list[int] = field(default_factory=list)  # which columns the chart draws
    notes: list[str] = field(default_factory=list)
    refused: str = ""
    ignored_filters: list[str] = field(default_factory=list)

    @property
    def percent(self) -> bool:
        return any(p.percent for c in self.chart_columns for _, points in self.rows[:1] for p in [points[c]])


@dataclass(frozen=True)
class Chart:
    slug: str
    section: str
    title: str
    description: str
    tables: Callable[[], list[list[str]]]
    filters: tuple[str, ...]
    build: Callable[[list[Figures], dict[str, str]], ChartData]


def _point(figures: Figures, **where) -> Point:
    value, acc = figures.get(**where)
    return Point(None if value is None else float(value), acc)


def _share(part: Point, whole: Point) -> Point:
    if part.value is None or whole.value is None or whole.value <= 0:
        return Point(None, percent=True)
    acc = None
    if part.accuracy is not None:
        # A rough half-width for the ratio: the numerator's error over the denominator.
        acc = 100 * part.accuracy / whole.value
    return Point(100 * part.value / whole.value, acc, percent=True)


def _years(figures: Figures) -> list[str]:
    return [y for y in figures.categories.get(YEAR, []) if y.isdigit()]


def _dp_visible_years(figures: Figures, years: list[str]) -> list[str]:
    """With noise, years outside the data show small noisy counts: keep those clearly above the noise."""
    if figures.method != "dp":
        return years
    keep = []
    for y in years:
        value, acc = figures.get(yearOfRegistration=y)
        if value is not None and acc is not None and value > acc:
            keep.append(y)
    return keep


def _build_by_year(tables: list[Figures], filters: dict[str, str]) -> ChartData:
    t = tables[0]
    g = filters.get(GENDER) or None
    rows = []
    for y in _dp_visible_years(t, _years(t)):
        rows.append(
            (
                y,
                [
                    _point(t, yearOfRegistration=y, majorityStatus="Minor", gender=g),
                    _point(t, yearOfRegistration=y, majorityStatus="Adult", gender=g),
                    _point(t, yearOfRegistration=y, gender=g),
                ],
            )
        )
    return ChartData(
        "by_year", "", "", [str(_("Children")), str(_("Adults")), str(_("All victims"))], rows, chart_columns=[0, 1]
    )


def _build_children_share(tables: list[Figures], filters: dict[str, str]) -> ChartData:
    t = tables[0]
    y = filters.get(YEAR) or None
    groups = [(str(label), _point(t, yearOfRegistration=y, majorityStatus=m, gender=g)) for label, m, g in GROUPS]
    known = None
    if all(p.value is not None for _, p in groups):
        known = Point(sum(p.value for _, p in groups))  # type: ignore[misc]
        accs = [p.accuracy for _, p in groups if p.accuracy is not None]
        if accs:
            known.accuracy = None
    children = _point(t, yearOfRegistration=y, majorityStatus="Minor")
    adults = _point(t, yearOfRegistration=y, majorityStatus="Adult")
    both = Point(None if children.value is None or adults.value is None else children.value + adults.value)
    rows = [(str(_("Children (all genders)")), [children, _share(children, both)])]
    for label, p in groups:
        rows.append((label, [p, _share(p, known) if known else Point(None, percent=True)]))
    return ChartData(
        "children_share",
        "",
        "",
        [str(_("Victims")), str(_("Share of victims with known age and gender"))],
        rows,
        chart_columns=[1],
    )


def _build_trends(tables: list[Figures], filters: dict[str, str]) -> ChartData:
    t = tables[0]
    rows = []
    hidden_by_gender = []
    previous: Point | None = None
    for y in _dp_visible_years(t, _years(t)):
        children = _point(t, yearOfRegistration=y, majorityStatus="Minor")
        girls = _point(t, yearOfRegistration=y, majorityStatus="Minor", gender="Female")
        boys = _point(t, yearOfRegistration=y, majorityStatus="Minor", gender="Male")
        change = Point(None, percent=True)
        if previous is not None and previous.value and children.value is not None:
            change = Point(100 * (children.value - previous.value) / previous.value, percent=True)
        # The chart draws girls and boys: the year's label carries the change, so the chart shows it too.
        label = y if change.value is None else f"{y} ({change.value:+.1f} %)"
        rows.append((label, [girls, boys, children, change]))
        if children.value is not None and (girls.value is None or boys.value is None) and t.method != "dp":
            hidden_by_gender.append((y, int(children.value)))
        previous = children
    notes = []
    if hidden_by_gender:
        years = ", ".join(_("{year} ({children} children)").format(year=y, children=n) for y, n in hidden_by_gender)
        notes.append(
            str(
                _(
                    "Girls and boys are hidden in {years} although the year's children are shown: complementary "
                    "suppression. A smaller group of the same year (children of another or unknown gender) is "
                    "below k, and showing girls and boys would let anyone work it out from the total. The "
                    "children total of those years is shown; for girls and boys ask for a coarser breakdown, "
                    "e.g. a release by gender and child or adult over several years."
                )
            ).format(years=years)
        )
    return ChartData(
        "trends",
        "",
        "",
        [str(_("Girls")), str(_("Boys")), str(_("All children")), str(_("Children: change on the year before"))],
        rows,
        chart_columns=[0, 1],
        notes=notes,
    )


def _build_exploitation(tables: list[Figures], filters: dict[str, str]) -> ChartData:
    columns = [field_label(t.by[0]) for t in tables]
    rows = []
    for label, m, g in GROUPS:
        points = []
        for t in tables:
            f = t.by[0]
            yes = _point(t, **{f: "1", CHILD: m, GENDER: g})
            no = _point(t, **{f: "0", CHILD: m, GENDER: g})
            known = Point(None if yes.value is None or no.value is None else yes.value + no.value)
            points.append(_share(yes, known))
        rows.append((str(label), points))
    return ChartData("exploitation", "", "", columns, rows, chart_columns=list(range(len(columns))))


def _build_recruiter(tables: list[Figures], filters: dict[str, str]) -> ChartData:
    y, m = filters.get(YEAR) or None, filters.get(CHILD) or None
    rows = []
    for t in tables:
        f = t.by[0]
        rows.append((field_label(f), [_point(t, **{f: "1", YEAR: y, CHILD: m})]))
    return ChartData("recruiter", "", "", [str(_("Victims"))], rows, chart_columns=[0])


def _build_means(tables: list[Figures], filters: dict[str, str]) -> ChartData:
    y, m = filters.get(YEAR) or None, filters.get(CHILD) or None
    rows = []
    for t in tables:
        f = t.by[0]
        rows.append((field_label(f), [_point(t, **{f: "1", YEAR: y, CHILD: m})]))
    rows.sort(key=lambda r: -(r[1][0].value or -1))
    return ChartData("means", "", "", [str(_("Victims"))], rows, chart_columns=[0])


def _build_flows(tables: list[Figures], filters: dict[str, str]) -> ChartData:
    t = tables[0]
    flows = []
    for key, (value, acc) in t.cells.items():
        if None in key or value is None:
            continue
        if all(end in (OTHER, MISSING) for end in key):
            continue  # "Other -> Other" says nothing about a flow
        if t.method == "dp" and value <= (acc or 0):
            continue
        if value > 0:
            flows.append((f"{key[0]} → {key[1]}", Point(float(value), acc)))
    flows.sort(key=lambda r: -(r[1].value or 0))
    return ChartData("flows", "", "", [str(_("Victims"))], [(label, [p]) for label, p in flows[:15]], chart_columns=[0])


CHARTS: list[Chart] = [
    Chart(
        "by_year",
        "scale",
        _("Victims by year"),
        _("Estimated victims (each linked person once) by year of registration, children and adults."),
        lambda: [BASE],
        (GENDER,),
        _build_by_year,
    ),
    Chart(
        "children_share",
        "scale",
        _("Share of children: girls and boys"),
        _("Girls, boys, women and men; shares use only victims whose age and gender are known."),
        lambda: [BASE],
        (YEAR,),
        _build_children_share,
    ),
    Chart(
        "exploitation",
        "patterns",
        _("Exploitation by gender and age"),
        _("Share of each group exploited in each form (a person can suffer several forms)."),
        lambda: [[f, CHILD, GENDER] for f in EXPLOITATION],
        (),
        _build_exploitation,
    ),
    Chart(
        "recruiter",
        "patterns",
        _("Recruiter relationship"),
        _("Who recruited the victim."),
        lambda: [[f"recruiterRelation{r}", CHILD, YEAR] for r in RECRUITERS],
        (YEAR, CHILD),
        _build_recruiter,
    ),
    Chart(
        "means",
        "patterns",
        _("Means of control"),
        _("Victims subjected to each means of control."),
        lambda: [[f, CHILD, YEAR] for f in MEANS],
        (YEAR, CHILD),
        _build_means,
    ),
    Chart(
        "flows",
        "patterns",
        _("Flows: citizenship to country of exploitation"),
        _("The largest flows (ISO country codes); countries outside the 12 largest on each side are grouped as Other."),
        lambda: [["citizenship", "CountryOfExploitation"]],
        (),
        _build_flows,
    ),
    Chart(
        "trends",
        "trends",
        _("Children year over year"),
        _("Girls and boys by year of registration, and the change in children on the year before."),
        lambda: [BASE],
        (),
        _build_trends,
    ),
]
CHARTS_BY_SLUG = {c.slug: c for c in CHARTS}
#: Country fields keep their largest categories only (the rest is "Other"): a 12 x 12 flows table is dense
#: enough to show; with every country of at least k victims most of its cells would be below k.
MAX_CATEGORIES = {"citizenship": 12, "CountryOfExploitation": 12}


def suppressed_specs() -> list[list[str]]:
    """Every table the dashboards show with suppression, once each (they are protected as one set)."""
    out: list[list[str]] = []
    for chart in CHARTS:
        out.extend(by for by in chart.tables() if by not in out)
    return out


def charts_in(section: str) -> list[Chart]:
    return [c for c in CHARTS if c.section == section]


def _notes(tables: list[Figures]) -> list[str]:
    """One line on the protection of the chart's tables (how many figures hidden, or epsilon and accuracy)."""
    if not tables:
        return []
    if tables[0].method == "dp":
        spent = sum(t.epsilon or 0 for t in tables)
        return [
            str(
                _(
                    # xgettext:no-python-format
                    "Differentially private: epsilon {e:.3g} spent on these figures; "
                    "± is the half-width of a 95 % interval."
                )
            ).format(e=spent)
        ]
    total = sum(len(t.cells) for t in tables)
    hidden = sum(1 for t in tables for v, _a in t.cells.values() if v is None)
    return [
        str(
            _(
                "{hidden} of {total} figures of the underlying protected tables are suppressed "
                "(below k={k}, or to protect those)."
            )
        ).format(hidden=hidden, total=total, k=tables[0].k)
    ]


def chart_data(chart: Chart, tables: list[Figures], filters: dict[str, str]) -> ChartData:
    refused = next((t.refused for t in tables if t.refused), "")
    if refused:
        data = ChartData(chart.slug, "", "", [], [], refused=refused)
    else:
        data = chart.build(tables, filters)
        data.notes = [*_notes(tables), *data.notes]
    data.title = str(chart.title)
    data.description = str(chart.description)
    data.ignored_filters = [
        str(FILTER_LABELS[f])
        for f, v in filters.items()
        if v and not (f in chart.filters and tables and all(f in t.by for t in tables))
    ]
    return data
