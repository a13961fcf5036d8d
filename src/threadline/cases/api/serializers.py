"""API shapes. Cases expose non-identifying fields only; identifying data stays on the audited page."""

from __future__ import annotations

from rest_framework import serializers

from threadline.accounts.models import Organisation
from threadline.cases import vocabulary as v
from threadline.cases.models import API_FIELDS, Case, Consent, Cooperation, Referral, ReferralPartner, Service
from threadline.core.api.fields import RestrictedRelatedField
from threadline.core.api.permissions import api_organisation


class ReferralPartnerField(serializers.PrimaryKeyRelatedField):
    """Another organisation, among the token organisation's referral partners only (as the pages offer)."""

    def get_queryset(self):
        from threadline.cases.services import referral_targets

        return referral_targets(organisation=api_organisation(self.context["request"]))


class CaseQuerySerializer(serializers.Serializer):
    """Filters of the case list (as on the page)."""

    q = serializers.CharField(required=False, allow_blank=True, help_text="Case code, or its start.")
    status = serializers.CharField(
        required=False, allow_blank=True, help_text="A case status, or 'active' for any open stage."
    )
    child_status = serializers.ChoiceField(v.ChildStatus.choices, required=False, allow_blank=True)
    exploitation = serializers.ChoiceField(v.Exploitation.choices, required=False, allow_blank=True)


class CaseSerializer(serializers.ModelSerializer):
    means_of_control = serializers.ListField(child=serializers.ChoiceField(v.MeansOfControl.choices), required=False)
    other_exploitation = serializers.ListField(child=serializers.ChoiceField(v.Exploitation.choices), required=False)
    reflection_days_remaining = serializers.IntegerField(read_only=True)

    class Meta:
        model = Case
        fields = list(API_FIELDS)
        read_only_fields = ["id", "code", "status", "closed_on", "anonymised_at"]


class ServiceSerializer(serializers.ModelSerializer):
    case = RestrictedRelatedField(Case)  # a case the user may change; anything else 'does not exist'

    class Meta:
        model = Service
        fields = ["id", "case", "kind", "provider", "start_on", "end_on", "status", "outcome", "created_at"]
        read_only_fields = ["id", "created_at"]


class ConsentSerializer(serializers.ModelSerializer):
    case = RestrictedRelatedField(Case)  # a case the user may change; anything else 'does not exist'
    partner = ReferralPartnerField(required=False, allow_null=True)
    shares = serializers.ListField(child=serializers.ChoiceField(Consent.Share.choices), required=False)

    class Meta:
        model = Consent
        fields = [
            "id",
            "case",
            "scope",
            "partner",
            "shares",
            "granted",
            "given_by",
            "informed_on",
            "method",
            "language",
            "revoked_on",
            "is_active",
        ]
        read_only_fields = ["id", "revoked_on", "is_active"]


class ReferralSerializer(serializers.ModelSerializer):
    case = RestrictedRelatedField(Case)  # a case the user may change; anything else 'does not exist'
    to_organisation = ReferralPartnerField()
    services = serializers.ListField(child=serializers.ChoiceField(v.Need.choices), required=False)
    shares = serializers.ListField(
        child=serializers.ChoiceField(Consent.Share.choices), write_only=True, required=False
    )
    override_reason = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "to_organisation",
            "kind",
            "services",
            "reason",
            "status",
            "consent_override",
            "shares",
            "override_reason",
            "response_reason",
            "created_at",
            "responded_at",
        ]
        read_only_fields = ["id", "status", "consent_override", "response_reason", "created_at", "responded_at"]


class IncomingReferralSerializer(serializers.ModelSerializer):
    """Only what was shared: never the sender's case, never the encrypted identity (that stays on the page)."""

    from_organisation = serializers.CharField(source="organisation.name", read_only=True)
    services = serializers.ListField(child=serializers.ChoiceField(v.Need.choices), read_only=True)
    shared = serializers.DictField(
        read_only=True, help_text="What the sender shared: 'code' and 'parts', then one entry per shared part."
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "from_organisation",
            "kind",
            "services",
            "reason",
            "status",
            "consent_override",
            "shared",
            "response_reason",
            "created_at",
        ]
        read_only_fields = fields


class CooperationSerializer(serializers.ModelSerializer):
    """The case's cooperation with police and courts. The notes may identify people: they can be written here
    but are read only on the audited case page; ``has_notes`` says whether there are any."""

    notes = serializers.CharField(write_only=True, required=False, allow_blank=True)
    has_notes = serializers.SerializerMethodField()

    class Meta:
        model = Cooperation
        fields = ["stance", "authority", "proceedings", "notes", "has_notes", "updated_on"]
        read_only_fields = ["updated_on"]
        extra_kwargs = {"updated_on": {"allow_null": True}}

    def get_has_notes(self, obj: Cooperation) -> bool:
        return bool(obj.notes)


class PartnerCandidateField(serializers.PrimaryKeyRelatedField):
    """Another active organisation, as the settings page offers for a new referral partner (never the token's
    own): naming another organisation is the point of this field, so it is not restricted to its objects."""

    def get_queryset(self):
        return Organisation.objects.filter(is_active=True).exclude(pk=api_organisation(self.context["request"]).pk)


class ReferralPartnerSerializer(serializers.ModelSerializer):
    partner = PartnerCandidateField()
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = ReferralPartner
        fields = ["id", "partner", "partner_name", "created_at"]
        read_only_fields = ["id", "created_at"]


class AnswerSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class RevokeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
