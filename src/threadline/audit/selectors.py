"""Audit reads for people: internal names (``cases.case:211``) shown as case codes and people's names.

The audit record stores only types and ids, never labels. Labels are resolved when the page is shown, through
the viewer's own scoped querysets: a viewer who may not see cases sees ``cases.case:211``, as before. The same
look-ups turn a search for a case code or a name into the ids the log holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from threadline.audit.models import AuditEntry
from threadline.core.permissions import has_perm

#: Records labelled (and searched) by one of their own fields: object type -> field.
OWN_LABELS = {
    "cases.case": "code",
    "screening.screening": "reference",
    "online.investigation": "title",
    "insights.importjob": "file_name",
}
#: Records of a case, labelled "<case code> · <what it is>".
CASE_PARTS = (
    "cases.childview",
    "cases.consent",
    "cases.assessment",
    "cases.service",
    "cases.plantask",
    "cases.approval",
    "cases.cooperation",
    "cases.referral",
)
PERSON = "accounts.user"
#: Entries of one request, action and type are shown as one row from this many on (a dashboard writes 26).
GROUP_FROM = 3


def _model(object_type: str):
    app_label, _dot, model_name = object_type.partition(".")
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _scoped(object_type: str, user, organisation) -> QuerySet | None:
    """The records of this type the viewer may see; for cases and their parts also those whose code the viewer
    may see in the audit log (``cases.label_case``: auditors and administrators, who see no case data)."""
    model = _model(object_type)
    if model is None or not hasattr(model.objects, "restrict"):
        return None
    visible = model.objects.restrict(user, "view", organisation)
    if (object_type == "cases.case" or object_type in CASE_PARTS) and has_perm(user, "cases.label_case", organisation):
        org_field = getattr(model, "organisation_field", "organisation")
        return model.objects.filter(**{org_field: organisation})
    return visible


def _people(user, organisation) -> dict[int, str]:
    """Members of the organisation the viewer may list (``accounts.view_membership``), as "Name <email>" (or the
    email alone). The user model is reached through Django's ``get_user_model()``: audit sits below accounts."""
    if not has_perm(user, "accounts.view_membership", organisation):
        return {}
    members = get_user_model().objects.filter(memberships__organisation=organisation).distinct()
    return {
        person.pk: (f"{person.display_name} <{person.email}>" if person.display_name else person.email)
        for person in members
    }


def _recorded_emails(ids: Iterable[str], *, user, organisation) -> dict[int, str]:
    """The email the log itself recorded for these people as actors (the viewer reads those entries anyway)."""
    entries = AuditEntry.objects.restrict(user, "view", organisation).filter(actor_id__in=[int(i) for i in ids])
    return dict(entries.exclude(actor_label="").order_by().values_list("actor_id", "actor_label").distinct())


def object_labels(entries: Iterable[AuditEntry], *, user, organisation) -> dict[tuple[str, str], str]:
    """(object type, object id) -> a label the viewer may see, for the entries on one page."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.object_id:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    labels: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        numeric = [i for i in ids if i.isdigit()] if object_type != "insights.importjob" else list(ids)
        if object_type == PERSON:
            people = {**_recorded_emails(numeric, user=user, organisation=organisation), **_people(user, organisation)}
            labels.update({(PERSON, i): people[int(i)] for i in numeric if int(i) in people})
            continue
        scoped = _scoped(object_type, user, organisation)
        if scoped is None or not numeric:
            continue
        if object_type in OWN_LABELS:
            shown = OWN_LABELS[object_type]
            rows = scoped.filter(pk__in=numeric).values_list("pk", shown)
            labels.update({(object_type, str(pk)): str(value) for pk, value in rows})
        elif object_type in CASE_PARTS:
            noun = str(scoped.model._meta.verbose_name)
            rows = scoped.filter(pk__in=numeric).values_list("pk", "case__code")
            labels.update({(object_type, str(pk)): f"{code} · {noun}" for pk, code in rows})
    return labels


def actor_names(entries: Iterable[AuditEntry], *, user, organisation) -> dict[int, str]:
    """Actor id -> "Name <email>" for members the viewer may list (others keep the recorded email)."""
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    if not ids:
        return {}
    return {pk: label for pk, label in _people(user, organisation).items() if pk in ids}


def search(queryset: QuerySet, text: str, *, user, organisation) -> QuerySet:
    """Entries about a case code, a person's name or email, or by that person, among what the viewer may see."""
    text = text.strip()
    if not text:
        return queryset
    condition = Q(actor_label__icontains=text)
    person_ids = [
        str(pk)
        for pk, label in _people(user, organisation).items()
        if text.lower() in label.lower()  # names are few per organisation: matched here, not in SQL
    ]
    if person_ids:
        condition |= Q(actor_id__in=[int(i) for i in person_ids]) | Q(object_type=PERSON, object_id__in=person_ids)
    for object_type, shown in OWN_LABELS.items():
        scoped = _scoped(object_type, user, organisation)
        if scoped is not None:
            ids = [str(pk) for pk in scoped.filter(**{f"{shown}__icontains": text}).values_list("pk", flat=True)[:500]]
            if ids:
                condition |= Q(object_type=object_type, object_id__in=ids)
    for object_type in CASE_PARTS:
        scoped = _scoped(object_type, user, organisation)
        if scoped is not None:
            ids = [str(pk) for pk in scoped.filter(case__code__icontains=text).values_list("pk", flat=True)[:500]]
            if ids:
                condition |= Q(object_type=object_type, object_id__in=ids)
    return queryset.filter(condition)


@dataclass
class Row:
    """One line of the audit page: an entry, or a run of like entries of one request shown together."""

    entry: AuditEntry
    label: str = ""
    actor: str = ""
    group: list[AuditEntry] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.group) or 1

    @property
    def last_pk(self) -> int:
        return (self.group or [self.entry])[-1].pk


def rows_for(entries: list[AuditEntry], *, user, organisation) -> list[Row]:
    """The page's entries with their labels, runs of ``GROUP_FROM`` or more like entries of one request folded
    into one row (a dashboard computation writes 26 at a time)."""
    labels = object_labels(entries, user=user, organisation=organisation)
    actors = actor_names(entries, user=user, organisation=organisation)
    rows: list[Row] = []
    run: list[AuditEntry] = []

    def flush():
        if len(run) >= GROUP_FROM:
            rows.append(Row(run[0], actor=actors.get(run[0].actor_id, ""), group=list(run)))
        else:
            for e in run:
                label = labels.get((e.object_type, e.object_id), "")
                rows.append(Row(e, label=label, actor=actors.get(e.actor_id, "")))
        run.clear()

    for entry in entries:
        if run and not (
            entry.request_id
            and entry.request_id == run[0].request_id
            and (entry.action, entry.object_type, entry.actor_id)
            == (run[0].action, run[0].object_type, run[0].actor_id)
        ):
            flush()
        run.append(entry)
    flush()
    return rows
