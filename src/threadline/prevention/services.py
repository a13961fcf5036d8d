"""Writes of the prevention area: keyword-only, atomic, audited (the models are ``AuditedModel``s).

Nothing written here identifies a pupil. Survey responses are recorded without the requester's address (the
audit entry says only that a response was recorded for a round); a pupil's pairing code is kept as a keyed
hash within the school; a concern's note is encrypted and never logged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import secrets
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from threadline.audit.services import audit_record
from threadline.core import context
from threadline.engines.prevention import (
    CODE_PATTERN,
    SEXES,
    DefinitionError,
    answer_problems,
    load_definition,
    scale_scores,
)
from threadline.engines.screening.model import InstrumentError
from threadline.engines.screening.validation import parse_instrument_text
from threadline.prevention import definitions
from threadline.prevention.models import (
    ClassReach,
    Concern,
    District,
    Facilitator,
    OrganisationCurriculum,
    OutcomeTally,
    ProgrammePlan,
    PublishedSummary,
    SafetyProtocol,
    School,
    SessionDelivery,
    SurveyResponse,
    SurveyRound,
    Training,
)

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a tablet
CODE_LENGTH = 6
CODE_MINUTES = 90
CURRICULUM_MAX_BYTES = 2 * 1024 * 1024
CSV_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_ACKNOWLEDGE_HOURS = 4
DEFAULT_CLOSE_HOURS = 72


class PreventionError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class CurriculumRejected(PreventionError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# -- districts, schools, facilitators -----------------------------------------------------------------------


def district_save(*, organisation, name: str, schools_total=None, pupils_total=None, district=None) -> District:
    district = district or District(organisation=organisation)
    district.name = name.strip()
    district.schools_total = schools_total
    district.pupils_total = pupils_total
    try:
        with transaction.atomic():
            district.save()
    except IntegrityError:
        raise PreventionError(_("There is already a district with this name."), "name") from None
    return district


def school_save(*, organisation, name: str, district: District, kind: str, pupils_total=None, school=None) -> School:
    if district.organisation_id != organisation.pk:
        raise PreventionError(_("Choose one of this organisation's districts."), "district")
    school = school or School(organisation=organisation)
    school.name, school.district, school.kind, school.pupils_total = name.strip(), district, kind, pupils_total
    try:
        with transaction.atomic():
            school.save()
    except IntegrityError:
        raise PreventionError(_("There is already a school with this name."), "name") from None
    return school


@transaction.atomic
def facilitator_save(*, organisation, membership, schools, is_active: bool = True) -> Facilitator:
    if membership.organisation_id != organisation.pk:
        raise PreventionError(_("Choose a member of this organisation."), "membership")
    facilitator, _created = Facilitator.objects.get_or_create(
        membership=membership, defaults={"organisation": organisation, "is_active": is_active}
    )
    if facilitator.is_active != is_active:
        facilitator.is_active = is_active
        facilitator.save()
    facilitator.schools.set([s for s in schools if s.organisation_id == organisation.pk])
    audit_record(
        action="update",
        object_type="prevention.facilitator",
        object_id=str(facilitator.pk),
        fields=["schools"],
        organisation_id=organisation.pk,
    )
    return facilitator


def training_add(*, facilitator: Facilitator, course: str, completed_on: date, hours) -> Training:
    return Training.objects.create(
        organisation=facilitator.organisation,
        facilitator=facilitator,
        course=course.strip(),
        completed_on=completed_on,
        hours=hours or 0,
    )


# -- curricula ------------------------------------------------------------------------------------------


def curriculum_upload(*, organisation, user, data: bytes, file_label: str) -> OrganisationCurriculum:
    """Validate a curriculum file with the engine and keep it; every problem as ``file: path: reason``."""
    if len(data) > CURRICULUM_MAX_BYTES:
        raise CurriculumRejected([f"{file_label}: the file is larger than 2 MB"])
    try:
        parsed = parse_instrument_text(data, file_label)
        curriculum = load_definition(parsed, source_name=file_label, kind="curriculum")
    except (DefinitionError, InstrumentError) as exc:
        raise CurriculumRejected([str(e) for e in exc.errors]) from None
    if definitions.is_shipped(curriculum.id):
        raise CurriculumRejected([f"{file_label}: id: {curriculum.id!r} is a curriculum shipped with Threadline"])
    content = curriculum.raw
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    try:
        with transaction.atomic():
            return OrganisationCurriculum.objects.create(
                organisation=organisation,
                curriculum_id=curriculum.id,
                version=curriculum.version,
                title=curriculum.text(curriculum.title)[:300],
                content=content,
                digest=digest,
                file_label=file_label[:255],
                uploaded_by=user,
            )
    except IntegrityError:
        raise CurriculumRejected(
            [f"{file_label}: version: version {curriculum.version!r} of {curriculum.id!r} is already loaded"]
        ) from None


# -- plans and sessions ---------------------------------------------------------------------------------


def plan_create(*, organisation, school: School, curriculum_key: str, questionnaire_id: str, starts_on, ends_on):
    if school.organisation_id != organisation.pk:
        raise PreventionError(_("Choose one of this organisation's schools."), "school")
    curriculum, upload = definitions.curriculum_for_key(organisation, curriculum_key)
    if curriculum is None:
        raise PreventionError(_("This curriculum is not available."), "curriculum")
    if definitions.questionnaire(questionnaire_id) is None:
        raise PreventionError(_("This questionnaire is not available."), "questionnaire")
    if ends_on < starts_on:
        raise PreventionError(_("The plan cannot end before it starts."), "ends_on")
    return ProgrammePlan.objects.create(
        organisation=organisation,
        school=school,
        curriculum_id=curriculum.id,
        curriculum_version=curriculum.version,
        curriculum_upload=upload,
        questionnaire_id=questionnaire_id,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def _attendance_clean(attendance: dict[str, dict[str, int]], bands: tuple[str, ...]) -> dict[str, dict[str, int]]:
    cleaned: dict[str, dict[str, int]] = {}
    for sex, by_band in attendance.items():
        if sex not in SEXES:
            raise PreventionError(_("Unknown sex category in the attendance."), "attendance")
        for band, count in by_band.items():
            if band not in bands:
                raise PreventionError(_("Unknown age band in the attendance."), "attendance")
            if count is None:
                continue
            if not isinstance(count, int) or count < 0 or count > 500:
                raise PreventionError(_("Attendance counts are whole numbers from 0 to 500."), "attendance")
            if count:
                cleaned.setdefault(sex, {})[band] = count
    return cleaned


@transaction.atomic
def session_log(
    *,
    user,
    plan: ProgrammePlan,
    module_session: str,
    delivered_on: date,
    class_label: str,
    attendance: dict[str, dict[str, int]],
) -> SessionDelivery:
    """Record a session delivered (``module_session`` is ``module_id/session_id`` from the plan's curriculum)
    and raise the class's precomputed reach where this session had more pupils."""
    curriculum = definitions.plan_curriculum(plan)
    if curriculum is None:
        raise PreventionError(_("The plan's curriculum version is no longer available."), "module_session")
    module_id, _sep, session_id = module_session.partition("/")
    if (module_id, session_id) not in definitions.session_keys(curriculum):
        raise PreventionError(_("Choose a session of the plan's curriculum."), "module_session")
    if delivered_on > timezone.localdate():
        raise PreventionError(_("A session cannot be logged before it happens."), "delivered_on")
    class_label = class_label.strip()
    if not class_label:
        raise PreventionError(_("Name the class (e.g. 8B), never a pupil."), "class_label")
    counts = _attendance_clean(attendance, curriculum.age_bands)
    facilitator = Facilitator.objects.filter(membership__user=user, organisation=plan.organisation).first()
    delivery = SessionDelivery.objects.create(
        organisation=plan.organisation,
        plan=plan,
        module_id=module_id,
        session_id=session_id,
        delivered_on=delivered_on,
        facilitator=facilitator,
        class_label=class_label,
        pupils=sum(n for by_band in counts.values() for n in by_band.values()),
        attendance=counts,
        recorded_by=user,
    )
    reach_update(plan=plan, class_label=class_label, counts=counts)
    return delivery


def reach_update(*, plan: ProgrammePlan, class_label: str, counts: dict[str, dict[str, int]]) -> None:
    """Keep, per class, sex and age band, the most pupils seen at one session (a pupil is reached once)."""
    school = plan.school
    for sex, by_band in counts.items():
        for band, n in by_band.items():
            row, created = ClassReach.objects.get_or_create(
                plan=plan,
                class_label=class_label,
                sex=sex,
                age_band=band,
                defaults={
                    "organisation_id": plan.organisation_id,
                    "school": school,
                    "district_id": school.district_id,
                    "pupils": n,
                },
            )
            if not created and n > row.pupils:
                ClassReach.objects.filter(pk=row.pk).update(pupils=n)


# -- survey rounds and responses ------------------------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def round_open(*, user, plan: ProgrammePlan, phase: str, class_label: str = "", minutes: int = CODE_MINUTES):
    questionnaire = definitions.questionnaire(plan.questionnaire_id)
    if questionnaire is None:
        raise PreventionError(_("The plan's questionnaire is no longer available."), "phase")
    if phase not in ("pre", "post"):
        raise PreventionError(_("Choose before or after."), "phase")
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return SurveyRound.objects.create(
                    organisation=plan.organisation,
                    plan=plan,
                    phase=phase,
                    questionnaire_id=questionnaire.id,
                    questionnaire_version=questionnaire.version,
                    class_label=class_label.strip()[:30],
                    code=_new_code(),
                    expires_at=timezone.now() + timedelta(minutes=max(5, min(minutes, 24 * 60))),
                    opened_by=user,
                )
        except IntegrityError:
            continue
    raise PreventionError(_("No free session code was found; try again."))  # pragma: no cover


def round_close(*, survey_round: SurveyRound) -> SurveyRound:
    if survey_round.closed_at is None:
        survey_round.closed_at = timezone.now()
        survey_round.save()
    return survey_round


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())[:12]


