"""Curricula and questionnaires available to an organisation: the engine's shipped files and the versions the
organisation loaded. Curricula are chosen by key: the shipped id, or ``upload-<pk>`` for a loaded version."""

from __future__ import annotations

from dataclasses import dataclass

from threadline.engines.prevention import (
    Curriculum,
    Questionnaire,
    UnknownDefinition,
    get_curriculum,
    get_questionnaire,
    installed_curricula,
    installed_questionnaires,
    load_definition,
)


def is_shipped(curriculum_id: str) -> bool:
    return any(c.id == curriculum_id for c in installed_curricula())


@dataclass(frozen=True)
class CurriculumChoice:
    key: str
    curriculum: Curriculum
    upload: object | None

    def title(self, language: str = "en") -> str:
        return self.curriculum.text(self.curriculum.title, language)


def curriculum_choices(organisation) -> list[CurriculumChoice]:
    from threadline.prevention.models import OrganisationCurriculum

    choices = [CurriculumChoice(c.id, c, None) for c in installed_curricula()]
    for upload in OrganisationCurriculum.objects.filter(organisation=organisation):
        choices.append(CurriculumChoice(f"upload-{upload.pk}", _loaded(upload), upload))
    return choices


def _loaded(upload) -> Curriculum:
    return load_definition(upload.content, source_name=upload.file_label or upload.curriculum_id, kind="curriculum")


def curriculum_for_key(organisation, key: str):
    """(curriculum, upload or None) for a choice key of this organisation; (None, None) when unknown."""
    from threadline.prevention.models import OrganisationCurriculum

    if key.startswith("upload-"):
        try:
            upload = OrganisationCurriculum.objects.get(organisation=organisation, pk=int(key.removeprefix("upload-")))
        except (ValueError, OrganisationCurriculum.DoesNotExist):
            return None, None
        return _loaded(upload), upload
    try:
        return get_curriculum(key), None
    except UnknownDefinition:
        return None, None


def plan_curriculum(plan) -> Curriculum | None:
    if plan.curriculum_upload_id:
        return _loaded(plan.curriculum_upload)
    try:
        found = get_curriculum(plan.curriculum_id)
    except UnknownDefinition:
        return None
    return found if found.version == plan.curriculum_version else None


def session_keys(curriculum: Curriculum) -> list[tuple[str, str]]:
    return [(m["id"], s["id"]) for m in curriculum.modules for s in m["sessions"]]


def session_choices(curriculum: Curriculum, language: str = "en") -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices ``module/session`` for a select, module titles as groups."""
    groups = []
    for module in curriculum.modules:
        options = [(f"{module['id']}/{s['id']}", curriculum.text(s["title"], language)) for s in module["sessions"]]
        groups.append((curriculum.text(module["title"], language), options))
    return groups


def module_title(curriculum: Curriculum | None, module_id: str, language: str = "en") -> str:
    if curriculum is None:
        return module_id
    for module in curriculum.modules:
        if module["id"] == module_id:
            return curriculum.text(module["title"], language)
    return module_id


def questionnaire(questionnaire_id: str, version: str | None = None) -> Questionnaire | None:
    try:
        found = get_questionnaire(questionnaire_id)
    except UnknownDefinition:
        return None
    if version is not None and found.version != version:
        return None
    return found


def questionnaire_choices(language: str = "en") -> list[tuple[str, str]]:
    return [(q.id, f"{q.text(q.title, language)} ({q.version})") for q in installed_questionnaires()]
