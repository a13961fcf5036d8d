"""Writes: uploading instruments, running a screening step by step, recording its result and next steps.

Every write goes through an ``AuditedModel`` save, so it is in the audit log with the changed field names.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

from django.core.exceptions import ValidationError as Refusal
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.core.errors import error_text
from threadline.engines.screening import (
    ANSWERS,
    Instrument,
    InstrumentError,
    ValidationError,
    evaluate,
    installed_instruments,
    load_instrument_text,
)
from threadline.screening import handoff, selectors
from threadline.screening.models import OrganisationInstrument, ReferralContact, Screening

MAX_UPLOAD_BYTES = 512 * 1024
REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,39}$")
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: easy to read aloud and copy
MAX_NOTE_CHARS = 2000


class ScreeningError(ValueError):
    """A request the screening cannot honour; ``message`` is safe to show (never contains submitted data)."""

    def __init__(self, message, *, field: str = ""):
        self.message = message
        self.field = field  # the input it is about, when there is one (the API reports it there)
        super().__init__(str(message))


class InstrumentUploadError(ValueError):
    """An uploaded instrument file was refused; ``errors`` name the file, the field path and the reason."""

    def __init__(self, errors: list[ValidationError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


# -- instruments ---------------------------------------------------------------------------------------


def _digest(instrument: Instrument) -> str:
    return selectors.instrument_digest(instrument)


@transaction.atomic
def instrument_upload(*, organisation, user, file_name: str, content: bytes) -> OrganisationInstrument:
    """Validate an instrument file (YAML or JSON) and store it as a new version for the organisation."""
    file_name = (file_name or "instrument").rsplit("/", 1)[-1][:255]
    if len(content) > MAX_UPLOAD_BYTES:
        raise InstrumentUploadError(
            [ValidationError(file_name, "", f"the file is larger than {MAX_UPLOAD_BYTES // 1024} KB")]
        )
    try:
        instrument = load_instrument_text(content, file_name)
    except InstrumentError as exc:
        raise InstrumentUploadError(exc.errors) from exc
    if instrument.id in {shipped.id for shipped in installed_instruments()}:
        raise InstrumentUploadError(
            [ValidationError(file_name, "id", f"'{instrument.id}' is the id of a shipped instrument; choose another")]
        )
    if OrganisationInstrument.objects.filter(
        organisation=organisation, instrument_id=instrument.id, version=instrument.version
    ).exists():
        raise InstrumentUploadError(
            [
                ValidationError(
                    file_name,
                    "version",
                    f"version '{instrument.version}' of '{instrument.id}' is already stored; "
                    "give the file a new version",
                )
            ]
        )
    upload = OrganisationInstrument(
        organisation=organisation,
        instrument_id=instrument.id,
        version=instrument.version,
        title=instrument.title[:300],
        content=instrument.to_dict(),
        digest=_digest(instrument),
        file_name=file_name,
        uploaded_by=user,
    )
    upload.save()
    return upload


@transaction.atomic
def instrument_set_active(*, instrument: OrganisationInstrument, user, is_active: bool) -> OrganisationInstrument:
    """Offer (or stop offering) an uploaded version for new screenings; screenings that used it keep it."""
    instrument.is_active = is_active
    instrument.save()
    return instrument


# -- screenings ----------------------------------------------------------------------------------------


def new_reference() -> str:
    """A pseudonymous reference such as ``S-7KQ2MD``: identifies the screening, never the person."""
    return "S-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(6))


def _clean_reference(reference: str) -> str:
    reference = (reference or "").strip()
    if not reference:
        return new_reference()
    if not REFERENCE_PATTERN.match(reference):
        raise ScreeningError(_("Use a code, not a name: up to 40 letters, digits and - _ . / without spaces."))
    return reference


def _is_child(age_group: str) -> bool:
    if age_group not in Screening.AgeGroup.values:
        raise ScreeningError(_("Choose the person's age group."))
    # An unknown age is treated as a child: the under-18 rules protect more, and age can be corrected later.
    return age_group != Screening.AgeGroup.ADULT


@transaction.atomic
def screening_start(
    *, organisation, user, instrument_key: str, reference: str, age_group: str, language: str
) -> Screening:
    """Start an interview with one instrument version; the version and its content digest are kept."""
    try:
        choice = selectors.instrument_choice(user=user, organisation=organisation, key=instrument_key)
    except selectors.InstrumentUnavailable as exc:
        raise ScreeningError(_("This instrument is not offered here."), field="instrument") from exc
    instrument = choice.instrument
    screening = Screening(
        organisation=organisation,
        reference=_clean_reference(reference),
        age_group=age_group,
        is_child=_is_child(age_group),
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        instrument_digest=_digest(instrument),
        instrument_upload=choice.upload,
        language=(language or "en")[:10],
        screened_by=user,
    )
    screening.save()
    return screening


def _check_open(screening: Screening) -> None:
    if screening.is_completed:
        raise ScreeningError(_("This screening is completed; its answers can no longer change."))


def _clean_answers(instrument: Instrument, allowed_ids: set[str], answers: Mapping[str, str]) -> dict[str, str]:
    cleaned = {}
    for indicator_id, answer in answers.items():
        if indicator_id not in allowed_ids:
            raise ScreeningError(
                _("An answer names an indicator that is not in this part of the instrument."), field="answers"
            )
        if answer in ("", None):
            continue
        if answer not in ANSWERS:
            raise ScreeningError(_("Answers are yes, no, not known or declined."), field="answers")
        cleaned[indicator_id] = answer
    return cleaned


@transaction.atomic
def screening_save_step(
    *, screening: Screening, user, step: int, answers: Mapping[str, str], note: str = "", next_step: int | None = None
) -> Screening:
    """Record one step's answers and note; ``next_step`` is where the worker resumes (None: stay)."""
    _check_open(screening)
    instrument = selectors.instrument_for_screening(screening)
    steps = selectors.screening_steps(instrument, "en")
    if not 0 <= step < len(steps):
        raise ScreeningError(_("This step does not exist."))
    current = steps[step]
    cleaned = _clean_answers(instrument, {i.id for i in current.indicators}, answers)
    merged = {k: v for k, v in screening.answers.items() if k not in {i.id for i in current.indicators}}
    merged.update(cleaned)
    screening.answers = merged
    notes = screening.notes_by_dimension()
    notes[current.key] = (note or "")[:MAX_NOTE_CHARS]
    screening.set_notes_by_dimension(notes)
    if next_step is not None:
        screening.step = max(0, min(next_step, len(steps)))
    screening.save()
    return screening


