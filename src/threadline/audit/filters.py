from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from threadline.audit.models import AuditEntry


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Case code or person"),
        required=False,
        help_text=_("A case code, or a person's name or email: entries about them or by them."),
    )
    actor = forms.CharField(label=_("Who (email)"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("Any")), *AuditEntry.Action.choices])
    object_type = forms.CharField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def apply(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["actor"]:
            queryset = queryset.filter(actor_label__icontains=data["actor"].strip())
        if data["action"]:
            queryset = queryset.filter(action=data["action"])
        if data["object_type"]:
            queryset = queryset.filter(object_type=data["object_type"].strip())
        if data["object_id"]:
            queryset = queryset.filter(object_id=data["object_id"].strip())
        if data["since"]:
            queryset = queryset.filter(at__date__gte=data["since"])
        if data["until"]:
            queryset = queryset.filter(at__date__lte=data["until"])
        return queryset
