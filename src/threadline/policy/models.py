"""Policies and programmes, their child rights impact assessments, monitoring, and the survivor advisory channel.

An assessment keeps the id and version of the template it follows, so its questions can be read back as they
were asked. Evidence drawn from Threadline itself is frozen (figure, release id and dataset version) so the
assessment stays reproducible after the data change. Consultations record numbers by age band and sex, never
identities. Survivor feedback is anonymous: free text and an optional contact are encrypted at rest, and only
policy officers read a submission; everyone else sees suppressed aggregates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from threadline.audit.mixins import AuditedModel
from threadline.core.fields import EncryptedTextField
from threadline.core.querysets import RestrictedQuerySet

User = settings.AUTH_USER_MODEL


class Policy(AuditedModel, models.Model):
    """A policy, programme, law or service decision whose effect on children is assessed and monitored."""

    class Kind(models.TextChoices):
        POLICY = "policy", _("Policy")
        PROGRAMME = "programme", _("Programme")
        LAW = "law", _("Law or regulation")
        SERVICE = "service", _("Service change")
        BUDGET = "budget", _("Budget decision")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("In force")
        ENDED = "ended", _("Ended")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="policies")
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.POLICY)
    summary = models.TextField(_("summary"), blank=True)
    department = models.CharField(_("responsible department"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("policy or programme")
        verbose_name_plural = _("policies and programmes")

    def __str__(self) -> str:
        return self.title


class Assessment(AuditedModel, models.Model):
    """A child rights impact assessment of one policy, following one template version through its stages."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("With the reviewer")
        REVIEWED = "reviewed", _("Reviewed: awaiting approval")
        APPROVED = "approved", _("Approved: ready to publish")
        PUBLISHED = "published", _("Published")
        SCREENED_OUT = "screened_out", _("Screened out: does not affect children")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="assessments")
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="assessments")
    template_id = models.CharField(_("template"), max_length=80)
    template_version = models.CharField(_("template version"), max_length=40)
    stage = models.CharField(_("current stage"), max_length=20, default="screening")
    completed_stages = models.JSONField(_("completed stages"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=0)
    authors = models.ManyToManyField(User, related_name="authored_assessments", blank=True)
    reviewer = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approver = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("child rights impact assessment")
        verbose_name_plural = _("child rights impact assessments")
        permissions = [
            ("review_assessment", "Review an assessment: comment, return or pass it"),
            ("approve_assessment", "Approve an assessment or return it"),
            ("publish_assessment", "Publish an approved assessment"),
        ]
        indexes = [models.Index(fields=["status", "organisation"], name="policy_assess_status")]

    def __str__(self) -> str:
        return f"{self.policy} ({self.template_id} {self.template_version})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


#: The transitions a version is frozen at (the reason is stored as this key; the page shows the label).
TRANSITIONS = {
    "screened out": _("Screened out"),
    "submitted for review": _("Submitted for review"),
    "returned by the reviewer": _("Returned by the reviewer"),
    "passed review": _("Passed review"),
    "approved": _("Approved"),
    "returned by the approver": _("Returned by the approver"),
    "published": _("Published"),
}


class AssessmentVersion(AuditedModel, models.Model):
    """A frozen copy of the whole assessment at a transition (submitted, returned, approved, published)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    reason = models.CharField(_("reason"), max_length=30)
    snapshot = models.JSONField(default=dict)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_field = "assessment__organisation"
    objects = RestrictedQuerySet.as_manager()
    audit_exclude = {"snapshot"}

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="policy_version_unique")]

    def __str__(self) -> str:
        return f"v{self.number} {self.reason}"

    @property
    def reason_label(self) -> str:
        return str(TRANSITIONS.get(self.reason, self.reason))


class StageAnswer(AuditedModel, models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    stage = models.CharField(max_length=20)
    question_id = models.CharField(max_length=60)
    answer = models.TextField(blank=True)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    organisation_field = "assessment__organisation"
    objects = RestrictedQuerySet.as_manager()
    audit_exclude = {"updated_at"}

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "question_id"], name="policy_answer_unique")]

    def __str__(self) -> str:
        return self.question_id


class ReviewComment(AuditedModel, models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        RETURNED = "returned", _("Returned for changes")
        PASSED = "passed", _("Passed review")
        APPROVED = "approved", _("Approved")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    stage = models.CharField(max_length=20, blank=True)
    text = models.TextField(_("comment"), blank=True)
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_field = "assessment__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.kind


class ImpactRating(AuditedModel, models.Model):
    class Rating(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")
        NEUTRAL = "neutral", _("Neutral")
        UNKNOWN = "unknown", _("Not known yet")

    class Group(models.TextChoices):
        ALL = "all", _("All children concerned")
        GIRLS = "girls", _("Girls")
        BOYS = "boys", _("Boys")
        DISABILITY = "disability", _("Children with disabilities")
        MIGRANT = "migrant_unaccompanied", _("Migrant and unaccompanied children")
        IN_CARE = "in_care", _("Children in care")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="impacts")
    article = models.CharField(_("article"), max_length=12)
    group = models.CharField(_("group of children"), max_length=24, choices=Group.choices, default=Group.ALL)
    rating = models.CharField(_("impact"), max_length=10, choices=Rating.choices)
    reasoning = models.TextField(_("reasoning"))
    mitigation = models.TextField(_("mitigation"), blank=True)

    organisation_field = "assessment__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["article", "group"]
        constraints = [models.UniqueConstraint(fields=["assessment", "article", "group"], name="policy_impact_unique")]

    def __str__(self) -> str:
        return f"{self.article}/{self.group}: {self.rating}"


class EvidenceItem(AuditedModel, models.Model):
    """A citation, or a figure frozen with its source and version: a protected insights release (release id and
    data version) or a published prevention summary (summary id and publication time)."""

    class Kind(models.TextChoices):
        CITATION = "citation", _("Citation")
        INSIGHTS_RELEASE = "insights_release", _("Protected insights release")
        PREVENTION_SUMMARY = "prevention_summary", _("Published prevention summary")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CITATION)
    citation = models.CharField(_("citation"), max_length=500)
    url = models.URLField(_("link"), blank=True)
    summary = models.TextField(_("what it shows"), blank=True)
    release = models.ForeignKey("insights.Release", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_id = models.CharField(_("source id"), max_length=60, blank=True)
    source_version = models.CharField(_("source version"), max_length=60, blank=True)
    figure_label = models.CharField(_("figure"), max_length=200, blank=True)
    figure_value = models.IntegerField(_("value"), null=True, blank=True)
    frozen = models.JSONField(default=dict, blank=True)
    captured_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    organisation_field = "assessment__organisation"
    objects = RestrictedQuerySet.as_manager()
    audit_exclude = {"frozen"}

    class Meta:
        ordering = ["captured_at", "id"]

    def __str__(self) -> str:
        return self.citation


class Consultation(AuditedModel, models.Model):
    """Children heard: method, numbers by age band and sex (no identities), what they said and what changed."""

    class Method(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop or focus group")
        SURVEY = "survey", _("Survey")
        INTERVIEWS = "interviews", _("Individual conversations")
        COUNCIL = "council", _("Children's council or panel")
        CREATIVE = "creative", _("Creative or play-based method")
        ONLINE = "online", _("Online consultation")

    AGE_BANDS = ("under_8", "8_12", "13_15", "16_17", "18_24")
    SEXES = ("girls", "boys", "other")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="consultations")
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    held_on = models.DateField(_("held on"))
    participants = models.JSONField(_("participants by age band and sex"), default=dict, blank=True)
    what_they_said = models.TextField(_("what they said"))
    how_it_changed = models.TextField(_("how it changed the decision"))
    feedback_summary = models.TextField(_("child-friendly summary returned to them"), blank=True)
    feedback_returned_on = models.DateField(_("summary returned on"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    organisation_field = "assessment__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.method} {self.held_on}"

    @property
    def total_participants(self) -> int:
        return sum(int(v) for v in self.participants.values())

    @property
    def feedback_returned(self) -> bool:
        return bool(self.feedback_summary.strip()) and self.feedback_returned_on is not None


class Decision(AuditedModel, models.Model):
    class Outcome(models.TextChoices):
        PROCEED = "proceed", _("Go ahead as proposed")
        CHANGED = "changed", _("Go ahead with changes for children")
        STOPPED = "stopped", _("Do not go ahead")
        DEFERRED = "deferred", _("Decide later, after more evidence")

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    rationale = models.TextField(_("reasons"))
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    organisation_field = "assessment__organisation"
    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.outcome


class Publication(AuditedModel, models.Model):
    """What the public register shows: a summary and the child-friendly version that goes back to children."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="publication")
    summary = models.TextField(_("public summary"))
    child_friendly_summary = models.TextField(_("child-friendly summary"))
    language = models.CharField(_("language"), max_length=8, default="en")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    organisation_field = "assessment__organisation"
    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"publication of {self.assessment_id}"


# -- monitoring --------------------------------------------------------------------------------------------
class ResultsChainItem(AuditedModel, models.Model):
    class Level(models.TextChoices):
        INPUT = "input", _("Inputs")
        OUTPUT = "output", _("Outputs")
        OUTCOME = "outcome", _("Outcomes")
        IMPACT = "impact", _("Impact")

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="results")
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    description = models.CharField(_("description"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    organisation_field = "policy__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class Indicator(AuditedModel, models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        SDG_16_2_2 = "sdg_16_2_2", _("SDG 16.2.2: detected victims of trafficking per 100,000 population")
        TIME_TO_SERVICES = "time_to_services", _("Median days from identification to the first service")
        WITHOUT_COOPERATION = (
            "without_cooperation",
            _("Share of people given services who are not cooperating with criminal proceedings"),
        )
        PREVENTION_REACH = "prevention_reach", _("Pupils reached by prevention sessions")
        PREVENTION_OUTCOMES = (
            "prevention_outcomes",
            _("Share of prevention survey outcomes that improved after the sessions"),
        )

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="indicators")
    result = models.ForeignKey(
        ResultsChainItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators"
    )
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("computed from"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    review_every_months = models.PositiveSmallIntegerField(_("review every (months)"), default=6)
    next_review_on = models.DateField(_("next review due"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_field = "policy__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["policy", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        return self.source != self.Source.MANUAL


class IndicatorValue(AuditedModel, models.Model):
    """One value of an indicator; ``value`` is None when suppressed (it would rest on fewer than 11 people)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(_("period"), max_length=40)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    suppressed = models.BooleanField(_("suppressed"), default=False)
    breakdown = models.JSONField(default=dict, blank=True)
    source_note = models.CharField(_("source"), max_length=300, blank=True)
    computed = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    organisation_field = "indicator__policy__organisation"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period}: {'suppressed' if self.suppressed else self.value}"


class PopulationFigure(AuditedModel, models.Model):
    """Population denominators entered as data (e.g. from the national statistics office)."""

    class AgeGroup(models.TextChoices):
        TOTAL = "total", _("All ages")
        CHILD = "child", _("Under 18")
        ADULT = "adult", _("18 or older")

    class Sex(models.TextChoices):
        TOTAL = "total", _("Both sexes")
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    age_group = models.CharField(_("age group"), max_length=6, choices=AgeGroup.choices, default=AgeGroup.TOTAL)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, default=Sex.TOTAL)
    population = models.PositiveBigIntegerField(_("population"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "age_group", "sex"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "age_group", "sex"], name="policy_population_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.age_group}/{self.sex}"


# -- survivor advisory ---------------------------------------------------------------------------------------
class AdvisorySubmission(AuditedModel, models.Model):
    """Anonymous feedback from a survivor. No account, no IP address, the date only (not the time)."""

    class About(models.TextChoices):
        SERVICE = "service", _("A service I received")
        POLICY = "policy", _("A policy or decision")
        MATERIAL = "material", _("Information or materials")

    class Area(models.TextChoices):
        FIRST_CONTACT = "first_contact", _("First contact and identification")
        SHELTER = "shelter", _("Safe accommodation")
        HEALTH = "health", _("Health care and counselling")
        LEGAL = "legal", _("Legal help and residence")
        JUSTICE = "justice", _("Police and courts")
        EDUCATION = "education", _("School, training and work")
        OTHER = "other", _("Something else")

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    DIMENSIONS = ("felt_safe", "respected", "understood", "had_a_say")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    about = models.CharField(_("about"), max_length=10, choices=About.choices, default=About.SERVICE)
    area = models.CharField(_("service"), max_length=14, choices=Area.choices, default=Area.OTHER)
    felt_safe = models.CharField(_("I felt safe"), max_length=6, choices=Answer.choices, blank=True)
    respected = models.CharField(_("I was treated with respect"), max_length=6, choices=Answer.choices, blank=True)
    understood = models.CharField(
        _("I was given information I could understand"), max_length=6, choices=Answer.choices, blank=True
    )
    had_a_say = models.CharField(_("I had a say in what happened"), max_length=6, choices=Answer.choices, blank=True)
    comments = EncryptedTextField(_("comments"), blank=True)
    contact_consent = models.BooleanField(_("may be contacted"), default=False)
    contact = EncryptedTextField(_("contact"), blank=True)
    language = models.CharField(max_length=8, default="en")
    received_on = models.DateField(_("received on"))

    objects = RestrictedQuerySet.as_manager()
    audit_exclude = {"comments", "contact"}

    class Meta:
        ordering = ["-received_on", "-id"]
        permissions = [("summarise_advisorysubmission", "See survivor feedback as suppressed aggregates")]

    def __str__(self) -> str:
        return f"feedback {self.pk}"
