"""Survey rounds with their codes, and pupils' responses, answered online or uploaded from paper."""

from __future__ import annotations

import csv
import io
import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

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
    answer_problems,
    scale_scores,
)
from threadline.prevention import definitions
from threadline.prevention.models import (
    OutcomeTally,
    ProgrammePlan,
    SurveyResponse,
    SurveyRound,
)
from threadline.prevention.services.common import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_MINUTES,
    CSV_MAX_BYTES,
    PreventionError,
)

logger = logging.getLogger(__name__)

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


def tallies_add(organisation_id: int, questionnaire, rows: list[tuple[str, str, str, str, dict[str, str]]]) -> None:
    """Add responses (period, phase, sex, age band, answers) to the precomputed sums, one update per cell.

    Recording and uploading call it; a bulk load (the dashboard benchmark) calls it once for all its rows."""
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
        tallies_add(
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
        tallies_add(
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
