"""POST /bench/floor: authenticate with an API key, validate a small body, insert one row."""

from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.floor.models import FloorRow
from service.api.auth import request_clinic


class FloorSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    value = serializers.IntegerField(min_value=0, max_value=10)


class FloorView(APIView):
    def post(self, request: Request) -> Response:
        body = FloorSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = FloorRow.objects.create(clinic_id=request_clinic(request).id, **body.validated_data)
        return Response({"id": row.id}, status=status.HTTP_201_CREATED)
