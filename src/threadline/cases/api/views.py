"""API endpoints for cases, services, consent and referrals: the same services and scoping as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from threadline.audit.services import audit_object
from threadline.cases import selectors, services
from threadline.cases.api import serializers as s
from threadline.cases.models import Case, Consent, IncomingReferral, Referral, ReferralPartner, Service
from threadline.core.api.views import RestrictedViewSetMixin


class _CreateReadViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "head", "options"]


@extend_schema_view(list=extend_schema(parameters=[s.CaseQuerySerializer]))
class CaseViewSet(_CreateReadViewSet):
    """Cases of the token's organisation, non-identifying fields. Filters: ``q`` (code), ``status``,
    ``child_status``, ``exploitation``."""

    queryset = Case.objects.all()
    serializer_class = s.CaseSerializer
    http_method_names = ["get", "post", "put", "head", "options"]

    @property
    def permission_required(self):
        if self.action == "cooperation":
            return "cases.change_cooperation" if self.request.method == "PUT" else "cases.view_cooperation"
        return None

    def get_queryset(self):
        if self.action != "list":
            return super().get_queryset().defer(*selectors.LIST_DEFERRED)
        params = s.CaseQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = selectors.CaseFilters(**params.validated_data)
        return selectors.case_list(user=self.request.user, organisation=self.organisation, filters=filters)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        audit_object("view", case, note="api")
        return Response(self.get_serializer(case).data)

    def perform_create(self, serializer):
        serializer.instance = services.case_open(
            organisation=self.organisation, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(methods=["GET"], responses={200: s.CooperationSerializer})
    @extend_schema(methods=["PUT"], request=s.CooperationSerializer, responses={200: s.CooperationSerializer})
    @action(detail=True, methods=["get", "put"])
    def cooperation(self, request, pk=None):
        """Cooperation with police and courts. PUT needs ``stance``; fields left out keep their value."""
        case = self.get_object()
        current = selectors.case_cooperation(case=case)
        if request.method == "GET":
            audit_object("view", case, note="api: cooperation")
            return Response(s.CooperationSerializer(current).data)
        body = s.CooperationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = {"authority": current.authority, "proceedings": current.proceedings, "notes": current.notes}
        try:
            record = services.cooperation_save(case=case, user=request.user, **{**fields, **body.validated_data})
        except services.ConsentRequired as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(s.CooperationSerializer(record).data)


class ServiceViewSet(_CreateReadViewSet):
    """Services of the organisation's cases. Creating one needs the person's consent to services."""

    queryset = Service.objects.select_related("case").all()
    serializer_class = s.ServiceSerializer

    def perform_create(self, serializer):
        serializer.instance = services.service_add(user=self.request.user, **serializer.validated_data)


class ConsentViewSet(_CreateReadViewSet):
    """Consent records; ``POST /consents/{id}/revoke/`` revokes one."""

    queryset = Consent.objects.select_related("case").all()
    serializer_class = s.ConsentSerializer

    @property
    def permission_required(self):
        return "cases.change_consent" if self.action == "revoke" else None

    def get_queryset(self):
        if self.action == "revoke":
            return Consent.objects.restrict(self.request.user, "change", self.organisation)
        return super().get_queryset()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.consent_record(user=self.request.user, **data)

    @extend_schema(request=s.RevokeSerializer, responses={200: s.ConsentSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        body = s.RevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        consent = services.consent_revoke(consent=self.get_object(), user=request.user, **body.validated_data)
        return Response(s.ConsentSerializer(consent, context=self.get_serializer_context()).data)


class ReferralViewSet(_CreateReadViewSet):
    """Referrals and transfers sent by the organisation; only within consent unless overridden (supervisors)."""

    queryset = Referral.objects.select_related("case").defer("shared_identity").all()
    serializer_class = s.ReferralSerializer

    def perform_create(self, serializer):
        serializer.instance = services.referral_create(user=self.request.user, **serializer.validated_data)


class IncomingReferralViewSet(
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Referrals received; ``POST /incoming-referrals/{id}/answer/`` accepts or rejects with a reason."""

    queryset = IncomingReferral.objects.select_related("organisation").defer("shared_identity").all()
    serializer_class = s.IncomingReferralSerializer

    @property
    def permission_required(self):
        return "cases.change_incomingreferral" if self.action == "answer" else None

    def get_queryset(self):
        if self.action == "answer":
            return IncomingReferral.objects.restrict(self.request.user, "change", self.organisation)
        return super().get_queryset()

    @extend_schema(request=s.AnswerSerializer, responses={200: s.IncomingReferralSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        body = s.AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = self.get_object()
        reason = body.validated_data.get("reason", "")
        if body.validated_data["decision"] == "accept":
            services.referral_accept(referral=referral, user=request.user, reason=reason)
        else:
            services.referral_reject(referral=referral, user=request.user, reason=reason)
        referral.refresh_from_db()
        return Response(s.IncomingReferralSerializer(referral).data, status=status.HTTP_200_OK)


class ReferralPartnerViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The organisations this one may refer or transfer cases to (administrators add and remove them)."""

    queryset = ReferralPartner.objects.select_related("partner").all()
    serializer_class = s.ReferralPartnerSerializer

    def perform_create(self, serializer):
        serializer.instance = services.referral_partner_add(
            organisation=self.organisation, user=self.request.user, partner=serializer.validated_data["partner"]
        )

    def perform_destroy(self, instance):
        services.referral_partner_remove(item=instance, user=self.request.user)