def _record_result(screening: Screening, instrument: Instrument) -> None:
    result = evaluate(instrument, screening.answers, is_child=screening.is_child)
    screening.outcome = result.outcome
    screening.result = result.to_dict("en")
    screening.positive_dimensions = list(result.positive_dimensions)
    screening.status = Screening.Status.COMPLETED
    screening.completed_at = timezone.now()


@transaction.atomic
def screening_complete(*, screening: Screening, user) -> Screening:
    """Evaluate the answers with the screening's instrument version and store the explained result."""
    _check_open(screening)
    instrument = selectors.instrument_for_screening(screening)
    if screening.instrument_digest != _digest(instrument):
        raise ScreeningError(_("The instrument file changed since this screening started; start a new screening."))
    _record_result(screening, instrument)
    screening.save()
    return screening


@transaction.atomic
def screening_create_complete(
    *,
    organisation,
    user,
    instrument_key: str,
    reference: str,
    age_group: str,
    answers: Mapping[str, str],
    language: str = "en",
) -> Screening:
    """A whole screening at once (API): start, record every answer, evaluate."""
    screening = screening_start(
        organisation=organisation,
        user=user,
        instrument_key=instrument_key,
        reference=reference,
        age_group=age_group,
        language=language,
    )
    instrument = selectors.instrument_for_screening(screening)
    screening.answers = _clean_answers(instrument, {i.id for i in instrument.indicators}, answers)
    _record_result(screening, instrument)
    screening.save()
    return screening


@transaction.atomic
def screening_record_safety(*, screening: Screening, user, answers: Mapping[str, str]) -> Screening:
    """Record the immediate safety questions (asked after a result with indicators)."""
    known = {key for key, _label in selectors.SAFETY_QUESTIONS}
    cleaned = {}
    for key, answer in answers.items():
        if key not in known or answer not in (*selectors.SAFETY_ANSWERS, ""):
            raise ScreeningError(_("Answer each safety question with yes, no or not known."))
        if answer:
            cleaned[key] = answer
    screening.safety = cleaned
    screening.save()
    alarms = selectors.safety_alarms(screening)
    cases = handoff.current()
    if alarms and cases is not None:
        cases.flag_safety(screening=screening, user=user, concerns=alarms)
    return screening


def cases_available() -> bool:
    """Whether a case-management area offers opening a protection case from a screening."""
    return handoff.current() is not None


def screening_open_case(*, screening: Screening, user):
    """Open a protection case from a completed screening with indicators; the case-management area opens it and
    keeps the link (``threadline.screening.handoff``)."""
    if not screening.is_completed or not screening.is_possible_victim:
        raise ScreeningError(_("A protection case opens from a completed screening with indicators."))
    cases = handoff.current()
    if cases is None:
        raise ScreeningError(_("Case management is not installed here."))
    try:
        return cases.open(screening=screening, user=user, safety_concerns=selectors.safety_alarms(screening))
    except Refusal as exc:
        raise ScreeningError(error_text(exc)) from exc


# -- referral contacts ---------------------------------------------------------------------------------

CONTACT_FIELDS = (
    "name",
    "description",
    "phone",
    "email",
    "hours",
    "for_children",
    "for_adults",
    "position",
    "is_active",
)


@transaction.atomic
def referral_contact_save(*, organisation, user, contact: ReferralContact | None = None, **values) -> ReferralContact:
    """Create (``contact=None``) or update one of the organisation's referral contacts."""
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown referral contact fields: {sorted(unknown)}")
    if contact is None:
        contact = ReferralContact(organisation=organisation)
    elif contact.organisation_id != organisation.pk:
        raise ScreeningError(_("This contact belongs to another organisation."))
    for name, value in values.items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def referral_contact_delete(*, contact: ReferralContact, user) -> None:
    contact.delete()
