"""Prevention in schools: schools and districts, facilitators, programme plans, sessions delivered, anonymous
pupils' surveys, the safety protocol and the safeguarding concerns that sessions bring.

Nothing here identifies a pupil: attendance is counted by sex and age band, survey responses carry no
identity (no name, no IP address, no timestamp finer than the day; an optional self-chosen pairing code is
kept only as a keyed hash), and the one free-text field (a concern's note) is encrypted at rest. The identity
of a child who discloses lives only in the screening and cases areas.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from threadline.audit.mixins import AuditedModel
from threadline.core.fields import EncryptedTextField
from threadline.core.querysets import RestrictedQuerySet

#: The engine's sex categories (threadline.engines.prevention.SEXES), with their labels.
SEX_CHOICES = [
    ("female", _("Girls")),
    ("male", _("Boys")),
    ("other", _("Other")),
    ("not_stated", _("Not stated")),
]
PHASE_CHOICES = [("pre", _("Before the programme")), ("post", _("After the programme"))]

#: Permission that lets a role see every school of the organisation (without it: only a facilitator's own).
OVERSEE = "prevention.oversee_programme"


class FacilitatorScopedQuerySet(RestrictedQuerySet):
    """On top of the organisation and permission: a role without ``prevention.oversee_programme`` sees only
    the rows of schools it facilitates in (deny by default: a user who is no facilitator sees nothing)."""

    school_path = "school"

    def restrict(self, user, action: str = "view", organisation=None):
        from threadline.core.permissions import organisations_granting

        base = super().restrict(user, action, organisation)
        if user is None or not user.is_authenticated:
            return base
        overseen = organisations_granting(user, OVERSEE)
        own = Facilitator.objects.filter(membership__user=user, is_active=True).values("schools")
        org_field = getattr(self.model, "organisation_field", "organisation")
        visible = models.Q(**{f"{org_field}__in": overseen}) | models.Q(**{f"{self.school_path}__in": own})
        return base.filter(visible)


class SchoolQuerySet(FacilitatorScopedQuerySet):
    school_path = "pk"


class PlanScopedQuerySet(FacilitatorScopedQuerySet):
    school_path = "plan__school"


class District(AuditedModel, models.Model):
    """An administrative area with its totals, the denominators of coverage."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="prevention_districts"
    )
    name = models.CharField(_("district"), max_length=120)
    schools_total = models.PositiveIntegerField(_("schools in the district"), null=True, blank=True)
    pupils_total = models.PositiveIntegerField(_("pupils in the district"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="prevention_district_unique")]

    def __str__(self) -> str:
        return self.name


class School(AuditedModel, models.Model):
    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        SECONDARY = "secondary", _("Secondary")
        VOCATIONAL = "vocational", _("Vocational")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="schools")
    name = models.CharField(_("school"), max_length=200)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.SECONDARY)
    pupils_total = models.PositiveIntegerField(_("pupils in the school"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="prevention_school_unique")]
        permissions = [("oversee_programme", "See every school of the prevention programme")]

    def __str__(self) -> str:
        return self.name


class Facilitator(AuditedModel, models.Model):
    """A member who delivers sessions, and the schools they deliver in."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="prevention_facilitators"
    )
    membership = models.OneToOneField(
        "accounts.Membership", on_delete=models.CASCADE, related_name="prevention_facilitator"
    )
    schools = models.ManyToManyField(School, related_name="facilitators", blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["membership__user__email"]
        verbose_name = _("facilitator")
        verbose_name_plural = _("facilitators")

    def __str__(self) -> str:
        return str(self.membership.user)


class Training(AuditedModel, models.Model):
    """A training a facilitator completed (course, date, hours)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    facilitator = models.ForeignKey(Facilitator, on_delete=models.CASCADE, related_name="trainings")
    course = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self) -> str:
        return self.course