def round_for_code(code: str) -> SurveyRound | None:
    """The open, unexpired round with this session code, or None (no hint which of the three it was)."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    found = SurveyRound.objects.select_related("plan__school").filter(code=code).first()
    if found is None or found.closed_at is not None or found.expires_at <= timezone.now():
        return None
    return found


def pair_key(school_id: int, code: str) -> str:
    """The keyed hash a pupil's self-chosen code is kept as: unreadable, and matchable only within a school."""
    code = code.strip().upper()
    if not code:
        return ""
    return salted_hmac("threadline.prevention.pairing", f"{school_id}:{code}").hexdigest()[:24]


@dataclass
class CheckedResponse:
    phase: str
    sex: str
    age_band: str
    pair_key: str
    answers: dict[str, str]


@dataclass
class RowProblem:
    source: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: line {self.line}: {self.field}: {self.message}"


def _check_response(
    questionnaire, school_id: int, *, phase, sex, age_band, code, answers
) -> dict[str, str] | CheckedResponse:
    import re

    problems: dict[str, str] = {}
    phase = (phase or "").strip().lower()
    if phase not in ("pre", "post"):
        problems["phase"] = "must be 'pre' or 'post'"
    sex = (sex or "").strip().lower() or "not_stated"
    if sex not in SEXES:
        problems["sex"] = f"must be one of {', '.join(SEXES)} or empty"
    age_band = (age_band or "").strip()
    if age_band and age_band not in questionnaire.age_bands:
        problems["age_band"] = f"must be one of {', '.join(questionnaire.age_bands)} or empty"
    code = (code or "").strip()
    if code and not re.match(CODE_PATTERN, code):
        problems["code"] = "must be 2-24 letters, digits or hyphens (never a name)"
    cleaned = {k: str(v).strip() for k, v in answers.items() if str(v or "").strip()}
    problems.update(answer_problems(questionnaire, cleaned))
    if problems:
        return problems
    return CheckedResponse(phase, sex, age_band, pair_key(school_id, code), cleaned)


