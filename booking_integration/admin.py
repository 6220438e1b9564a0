"""Read-mostly admin for integrations and webhooks: what came in, what went out; never secrets or bodies."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from booking_integration.models import InboundDelivery, Integration, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from service.admin_scope import ReadOnlyAdmin as _ReadOnly


@admin.register(Integration)
class IntegrationAdmin(_ReadOnly):
    list_display = ("platform", "clinic", "active", "created_at")
    list_filter = ("platform", "active")
    # signing_secret and settings (which may hold an API key) are left out on purpose.
    fields = ("id", "clinic", "platform", "active", "created_at")
    readonly_fields = fields


@admin.register(InboundDelivery)
class InboundDeliveryAdmin(_ReadOnly):
    clinic_path = "integration__clinic"
    list_display = ("received_at", "integration", "event_type", "status", "attempts", "processed_at")
    list_filter = ("status", "integration__platform")
    # The body may carry booking-form answers (health data): it is not shown here.
    fields = (
        "id",
        "integration",
        "received_at",
        "status",
        "signature_ok",
        "event_type",
        "dedupe_key",
        "result",
        "error",
        "attempts",
        "next_attempt_at",
        "processed_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("body").select_related("integration__clinic")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(_ReadOnly):
    list_display = ("url", "clinic", "active", "disabled_reason", "failing_since", "created_at")
    list_filter = ("active",)
    fields = ("id", "clinic", "url", "events", "description", "active", "disabled_reason", "failing_since")
    readonly_fields = fields


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("attempted_at", "status_code", "duration_ms", "error", "response_body")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_ReadOnly):
    clinic_path = "endpoint__clinic"
    list_display = ("message", "endpoint", "status", "attempt_count", "next_attempt_at", "last_status_code")
    list_filter = ("status",)
    fields = (
        "message",
        "endpoint",
        "status",
        "attempt_count",
        "next_attempt_at",
        "claimed_until",
        "last_status_code",
        "last_error",
    )
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