class OrganisationCurriculum(AuditedModel, models.Model):
    """One version of a curriculum file an organisation loaded (validated by the engine). Never edited."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="prevention_curricula"
    )
    curriculum_id = models.CharField(_("curriculum id"), max_length=100)
    version = models.CharField(_("version"), max_length=50)
    title = models.CharField(_("title"), max_length=300)
    content = models.JSONField(_("content"))
    digest = models.CharField(_("content digest"), max_length=64)
    file_label = models.CharField(_("file"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    audit_exclude = {"content"}

    class Meta:
        ordering = ["curriculum_id", "-created_at"]
        verbose_name = _("organisation curriculum")
        verbose_name_plural = _("organisation curricula")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "curriculum_id", "version"], name="prevention_curriculum_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.curriculum_id} {self.version}"


class ProgrammePlan(AuditedModel, models.Model):
    """A curriculum (id and version) delivered in one school over a period, measured with a questionnaire."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="prevention_plans")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="plans")
    curriculum_id = models.CharField(_("curriculum"), max_length=100)
    curriculum_version = models.CharField(_("curriculum version"), max_length=50)
    curriculum_upload = models.ForeignKey(
        OrganisationCurriculum, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    questionnaire_id = models.CharField(_("questionnaire"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FacilitatorScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "school__name"]
        verbose_name = _("programme plan")
        verbose_name_plural = _("programme plans")
        permissions = [("summarise_programmeplan", "See prevention aggregates, analyses and exports")]

    def __str__(self) -> str:
        return f"{self.school} · {self.curriculum_id} {self.curriculum_version} ({self.starts_on:%Y-%m})"


class SessionDelivery(AuditedModel, models.Model):
    """One session delivered to one class. Attendance is counted by sex and age band, never named."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="prevention_sessions"
    )
    plan = models.ForeignKey(ProgrammePlan, on_delete=models.PROTECT, related_name="sessions")
    module_id = models.CharField(_("module"), max_length=60)
    session_id = models.CharField(_("session"), max_length=60)
    delivered_on = models.DateField(_("date"))
    facilitator = models.ForeignKey(
        Facilitator, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    class_label = models.CharField(
        _("class"), max_length=30, help_text=_("The class as the school calls it (e.g. 8B). Never a pupil's name.")
    )
    pupils = models.PositiveIntegerField(_("pupils present"), default=0)
    attendance = models.JSONField(_("attendance by sex and age band"), default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-delivered_on", "-created_at"]
        verbose_name = _("session delivered")
        verbose_name_plural = _("sessions delivered")
        indexes = [models.Index(fields=["organisation", "module_id"])]

    def __str__(self) -> str:
        return f"{self.module_id}/{self.session_id} · {self.class_label} · {self.delivered_on}"


class ClassReach(models.Model):
    """Precomputed reach: per plan, class, sex and age band, the most pupils present at any one session.

    Kept up to date when a session is logged, so coverage sums these rows in SQL instead of reading sessions.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(ProgrammePlan, on_delete=models.CASCADE, related_name="reach")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    class_label = models.CharField(max_length=30)
    sex = models.CharField(max_length=12, choices=SEX_CHOICES)
    age_band = models.CharField(max_length=12)
    pupils = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "class_label", "sex", "age_band"], name="prevention_class_reach_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "district"])]

    def __str__(self) -> str:
        return f"{self.class_label} {self.sex} {self.age_band}: {self.pupils}"


class SurveyRound(AuditedModel, models.Model):
    """One sitting of a questionnaire (before or after) that pupils join with a short, expiring code."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="prevention_rounds"
    )
    plan = models.ForeignKey(ProgrammePlan, on_delete=models.PROTECT, related_name="rounds")
    phase = models.CharField(_("when"), max_length=4, choices=PHASE_CHOICES)
    questionnaire_id = models.CharField(_("questionnaire"), max_length=100)
    questionnaire_version = models.CharField(_("questionnaire version"), max_length=50)
    class_label = models.CharField(_("class"), max_length=30, blank=True)
    code = models.CharField(_("session code"), max_length=12, unique=True)
    expires_at = models.DateTimeField(_("code expires"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    responses_count = models.PositiveIntegerField(_("responses"), default=0)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanScopedQuerySet.as_manager()
    audit_exclude = {"responses_count"}

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")

    def __str__(self) -> str:
        return f"{self.questionnaire_id} {self.phase} · {self.plan.school}"


class SurveyResponse(models.Model):
    """One pupil's anonymous answers. No identity field exists: not a name, not an IP address, not a time of
    day. ``pair_key`` is a keyed hash of the school and the pupil's self-chosen code (never the code)."""

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper, entered later")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(SurveyRound, null=True, blank=True, on_delete=models.CASCADE, related_name="responses")
    plan = models.ForeignKey(ProgrammePlan, on_delete=models.CASCADE, related_name="responses")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    questionnaire_id = models.CharField(max_length=100)
    questionnaire_version = models.CharField(max_length=50)
    phase = models.CharField(max_length=4, choices=PHASE_CHOICES)
    sex = models.CharField(max_length=12, choices=SEX_CHOICES, default="not_stated")
    age_band = models.CharField(max_length=12, blank=True)
    pair_key = models.CharField(max_length=24, blank=True)
    answers = models.JSONField(default=dict)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ONLINE)
    recorded_on = models.DateField()

    objects = PlanScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["plan", "questionnaire_id"])]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} {self.phase} response"


