"""Reads: which instruments an organisation may use, the interview's steps, screenings and their statistics."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from threadline.engines.screening import (
    OUTCOMES,
    Indicator,
    Instrument,
    InstrumentError,
    UnknownInstrument,
    get_instrument,
    installed_instruments,
    load_instrument,
)
from threadline.screening import handoff
from threadline.screening.labels import STRENGTH_LABELS
from threadline.screening.models import OrganisationInstrument, ReferralContact, Screening

UPLOAD_PREFIX = "upload-"
ANCHOR_STEP = "anchors"

#: Asked after a result with indicators: about the person's safety now, not about what happened.
SAFETY_QUESTIONS: tuple[tuple[str, object], ...] = (
    ("danger_now", _("Is the person in danger now, or is someone who may harm them nearby or waiting for them?")),
    ("safe_place_tonight", _("Does the person have a safe place to stay tonight?")),
    ("urgent_medical_care", _("Does the person need urgent medical care?")),
    ("other_children_at_risk", _("Are other children known to be at risk in the same situation?")),
)
#: The answer to each safety question that calls for immediate action.
SAFETY_ALARM = {
    "danger_now": "yes",
    "safe_place_tonight": "no",
    "urgent_medical_care": "yes",
    "other_children_at_risk": "yes",
}
SAFETY_ANSWERS = ("yes", "no", "unknown")


#: Instrument statuses that mean "not validated": never in the same list as the published instruments.
UNVALIDATED_STATUSES = ("example", "draft")


class InstrumentUnavailable(LookupError):
    """The instrument (at the version a screening used) is not installed or no longer offered here."""


def instrument_digest(instrument: Instrument) -> str:
    """SHA-256 of the instrument's content as canonical JSON: identifies exactly what a result was based on."""
    canonical = json.dumps(instrument.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


_UPLOADED_CACHE: dict[str, Instrument] = {}


def instrument_from_upload(upload: OrganisationInstrument) -> Instrument:
    """The engine's instrument for a stored upload (validated when it was stored; cached by content)."""
    cached = _UPLOADED_CACHE.get(upload.digest)
    if cached is None:
        try:
            cached = load_instrument(upload.content, source_name=upload.file_name or upload.instrument_id)
        except InstrumentError as exc:  # a stored file the current engine no longer accepts
            raise InstrumentUnavailable(upload.instrument_id) from exc
        if len(_UPLOADED_CACHE) > 200:
            _UPLOADED_CACHE.clear()
        _UPLOADED_CACHE[upload.digest] = cached
    return cached


@dataclass(frozen=True)
class InstrumentChoice:
    """An instrument a worker may start a screening with: shipped, or uploaded by the organisation."""

    key: str
    instrument: Instrument
    upload: OrganisationInstrument | None = None

    @property
    def is_shipped(self) -> bool:
        return self.upload is None

    @property
    def is_validated(self) -> bool:
        """Examples and drafts are not validated: offered apart, and used only after a warning."""
        return self.instrument.status not in UNVALIDATED_STATUSES

    def title(self, language: str) -> str:
        return self.instrument.text("title", language)


def instrument_choices(*, user, organisation, include_inactive: bool = False) -> list[InstrumentChoice]:
    """Shipped instruments (published first, then examples) and the organisation's uploads the user may see."""
    shipped = sorted(installed_instruments(), key=lambda i: (i.status != "published", i.id))
    choices = [InstrumentChoice(key=inst.id, instrument=inst) for inst in shipped]
    uploads = OrganisationInstrument.objects.restrict(user, "view", organisation)
    if not include_inactive:
        uploads = uploads.filter(is_active=True)
    for upload in uploads.order_by("instrument_id", "-created_at"):
        try:
            instrument = instrument_from_upload(upload)
        except InstrumentUnavailable:
            continue
        choices.append(InstrumentChoice(key=f"{UPLOAD_PREFIX}{upload.pk}", instrument=instrument, upload=upload))
    return choices


def instrument_choice(*, user, organisation, key: str) -> InstrumentChoice:
    """One offered instrument by its choice key; raises ``InstrumentUnavailable``."""
    for choice in instrument_choices(user=user, organisation=organisation):
        if choice.key == key:
            return choice
    raise InstrumentUnavailable(key)


def instrument_for_screening(screening: Screening) -> Instrument:
    """The exact instrument version a screening was started with; raises ``InstrumentUnavailable``."""
    if screening.instrument_upload_id:
        return instrument_from_upload(screening.instrument_upload)
    try:
        instrument = get_instrument(screening.instrument_id)
    except UnknownInstrument as exc:
        raise InstrumentUnavailable(screening.instrument_id) from exc
    if instrument.version != screening.instrument_version:
        raise InstrumentUnavailable(f"{screening.instrument_id} {screening.instrument_version}")
    return instrument


@dataclass(frozen=True)
class Step:
    """One page of the interview: a dimension, or the instrument's items outside the dimensions (anchors)."""

    number: int
    key: str
    title: str
    help: str
    indicators: tuple[Indicator, ...]


def screening_steps(instrument: Instrument, language: str) -> list[Step]:
    steps = []
    for number, dim in enumerate(instrument.dimensions):
        help_key = f"dimension.{dim.id}.help"
        steps.append(
            Step(
                number=number,
                key=dim.id,
                title=instrument.text(f"dimension.{dim.id}.name", language),
                help=instrument.text(help_key, language) if dim.help else "",
                indicators=dim.indicators,
            )
        )
    if instrument.anchors:
        steps.append(
            Step(
                number=len(steps),
                key=ANCHOR_STEP,
                title=str(_("Other questions")),
                help="",
                indicators=instrument.anchors,
            )
        )
    return steps


def indicator_texts(instrument: Instrument, indicator: Indicator, language: str) -> dict[str, str]:
    texts = {
        "name": instrument.text(f"indicator.{indicator.id}.name", language),
        "question": instrument.text(f"indicator.{indicator.id}.question", language),
        "help": "",
    }
    if indicator.help:
        texts["help"] = instrument.text(f"indicator.{indicator.id}.help", language)
    return texts


def result_explanation(screening: Screening, instrument, language: str) -> list[dict]:
    """The result's dimensions with the indicators that made them positive, in ``language``."""

    def name(indicator_id: str, fallback: str = "") -> str:
        if instrument is None:
            return fallback or indicator_id
        try:
            return instrument.text(f"indicator.{indicator_id}.name", language)
        except KeyError:
            return fallback or indicator_id

    rows = []
    for dim in screening.result.get("dimensions", []):
        title = dim.get("name", dim["id"])
        if instrument is not None:
            with contextlib.suppress(KeyError):
                title = instrument.text(f"dimension.{dim['id']}.name", language)
        counts = [(STRENGTH_LABELS.get(k, k), v) for k, v in dim.get("counts", {}).items() if v]
        rows.append(
            {
                "id": dim["id"],
                "name": title,
                "positive": dim.get("positive", False),
                "indicators": [
                    {"name": name(i["id"]), "strength": STRENGTH_LABELS.get(i.get("strength") or "", "")}
                    for i in dim.get("indicators", [])
                ],
                "counts": counts,
                "declined": len(dim.get("declined", [])),
                "not_known": len(dim.get("not_known", [])),
            }
        )
    return rows


def screening_list(*, user, organisation, status: str = "", outcome: str = ""):
    screenings = Screening.objects.restrict(user, "view", organisation).select_related("screened_by")
    if status:
        screenings = screenings.filter(status=status)
    if outcome:
        screenings = screenings.filter(outcome=outcome)
    return screenings


def referral_contacts_for(*, user, organisation, is_child: bool):
    contacts = ReferralContact.objects.restrict(user, "view", organisation).filter(is_active=True)
    return contacts.filter(for_children=True) if is_child else contacts.filter(for_adults=True)


def safety_alarms(screening: Screening) -> list[str]:
    """The safety questions whose recorded answer calls for immediate action."""
    return [key for key, alarm in SAFETY_ALARM.items() if screening.safety.get(key) == alarm]


@dataclass(frozen=True)
class ScreeningStatistics:
    total: int
    completed: int
    in_progress: int
    children: int
    by_outcome: list[tuple[str, int]]
    by_dimension: list[tuple[str, int]]
    by_instrument: list[tuple[str, int]]


def screening_statistics(*, user, organisation) -> ScreeningStatistics:
    """Counts for the organisation: screenings, outcomes, and how often each dimension was positive."""
    screenings = Screening.objects.restrict(user, "summarise", organisation)
    total = screenings.count()
    completed = screenings.filter(status=Screening.Status.COMPLETED)
    outcome_counts = dict(completed.values_list("outcome").annotate(n=Count("pk")).order_by())
    by_outcome = [(outcome, outcome_counts.get(outcome, 0)) for outcome in reversed(OUTCOMES)]
    dimensions: Counter[str] = Counter()
    for positive in completed.values_list("positive_dimensions", flat=True).iterator():
        dimensions.update(positive or [])
    by_instrument = list(completed.values_list("instrument_id").annotate(n=Count("pk")).order_by("-n", "instrument_id"))
    return ScreeningStatistics(
        total=total,
        completed=completed.count(),
        in_progress=screenings.filter(status=Screening.Status.IN_PROGRESS).count(),
        children=completed.filter(is_child=True).count(),
        by_outcome=by_outcome,
        by_dimension=sorted(dimensions.items(), key=lambda item: (-item[1], item[0])),
        by_instrument=by_instrument,
    )


def dimension_names(language: str) -> dict[str, str]:
    """Readable names for dimension ids across the shipped instruments (statistics are per dimension id)."""
    names: dict[str, str] = {}
    for instrument in installed_instruments():
        for dim in instrument.dimensions:
            names.setdefault(dim.id, instrument.text(f"dimension.{dim.id}.name", language))
    return names


def screening_cases(*, screening: Screening, user) -> list:
    """Protection cases already opened from this screening that the user may see (none without case
    management)."""
    cases = handoff.current()
    return cases.opened(screening=screening, user=user) if cases is not None else []
