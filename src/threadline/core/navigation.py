"""The sections a user sees on the home page and in the menu, by permission. Areas add theirs here."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from threadline.core.permissions import has_perm


@dataclass(frozen=True)
class Section:
    title: str
    description: str
    url_name: str
    permission: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


SECTIONS: list[Section] = [
    Section(
        _("Members"),
        _("People in this organisation and their roles."),
        "accounts:members",
        "accounts.view_membership",
    ),
    Section(_("Audit log"), _("Who did what, when: tamper-evident."), "audit:list", "audit.view_auditentry"),
    Section(_("Background tasks"), _("Long jobs and their progress."), "core:tasks", "core.view_task"),
]


def register_section(section: Section, *, position: int | None = None) -> None:
    if any(s.url_name == section.url_name for s in SECTIONS):
        return
    SECTIONS.insert(len(SECTIONS) if position is None else position, section)


def sections_for(user, organisation) -> list[Section]:
    visible = []
    for section in SECTIONS:
        if not has_perm(user, section.permission, organisation):
            continue
        try:
            section.url  # noqa: B018 - only offer sections whose pages exist
        except NoReverseMatch:
            continue
        visible.append(section)
    return visible
