from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from threadline.audit.services import audit_object
from threadline.core.api.views import RestrictedViewSetMixin
from threadline.engines.screening import AnswerError
from threadline.screening import services
from threadline.screening.api.serializers import (
    ScreeningCreateSerializer,
    ScreeningDetailSerializer,
    ScreeningSerializer,
)
from threadline.screening.models import Screening


class ScreeningViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Screenings of the token's organisation; POST answers to get the explained result at once."""

    queryset = Screening.objects.all()
    serializer_class = ScreeningSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_object(self):
        # Every read of one screening's answers and result is audited (DRF's get_object takes no queryset,
        # so the page mixin AuditReadMixin does not fit here).
        screening = super().get_object()
        audit_object("view", screening)
        return screening

    def get_serializer_class(self):
        return ScreeningDetailSerializer if self.action == "retrieve" else ScreeningSerializer

    @extend_schema(request=ScreeningCreateSerializer, responses={201: ScreeningDetailSerializer})
    def create(self, request):
        serializer = ScreeningCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            screening = services.screening_create_complete(
                organisation=self.organisation,
                user=request.user,
                instrument_key=data["instrument"],
                reference=data.get("reference", ""),
                age_group=data["age_group"],
                answers=data["answers"],
                language=data.get("language") or "en",
            )
        except services.ScreeningError as exc:
            raise ValidationError({exc.field or "non_field_errors": [str(exc.message)]}) from exc
        except AnswerError as exc:
            raise ValidationError({"answers": exc.problems}) from exc
        return Response(ScreeningDetailSerializer(screening).data, status=status.HTTP_201_CREATED)