def _tally(organisation_id: int, questionnaire, rows: list[tuple[str, str, str, str, dict[str, str]]]) -> None:
    """Add responses (period, phase, sex, age band, answers) to the precomputed sums, one update per cell."""
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for period, phase, sex, band, answers in rows:
        sums[(period, phase, sex, band, "")][0] += 1
        for scale_id, score in scale_scores(questionnaire, answers).items():
            if score is None:
                continue
            cell = sums[(period, phase, sex, band, scale_id)]
            cell[0] += 1
            cell[1] += score
            cell[2] += score * score
    for (period, phase, sex, band, outcome), (n, total, total_sq) in sorted(sums.items()):
        key = {
            "organisation_id": organisation_id,
            "questionnaire_id": questionnaire.id,
            "period": period,
            "phase": phase,
            "sex": sex,
            "age_band": band,
            "outcome": outcome,
        }
        updated = OutcomeTally.objects.filter(**key).update(
            n=F("n") + n, total=F("total") + total, total_sq=F("total_sq") + total_sq
        )
        if not updated:
            OutcomeTally.objects.create(**key, n=n, total=total, total_sq=total_sq)


def response_record(
    *, survey_round: SurveyRound, answers: dict[str, str], sex: str, age_band: str, code: str
) -> SurveyResponse:
    """Record one pupil's answers for an open round. Raises PreventionError naming the field at fault."""
    questionnaire = definitions.questionnaire(survey_round.questionnaire_id, survey_round.questionnaire_version)
    if questionnaire is None:
        raise PreventionError(_("This survey is no longer available."))
    plan = survey_round.plan
    checked = _check_response(
        questionnaire,
        plan.school_id,
        phase=survey_round.phase,
        sex=sex,
        age_band=age_band,
        code=code,
        answers=answers,
    )
    if isinstance(checked, dict):
        name, reason = next(iter(checked.items()))
        raise PreventionError(reason, name)
    today = timezone.localdate()
    with transaction.atomic():
        response = SurveyResponse.objects.create(
            organisation_id=plan.organisation_id,
            round=survey_round,
            plan=plan,
            school_id=plan.school_id,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            phase=checked.phase,
            sex=checked.sex,
            age_band=checked.age_band,
            pair_key=checked.pair_key,
            answers=checked.answers,
            source=SurveyResponse.Source.ONLINE,
            recorded_on=today,
        )
        SurveyRound.objects.filter(pk=survey_round.pk).update(responses_count=F("responses_count") + 1)
        _tally(
            plan.organisation_id,
            questionnaire,
            [(f"{today:%Y-%m}", checked.phase, checked.sex, checked.age_band, checked.answers)],
        )
        ctx = context.current()
        # The pupil's address is not written to the audit log either: only that a response came in.
        with context.bind(
            context.RequestContext(request_id=ctx.request_id if ctx else context.new_request_id(), via="survey")
        ):
            audit_record(
                action="create",
                object_type="prevention.surveyround",
                object_id=str(survey_round.pk),
                note="response recorded",
                organisation_id=plan.organisation_id,
            )
    return response


