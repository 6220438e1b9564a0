"""The URL booking platforms post to: a plain Django view that stores, then acknowledges."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from booking_integration.inbound import delivery_receive
from booking_integration.models import Integration
from service.api.errors import problem_response
from service.queueing import held_until_answered, send_after


@csrf_exempt
def receive_hook(request: HttpRequest, platform: str, integration_id: uuid.UUID) -> HttpResponse:
    """HEAD answers 200 (Mindbody checks the URL before it subscribes); POST is a delivery."""
    if request.method == "HEAD":
        exists = Integration.objects.filter(pk=integration_id, platform=platform, active=True).exists()
        return HttpResponse(status=200 if exists else 404)
    if request.method != "POST":
        response = problem_response(405, "Booking platforms POST here.", code="method_not_allowed")
        response["Allow"] = "POST, HEAD"
        return response

    # Stored, then answered; the processing task is queued once the answer is out.
    with held_until_answered() as publishes:
        receipt = delivery_receive(
            integration_id=integration_id,
            platform_name=platform,
            body=request.body,
            headers=request.headers,
            content_type=request.content_type or "",
        )
    if receipt.status_code >= 400:
        return send_after(problem_response(receipt.status_code, receipt.detail, code=receipt.code), publishes)
    delivery_id = str(receipt.delivery.pk) if receipt.delivery else None
    answer = JsonResponse({"delivery_id": delivery_id, "status": receipt.delivery.status}, status=receipt.status_code)
    return send_after(answer, publishes)
