"""Monitoring: the policy's results chain, its indicators (entered by hand or computed from Threadline data,
disclosure-controlled), their values and reviews, and the population figures the rates are computed with."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.policy import computations
from threadline.policy.models import Indicator, IndicatorValue, Policy, PopulationFigure, ResultsChainItem
from threadline.policy.services.common import PolicyError


@transaction.atomic
def results_item_add(*, policy: Policy, user, level: str, description: str) -> ResultsChainItem:
    if not description.strip():
        raise PolicyError(_("Describe the result."), "description")
    position = policy.results.count()
    return ResultsChainItem.objects.create(policy=policy, level=level, description=description, position=position)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    return day  # pragma: no cover - some day of every month exists


@transaction.atomic
def indicator_create(
    *,
    policy: Policy,
    user,
    name: str,
    source: str = Indicator.Source.MANUAL,
    unit: str = "",
    baseline=None,
    baseline_year=None,
    target=None,
    target_year=None,
    review_every_months: int = 6,
    next_review_on: date | None = None,
    result=None,
) -> Indicator:
    if not name.strip():
        raise PolicyError(_("Name the indicator."), "name")
    if result is not None and result.policy_id != policy.pk:
        raise PolicyError(_("That result belongs to another policy."), "result")
    return Indicator.objects.create(
        policy=policy,
        result=result,
        name=name,
        source=source,
        unit=unit,
        baseline=baseline,
        baseline_year=baseline_year,
        target=target,
        target_year=target_year,
        review_every_months=review_every_months,
        next_review_on=next_review_on or _add_months(timezone.localdate(), review_every_months),
    )


@transaction.atomic
def indicator_value_add(*, indicator: Indicator, user, period: str, value: Decimal) -> IndicatorValue:
    if indicator.is_computed:
        raise PolicyError(_("This indicator is computed from Threadline data: use Recompute."))
    if not period.strip():
        raise PolicyError(_("Give the period."), "period")
    return IndicatorValue.objects.create(indicator=indicator, period=period, value=value, recorded_by=user)


@transaction.atomic
def indicator_recompute(*, indicator: Indicator, user=None) -> IndicatorValue:
    """Compute the indicator from Threadline data (disclosure-controlled) and add the result as a new value."""
    try:
        result = computations.compute(indicator.source, organisation=indicator.policy.organisation)
    except computations.Unavailable as exc:
        raise PolicyError(exc.message) from exc
    return IndicatorValue.objects.create(
        indicator=indicator,
        period=result.period,
        value=None if result.figure.suppressed else Decimal(str(result.figure.value)),
        suppressed=result.figure.suppressed,
        breakdown=result.breakdown,
        source_note=result.note[:300],
        computed=True,
        recorded_by=user,
    )


def indicators_recompute_for(*, organisation, user=None, sources: set[str] | None = None) -> int:
    """Recompute every computed indicator of the organisation (after an insights import, for instance).
    One that cannot be computed is skipped; the others still get their new value."""
    done = 0
    indicators = Indicator.objects.filter(policy__organisation=organisation).exclude(source=Indicator.Source.MANUAL)
    if sources is not None:
        indicators = indicators.filter(source__in=sources)
    for indicator in indicators.select_related("policy__organisation"):
        try:
            indicator_recompute(indicator=indicator, user=user)
        except PolicyError:
            continue
        done += 1
    return done


@transaction.atomic
def indicator_reviewed(*, indicator: Indicator, user) -> Indicator:
    today = timezone.localdate()
    indicator.last_reviewed_on = today
    indicator.next_review_on = _add_months(today, indicator.review_every_months)
    indicator.save()
    return indicator


@transaction.atomic
def population_save(
    *, organisation, user, year: int, age_group: str, sex: str, population: int, source: str = ""
) -> PopulationFigure:
    if population <= 0:
        raise PolicyError(_("The population must be positive."), "population")
    row = PopulationFigure.objects.filter(organisation=organisation, year=year, age_group=age_group, sex=sex).first()
    if row is None:
        return PopulationFigure.objects.create(
            organisation=organisation, year=year, age_group=age_group, sex=sex, population=population, source=source
        )
    row.population, row.source = population, source
    row.save()
    return row
