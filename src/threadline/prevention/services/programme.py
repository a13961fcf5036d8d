"""Districts, schools, facilitators and their training, curricula, plans, sessions and the published summary."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from threadline.audit.services import audit_record
from threadline.engines.prevention import (
    SEXES,
    DefinitionError,
    load_definition,
)
from threadline.engines.screening.model import InstrumentError
from threadline.engines.screening.validation import parse_instrument_text
from threadline.prevention import definitions
from threadline.prevention.models import (
    ClassReach,
    District,
    Facilitator,
    OrganisationCurriculum,
    ProgrammePlan,
    PublishedSummary,
    School,
    SessionDelivery,
    Training,
)
from threadline.prevention.services.common import CURRICULUM_MAX_BYTES, CurriculumRejected, PreventionError

logger = logging.getLogger(__name__)

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
