"""The case vocabulary: IOM HTCDS terms, with the two gaps its users raised filled (forced criminality and
how a person was screened), and the EU 2024/1712 forms of exploitation added. CTDC names are kept beside
each term so statistics leave without re-coding (see ``selectors.case_statistics_rows``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    OPEN = "open", _("Open (reasonable grounds)")
    ASSESSMENT = "assessment", _("Assessment")
    PLAN = "plan", _("Case plan")
    SERVICES = "services", _("Services under way")
    CLOSURE_REQUESTED = "closure_requested", _("Closure awaiting approval")
    CLOSED = "closed", _("Closed")
    TRANSFERRED = "transferred", _("Transferred")


OPEN_STATUSES = [s for s in Status.values if s not in (Status.CLOSED, Status.TRANSFERRED)]


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NON_CONFORMING = "non_conforming", _("Trans, transgender or non-conforming")
    UNKNOWN = "unknown", _("Unknown")


class ChildStatus(models.TextChoices):
    CHILD = "child", _("Child (under 18)")
    PRESUMED_CHILD = "presumed_child", _("Presumed child (age not yet assessed)")
    ADULT = "adult", _("Adult")
    UNKNOWN = "unknown", _("Unknown")


class Exploitation(models.TextChoices):
    SEXUAL = "sexual", _("Sexual exploitation")
    ONLINE_SEXUAL = "online_sexual", _("Online sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminality")
    BEGGING = "begging", _("Forced begging")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    ILLEGAL_ADOPTION = "illegal_adoption", _("Illegal adoption")
    SURROGACY = "surrogacy", _("Exploitation of surrogacy")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    FORCED_MILITARY = "forced_military", _("Forced military service")
    SLAVERY = "slavery", _("Slavery and similar practices")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not yet known")


SEXUAL_TYPES = {Exploitation.SEXUAL, Exploitation.ONLINE_SEXUAL}
LABOUR_TYPES = {Exploitation.FORCED_LABOUR, Exploitation.DOMESTIC_SERVITUDE}


class MeansOfControl(models.TextChoices):
    """CTDC ``meansOfControl*`` flags; the value after ``meansOfControl`` is the CTDC suffix."""

    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCIAL_ACCESS = "RestrictsFinancialAccess", _("Restricts access to money")
    THREATS = "Threats", _("Threats")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PSYCHOACTIVE_SUBSTANCES = "PsychoactiveSubstances", _("Alcohol or drugs")
    RESTRICTS_MOVEMENT = "RestrictsMovement", _("Restricts movement")
    RESTRICTS_MEDICAL_CARE = "RestrictsMedicalCare", _("Restricts medical care")
    EXCESSIVE_WORKING_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    USES_CHILDREN = "UsesChildren", _("Uses children")
    THREAT_OF_LAW_ENFORCEMENT = "ThreatOfLawEnforcement", _("Threat of law enforcement")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds necessities")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds documents")
    OTHER = "Other", _("Other")


class Recruitment(models.TextChoices):
    JOB_OFFER = "job_offer", _("False job offer")
    ROMANCE = "romance", _("Romantic relationship ('lover boy')")
    ONLINE_CONTACT = "online_contact", _("Online contact or grooming")
    FAMILY_ARRANGEMENT = "family_arrangement", _("Arranged by family")
    EDUCATION_OFFER = "education_offer", _("Offer of education or travel")
    ABDUCTION = "abduction", _("Abduction")
    SOLD = "sold", _("Sold by family or acquaintance")
    MARRIAGE_OFFER = "marriage_offer", _("Marriage offer")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class RecruiterRelation(models.TextChoices):
    """CTDC ``recruiterRelation*``."""

    INTIMATE_PARTNER = "IntimatePartner", _("Intimate partner")
    FRIEND = "Friend", _("Friend")
    FAMILY = "Family", _("Family")
    OTHER = "Other", _("Other")
    UNKNOWN = "Unknown", _("Unknown")


class IdentificationMethod(models.TextChoices):
    SCREENING = "screening", _("Screening with an indicator instrument")
    SELF_REFERRAL = "self_referral", _("Self-referral")
    OUTREACH = "outreach", _("Outreach team")
    POLICE = "police", _("Police or border agency")
    LABOUR_INSPECTION = "labour_inspection", _("Labour inspection")
    HEALTH = "health", _("Health or school services")
    HOTLINE = "hotline", _("Hotline")
    ONLINE = "online", _("Online investigation")
    OTHER_NGO = "other_ngo", _("Another organisation")
    OTHER = "other", _("Other")


class Need(models.TextChoices):
    SHELTER = "shelter", _("Safe accommodation")
    MEDICAL = "medical", _("Medical care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    EDUCATION = "education", _("Education")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    RETURN = "return", _("Return and reintegration")
    INTERPRETATION = "interpretation", _("Interpretation")
    GUARDIANSHIP = "guardianship", _("Guardianship")
    MATERIAL = "material", _("Material assistance")
    RESIDENCE = "residence", _("Residence permit support")
    OTHER = "other", _("Other")


class SafetyConcern(models.TextChoices):
    """Immediate-safety answers from a screening that call for action today (the screening's alarm answers)."""

    DANGER_NOW = "danger_now", _("In danger now")
    NO_SAFE_PLACE = "safe_place_tonight", _("No safe place to stay tonight")
    URGENT_MEDICAL = "urgent_medical_care", _("Needs urgent medical care")
    OTHER_CHILDREN = "other_children_at_risk", _("Other children at risk in the same situation")


# Services use the same codes as needs, so a need is met by a service of the same kind.
ServiceKind = Need
