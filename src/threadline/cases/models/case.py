"""The case: a pseudonymous code, minimal encrypted identity, HTCDS details and the child's own views."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from threadline.audit.mixins import AuditedModel
from threadline.cases import vocabulary as v
from threadline.core.fields import EncryptedTextField
from threadline.core.querysets import RestrictedQuerySet
from threadline.core.validators import validate_country_code, validate_country_codes

# The case's field sets, declared once here and read by services, forms, serializers and exports.
#
# The fields that identify a person. They are encrypted, never listed, and read only through an audited view.
IDENTITY_FIELDS = ("full_name", "date_of_birth", "contact", "address", "guardian_name", "guardian_contact")
# Free text about the person's story and best interests: never listed, erased with the identity.
NARRATIVE_FIELDS = ("route_notes", "best_interests")
# The "identifying data" page: identity, narrative and the date of the best-interests determination.
SENSITIVE_FIELDS = (*IDENTITY_FIELDS, *NARRATIVE_FIELDS, "best_interests_on")
# The non-identifying HTCDS details (the "case details" page).
DETAIL_FIELDS = (
    "child_status",
    "gender",
    "age_at_registration",
    "citizenship",
    "guardian_role",
    "guardian_appointed_on",
    "recruitment",
    "recruiter_relation",
    "means_of_control",
    "exploitation",
    "other_exploitation",
    "country_of_exploitation",
    "transit_countries",
    "identification_method",
    "identified_on",
    "screening_instrument",
    "screening_outcome",
    "reflection_start",
    "reflection_end",
)
# What a service may set when it opens or updates a case.
EDITABLE_FIELDS = frozenset({*SENSITIVE_FIELDS, *DETAIL_FIELDS, "assigned_to", "opened_on"})
# The case's own record-keeping fields (shown everywhere the case is).
RECORD_FIELDS = ("code", "status", "opened_on", "closed_on")
# The case as the API gives it: record and details (the guardian's role and appointment stay on the pages).
API_FIELDS = (
    "id",
    *RECORD_FIELDS,
    *(name for name in DETAIL_FIELDS if name not in ("guardian_role", "guardian_appointed_on")),
    "reflection_days_remaining",
    "anonymised_at",
)
# The person's own record (access export), in the model's order; the multi-valued fields are given apart.
ACCESS_EXPORT_FIELDS = (
    *RECORD_FIELDS,
    *IDENTITY_FIELDS[:4],
    "child_status",
    "gender",
    "age_at_registration",
    "citizenship",
    *IDENTITY_FIELDS[4:],
    "guardian_role",
    "recruitment",
    "recruiter_relation",
    "exploitation",
    "country_of_exploitation",
    "transit_countries",
    "route_notes",
    "identification_method",
    "identified_on",
    "screening_instrument",
    "screening_outcome",
    "best_interests",
    "reflection_start",
    "reflection_end",
)
# The non-identifying summary a referral shares (with the person's consent to share a summary).
SUMMARY_FIELDS = (
    "child_status",
    "gender",
    "age_at_registration",
    "citizenship",
    "exploitation",
    "other_exploitation",
    "means_of_control",
    "recruitment",
    "recruiter_relation",
    "country_of_exploitation",
    "transit_countries",
    "reflection_start",
    "reflection_end",
)


class Case(AuditedModel, models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="cases")
    code = models.CharField(_("case code"), max_length=24, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=v.Status.choices, default=v.Status.OPEN)
    opened_on = models.DateField(_("opened on"), default=date.today)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(_("closure reason"), max_length=200, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("caseworker"),
    )

    # Identifying data: minimal and encrypted at rest.
    full_name = EncryptedTextField(_("name"), blank=True)
    date_of_birth = EncryptedTextField(_("date of birth"), blank=True)
    contact = EncryptedTextField(_("contact"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)

    # Person, non-identifying.
    child_status = models.CharField(
        _("child status"), max_length=16, choices=v.ChildStatus.choices, default=v.ChildStatus.UNKNOWN
    )
    gender = models.CharField(_("gender"), max_length=16, choices=v.Gender.choices, default=v.Gender.UNKNOWN)
    age_at_registration = models.PositiveSmallIntegerField(_("age at registration"), null=True, blank=True)
    citizenship = models.CharField(
        _("citizenship"), max_length=2, blank=True, help_text=_("ISO 3166 alpha-2"), validators=[validate_country_code]
    )

    # Guardian or appointed representative.
    guardian_name = EncryptedTextField(_("guardian or representative"), blank=True)
    guardian_contact = EncryptedTextField(_("guardian contact"), blank=True)
    guardian_role = models.CharField(_("guardian role"), max_length=60, blank=True)
    guardian_appointed_on = models.DateField(_("guardian appointed on"), null=True, blank=True)

    # HTCDS: recruitment, control, exploitation, movement.
    recruitment = models.CharField(
        _("recruitment"), max_length=24, choices=v.Recruitment.choices, default=v.Recruitment.UNKNOWN
    )
    recruiter_relation = models.CharField(
        _("relation to recruiter"),
        max_length=20,
        choices=v.RecruiterRelation.choices,
        default=v.RecruiterRelation.UNKNOWN,
    )
    means_of_control = models.JSONField(_("means of control"), default=list, blank=True)
    exploitation = models.CharField(
        _("main type of exploitation"),
        max_length=24,
        choices=v.Exploitation.choices,
        default=v.Exploitation.UNKNOWN,
    )
    other_exploitation = models.JSONField(_("other types of exploitation"), default=list, blank=True)
    country_of_exploitation = models.CharField(
        _("country of exploitation"), max_length=2, blank=True, validators=[validate_country_code]
    )
    transit_countries = models.CharField(
        _("transit countries"),
        max_length=60,
        blank=True,
        help_text=_("ISO alpha-2 codes, comma-separated"),
        validators=[validate_country_codes],
    )
    route_notes = EncryptedTextField(_("route"), blank=True)

    # How the person was identified and screened.
    identification_method = models.CharField(
        _("identified through"),
        max_length=20,
        choices=v.IdentificationMethod.choices,
        default=v.IdentificationMethod.OTHER,
    )
    identified_on = models.DateField(_("identified on"), null=True, blank=True)
    screening_instrument = models.CharField(_("screening instrument"), max_length=80, blank=True)
    screening_outcome = models.CharField(_("screening outcome"), max_length=80, blank=True)
    screening_ref = models.CharField(max_length=40, blank=True, editable=False)
    screening = models.ForeignKey(
        "screening.Screening", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    safety_concerns = models.JSONField(
        _("immediate safety concerns"),
        default=list,
        blank=True,
        help_text=_("Safety answers from the screening that call for action today."),
    )

    # Best interests (children) and the recovery and reflection period.
    best_interests = EncryptedTextField(_("best-interests assessment"), blank=True)
    best_interests_on = models.DateField(_("best-interests assessment date"), null=True, blank=True)
    reflection_start = models.DateField(_("recovery and reflection period starts"), null=True, blank=True)
    reflection_end = models.DateField(_("recovery and reflection period ends"), null=True, blank=True)

    # Set when a case arrives by an accepted referral or transfer.
    received_from = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("identify_case", "Can read identifying data of a case"),
            ("approve_case", "Can approve assessments, plans and closures"),
            ("export_case", "Can export non-identifying case fields"),
            ("access_export_case", "Can export a person's own record for them"),
            ("erase_case", "Can erase identifying data on request"),
            ("label_case", "Can see case codes in the audit log"),
        ]
        indexes = [
            models.Index(fields=["organisation", "-opened_on", "-id"], name="case_org_opened"),
            # The filter, then the sort, then status: the status filter is checked inside the index.
            models.Index(fields=["organisation", "status", "-opened_on"], name="case_org_status"),
            models.Index(fields=["organisation", "exploitation", "-opened_on", "status"], name="case_org_exploit"),
            models.Index(fields=["organisation", "child_status", "-opened_on", "status"], name="case_org_child"),
            models.Index(fields=["status", "closed_on"], name="case_status_closed"),
            models.Index(fields=["organisation", "assigned_to", "-opened_on", "status"], name="case_org_assigned"),
            models.Index(fields=["organisation", "reflection_end"], name="case_org_reflection"),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:detail", kwargs={"pk": self.pk})

    @property
    def is_child(self) -> bool:
        return self.child_status in (v.ChildStatus.CHILD, v.ChildStatus.PRESUMED_CHILD)

    @property
    def is_open(self) -> bool:
        return self.status in v.OPEN_STATUSES

    @property
    def reflection_days_remaining(self) -> int | None:
        if self.reflection_end is None:
            return None
        return max((self.reflection_end - timezone.localdate()).days, 0)

    @property
    def means_of_control_labels(self) -> list[str]:
        return _labels(v.MeansOfControl, self.means_of_control)

    @property
    def other_exploitation_labels(self) -> list[str]:
        return _labels(v.Exploitation, self.other_exploitation)

    @property
    def safety_concern_labels(self) -> list[str]:
        return _labels(v.SafetyConcern, self.safety_concerns)

    @property
    def exploitation_types(self) -> list[str]:
        return [self.exploitation, *[t for t in self.other_exploitation if t != self.exploitation]]


def _labels(choices, values) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(value, value)) for value in values]


class ChildView(AuditedModel, models.Model):
    """What the person said they want, in their own words (CRC Art. 12); shown beside every decision."""

    class Topic(models.TextChoices):
        GENERAL = "general", _("General")
        ASSESSMENT = "assessment", _("Assessment")
        PLAN = "plan", _("Case plan")
        SERVICES = "services", _("Services")
        REFERRAL = "referral", _("Referral or transfer")
        CLOSURE = "closure", _("Closure")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="views")
    topic = models.CharField(_("about"), max_length=12, choices=Topic.choices, default=Topic.GENERAL)
    text = EncryptedTextField(_("the person's views and wishes"))
    recorded_on = models.DateField(_("recorded on"), default=date.today)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_field = "case__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name = _("views and wishes")
        verbose_name_plural = _("views and wishes")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.topic}"


class CaseSettings(AuditedModel, models.Model):
    """Per-organisation case configuration, managed by administrators."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="case_settings")
    retention_days = models.PositiveIntegerField(
        _("anonymise closed cases after (days)"),
        default=730,
        help_text=_("Identifying data of a closed case is erased this many days after closure."),
    )
    reflection_days = models.PositiveSmallIntegerField(
        _("recovery and reflection period (days)"), default=30, help_text=_("At least 30 days.")
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("case settings")
        verbose_name_plural = _("case settings")

    def __str__(self) -> str:
        return str(self.organisation_id)


class ReferralPartner(AuditedModel, models.Model):
    """An organisation this organisation may refer or transfer cases to."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="partners")
    partner = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["partner__name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "partner"], name="referral_partner_unique")]
        verbose_name = _("referral partner")
        verbose_name_plural = _("referral partners")

    def __str__(self) -> str:
        return f"{self.organisation_id}->{self.partner_id}"
