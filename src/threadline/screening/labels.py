"""Worker-facing labels for answers and strengths (translatable; the stored values stay the engine's)."""

from django.utils.translation import gettext_lazy as _

ANSWER_LABELS = {
    "yes": _("Yes"),
    "no": _("No"),
    "unknown": _("Not known"),
    "declined": _("Declined to answer"),
}
SAFETY_LABELS = {"yes": _("Yes"), "no": _("No"), "unknown": _("Not known")}
STRENGTH_LABELS = {"strong": _("strong"), "medium": _("medium"), "weak": _("weak")}
