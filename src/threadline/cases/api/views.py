"""API endpoints for cases, services, consent and referrals: the same services and scoping as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from threadline.audit.services import audit_object
from threadline.cases import selectors, services
from threadline.cases.api import serializers as s
from threadline.cases.models import Case, Consent, IncomingReferral, Referral, Service
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