@dataclass
class UploadReport:
    created: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def responses_upload(*, user, plan: ProgrammePlan, data: bytes, source: str, recorded_on: date | None = None):
    """Paper results typed into a CSV file: one row per pupil with ``phase``, optional ``code``, ``sex``,
    ``age_band`` and one column per item id. Every bad row is reported (file, line, field) and left out; the
    good rows are written together, or none of them."""
    questionnaire = definitions.questionnaire(plan.questionnaire_id)
    if questionnaire is None:
        raise PreventionError(_("The plan's questionnaire is no longer available."))
    if len(data) > CSV_MAX_BYTES:
        raise PreventionError(f"{source}: the file is larger than 10 MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PreventionError(f"{source}: not a UTF-8 CSV file") from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    items = [i.id for i in questionnaire.items]
    missing = [c for c in ("phase", *items) if c not in header]
    if missing:
        raise PreventionError(f"{source}: line 1: missing column(s) {', '.join(missing)}")
    unknown = [c for c in header if c not in ("phase", "code", "sex", "age_band", "instrument", "school", *items)]
    if unknown:
        raise PreventionError(f"{source}: line 1: unknown column(s) {', '.join(unknown)}")
    report = UploadReport()
    good: list[CheckedResponse] = []
    line = 1
    for row in reader:
        line = reader.line_num
        if None in row:
            report.problems.append(RowProblem(source, line, "(row)", "has more fields than the header"))
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        checked = _check_response(
            questionnaire,
            plan.school_id,
            phase=row.get("phase"),
            sex=row.get("sex"),
            age_band=row.get("age_band"),
            code=row.get("code"),
            answers={i: row.get(i) or "" for i in items},
        )
        if isinstance(checked, dict):
            report.problems.extend(RowProblem(source, line, f, m) for f, m in checked.items())
            continue
        good.append(checked)
    day = recorded_on or timezone.localdate()
    with transaction.atomic():
        SurveyResponse.objects.bulk_create(
            [
                SurveyResponse(
                    organisation_id=plan.organisation_id,
                    plan=plan,
                    school_id=plan.school_id,
                    questionnaire_id=questionnaire.id,
                    questionnaire_version=questionnaire.version,
                    phase=c.phase,
                    sex=c.sex,
                    age_band=c.age_band,
                    pair_key=c.pair_key,
                    answers=c.answers,
                    source=SurveyResponse.Source.PAPER,
                    recorded_on=day,
                )
                for c in good
            ],
            batch_size=1000,
        )
        _tally(
            plan.organisation_id, questionnaire, [(f"{day:%Y-%m}", c.phase, c.sex, c.age_band, c.answers) for c in good]
        )
        audit_record(
            action="create",
            object_type="prevention.programmeplan",
            object_id=str(plan.pk),
            note=f"{len(good)} paper responses entered",
            organisation_id=plan.organisation_id,
        )
    report.created = len(good)
    return report


# -- safeguarding ---------------------------------------------------------------------------------------


def protocol_save(
    *,
    organisation,
    designated_lead,
    steps: list[str],
    acknowledge_within_hours: int,
    close_within_hours: int,
    mandatory_reporting: str,
) -> SafetyProtocol:
    from threadline.core.permissions import has_perm

    if designated_lead.organisation_id != organisation.pk or not designated_lead.is_active:
        raise PreventionError(_("Choose an active member of this organisation."), "designated_lead")
    if not has_perm(designated_lead.user, "prevention.handle_concern", organisation):
        raise PreventionError(
            _("The designated lead's role must allow handling concerns (coordinator, supervisor or administrator)."),
            "designated_lead",
        )
    if acknowledge_within_hours < 1 or close_within_hours < acknowledge_within_hours:
        raise PreventionError(_("Handling cannot be due before acknowledgement."), "close_within_hours")
    protocol = SafetyProtocol.objects.filter(organisation=organisation).first() or SafetyProtocol(
        organisation=organisation
    )
    protocol.designated_lead = designated_lead
    protocol.steps = [s.strip() for s in steps if s.strip()]
    protocol.acknowledge_within_hours = acknowledge_within_hours
    protocol.close_within_hours = close_within_hours
    protocol.mandatory_reporting = mandatory_reporting.strip()
    protocol.save()
    return protocol


def _handlers(organisation):
    from threadline.accounts.models import Membership
    from threadline.core.roles import ROLES

    roles = [key for key, role in ROLES.items() if "prevention.handle_concern" in role.permissions]
    return Membership.objects.filter(organisation=organisation, is_active=True, role__in=roles).select_related("user")


@transaction.atomic
def concern_record(
    *,
    user,
    session: SessionDelivery,
    category: str,
    urgency: str,
    note: str,
    sex: str = "not_stated",
    age_band: str = "",
    site: str = "",
) -> Concern:
    """Record a disclosure or concern from a session in one step and tell the designated lead at once (by
    e-mail, and in their list of concerns). Without a protocol, every member who may handle concerns is told,
    with the default deadlines: a disclosure is never held back for want of configuration."""
    if category not in Concern.Category.values:
        raise PreventionError(_("Choose what was raised."), "category")
    if urgency not in Concern.Urgency.values:
        raise PreventionError(_("Choose the urgency."), "urgency")
    if sex not in SEXES:
        raise PreventionError(_("Choose a listed option."), "sex")
    protocol = (
        SafetyProtocol.objects.filter(organisation=session.organisation).select_related("designated_lead").first()
    )
    now = timezone.now()
    ack_hours = protocol.acknowledge_within_hours if protocol else DEFAULT_ACKNOWLEDGE_HOURS
    close_hours = protocol.close_within_hours if protocol else DEFAULT_CLOSE_HOURS
    if urgency == Concern.Urgency.IMMEDIATE:
        ack_hours = min(ack_hours, 1)
    concern = Concern.objects.create(
        organisation=session.organisation,
        session=session,
        school=session.plan.school,
        category=category,
        urgency=urgency,
        sex=sex,
        age_band=age_band[:12],
        note=note.strip(),
        reported_by=user,
        lead=protocol.designated_lead if protocol else None,
        received_at=now,
        acknowledge_due_at=now + timedelta(hours=ack_hours),
        close_due_at=now + timedelta(hours=close_hours),
    )
    recipients = [protocol.designated_lead] if protocol else list(_handlers(session.organisation))
    transaction.on_commit(lambda: _notify(concern, recipients, site))
    return concern


def _notify(concern: Concern, recipients, site: str = "") -> None:
    """E-mail the lead that a concern is waiting: where to look and by when, never what was said."""
    from django.urls import reverse

    subject = _("Safeguarding concern waiting for you (Threadline)")
    body = _(
        "A safeguarding concern was recorded from a prevention session and waits for you.\n"
        "Urgency: %(urgency)s. Acknowledge it by %(due)s (UTC).\n"
        "Open it in Threadline: %(path)s\n"
        "This message holds no detail on purpose."
    ) % {
        "urgency": concern.get_urgency_display(),
        "due": f"{concern.acknowledge_due_at:%Y-%m-%d %H:%M}",
        "path": site.rstrip("/") + reverse("prevention:concern_detail", kwargs={"pk": concern.pk}),
    }
    for membership in recipients:
        try:
            send_mail(subject, body, None, [membership.user.email])
        except (OSError, smtplib.SMTPException) as exc:
            logger.warning("concern notification not sent", extra={"error": type(exc).__name__})


def concern_acknowledge(*, concern: Concern, user) -> Concern:
    if concern.status == Concern.Status.RECEIVED:
        concern.status = Concern.Status.ACKNOWLEDGED
        concern.acknowledged_at = timezone.now()
        concern.save()
    return concern


def concern_close(*, concern: Concern, user, outcome: str) -> Concern:
    if outcome not in Concern.Outcome.values:
        raise PreventionError(_("Choose how the concern was handled."), "outcome")
    now = timezone.now()
    if concern.acknowledged_at is None:
        concern.acknowledged_at = now
    concern.status = Concern.Status.CLOSED
    concern.outcome = outcome
    concern.closed_at = now
    concern.save()
    return concern


def concern_open_screening(*, concern: Concern, user) -> Concern:
    """Mark that a screening is being opened for this concern (the identity is recorded there, not here)."""
    concern_acknowledge(concern=concern, user=user)
    if concern.screening_opened_at is None:
        concern.screening_opened_at = timezone.now()
        concern.save()
    return concern


# -- public summary -------------------------------------------------------------------------------------


def summary_publish(*, organisation, user) -> PublishedSummary:
    """Freeze the organisation's aggregate reach and outcomes, suppressed, for the public page."""
    from threadline.prevention import selectors

    figures = selectors.public_figures(organisation=organisation)
    return PublishedSummary.objects.create(
        organisation=organisation, figures=figures, published_by=user, published_at=timezone.now()
    )


def summary_withdraw(*, summary: PublishedSummary) -> PublishedSummary:
    if summary.withdrawn_at is None:
        summary.withdrawn_at = timezone.now()
        summary.save()
    return summary


def parse_date(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None