class OutcomeTally(models.Model):
    """Precomputed sums per questionnaire, month, phase, sex, age band and outcome (a scale, or ``""`` for
    respondents): the dashboard reads these few rows, never the responses."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    questionnaire_id = models.CharField(max_length=100)
    period = models.CharField(max_length=7)  # YYYY-MM
    phase = models.CharField(max_length=4, choices=PHASE_CHOICES)
    sex = models.CharField(max_length=12, choices=SEX_CHOICES)
    age_band = models.CharField(max_length=12, blank=True)
    outcome = models.CharField(max_length=60, blank=True)
    n = models.PositiveIntegerField(default=0)
    total = models.FloatField(default=0.0)
    total_sq = models.FloatField(default=0.0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "questionnaire_id", "period", "phase", "sex", "age_band", "outcome"],
                name="prevention_outcome_tally_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} {self.period} {self.phase} {self.outcome or 'respondents'}"


class SafetyProtocol(AuditedModel, models.Model):
    """The organisation's school safety protocol: who receives disclosures, what to do, how fast."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="prevention_protocol"
    )
    designated_lead = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, related_name="+", verbose_name=_("designated lead")
    )
    steps = models.JSONField(_("steps"), default=list, help_text=_("One step per line, in order."))
    acknowledge_within_hours = models.PositiveSmallIntegerField(_("acknowledge within (hours)"), default=4)
    close_within_hours = models.PositiveSmallIntegerField(_("handle within (hours)"), default=72)
    mandatory_reporting = models.CharField(
        _("mandatory reporting"),
        max_length=2000,
        blank=True,
        help_text=_("What the law requires to be reported, to whom, and how fast."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    audit_exclude = {"updated_at"}

    class Meta:
        verbose_name = _("safety protocol")
        verbose_name_plural = _("safety protocols")

    def __str__(self) -> str:
        return str(_("Safety protocol"))


class ConcernQuerySet(RestrictedQuerySet):
    """Handlers (``prevention.handle_concern``) see every concern of the organisation; anyone else only the
    concerns they reported."""

    def restrict(self, user, action: str = "view", organisation=None):
        from threadline.core.permissions import organisations_granting

        base = super().restrict(user, action, organisation)
        if user is None or not user.is_authenticated:
            return base
        handlers = organisations_granting(user, "prevention.handle_concern")
        return base.filter(models.Q(organisation_id__in=handlers) | models.Q(reported_by=user))


class Concern(AuditedModel, models.Model):
    """A disclosure or concern raised in a session. No pupil name: the identity, if needed, is recorded only
    in a screening or a protection case. The note is encrypted and never audited or logged."""

    class Category(models.TextChoices):
        DISCLOSURE_EXPLOITATION = "disclosure_exploitation", _("Disclosure of exploitation or trafficking")
        DISCLOSURE_ABUSE = "disclosure_abuse", _("Disclosure of abuse or violence")
        ONLINE = "online", _("Online contact, pressure or threats")
        CONCERN = "concern", _("A worry about a pupil's safety")
        OTHER = "other", _("Other")

    class Urgency(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediate danger")
        TODAY = "today", _("Today")
        ROUTINE = "routine", _("Within the protocol's deadline")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CLOSED = "closed", _("Handled")

    class Outcome(models.TextChoices):
        SCREENING = "screening", _("A screening was opened")
        REPORTED = "reported", _("Reported to the authorities")
        SCHOOL = "school", _("Followed up by the school's safeguarding staff")
        REFERRED = "referred", _("Referred to another service")

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="prevention_concerns"
    )
    session = models.ForeignKey(
        SessionDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="concerns")
    category = models.CharField(_("what was raised"), max_length=30, choices=Category.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.TODAY)
    age_band = models.CharField(_("age band"), max_length=12, blank=True)
    sex = models.CharField(_("sex"), max_length=12, choices=SEX_CHOICES, default="not_stated")
    note = EncryptedTextField(
        _("what happened"),
        blank=True,
        default="",
        help_text=_("What was said or seen, in a few words. Do not write the pupil's name."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    lead = models.ForeignKey(
        "accounts.Membership", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("lead")
    )
    received_at = models.DateTimeField(_("received"))
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"))
    close_due_at = models.DateTimeField(_("handle by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    closed_at = models.DateTimeField(_("handled"), null=True, blank=True)
    screening_opened_at = models.DateTimeField(_("screening opened"), null=True, blank=True)

    objects = ConcernQuerySet.as_manager()
    audit_exclude = {"note"}

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("safeguarding concern")
        verbose_name_plural = _("safeguarding concerns")
        permissions = [("handle_concern", "Receive and handle safeguarding concerns")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.received_at:%Y-%m-%d}"


class PublishedSummary(AuditedModel, models.Model):
    """Aggregate reach and outcomes, suppressed (k = 11) when published; the public page shows only these."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="prevention_summaries"
    )
    figures = models.JSONField(default=dict)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audit_exclude = {"figures"}

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("published summary")
        verbose_name_plural = _("published summaries")

    def __str__(self) -> str:
        return f"{self.organisation} {self.published_at:%Y-%m-%d}"
