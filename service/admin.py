"""The admin for clinic staff: clinics, API keys (made and revoked here, shown once), people."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest

from service.clinics import api_key_create, api_key_revoke
from service.models import (
    ApiKey,
    Appointment,
    Client,
    Clinic,
    ClinicMembership,
    Flag,
    Screening,
    Therapist,
)


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    fields = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # keys are issued with the action, so the raw key can be shown once


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("name", "timezone", "emergency_region", "contact_email", "created_at")
    search_fields = ("name",)
    inlines = [ApiKeyInline]
    actions = ["issue_api_key"]

    @admin.action(description="Issue a new API key (shown once)")
    def issue_api_key(self, request: HttpRequest, queryset) -> None:
        for clinic in queryset:
            _, raw = api_key_create(clinic=clinic, name=f"admin: {request.user}")
            self.message_user(
                request, f"New key for {clinic}: {raw} — copy it now, it is not shown again.", messages.WARNING
            )


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "clinic", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("clinic",)
    fields = ("clinic", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("clinic", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset) -> None:
        for key in queryset:
            api_key_revoke(key=key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")


class ClinicScopedAdmin(admin.ModelAdmin):
    """Staff who are not superusers see only their own clinic's rows."""

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        membership = getattr(request.user, "clinic_membership", None)
        return queryset.filter(clinic=membership.clinic) if membership else queryset.none()


@admin.register(Therapist)
class TherapistAdmin(ClinicScopedAdmin):
    list_display = ("name", "clinic", "email", "qualifications", "active")
    list_filter = ("clinic", "active")
    search_fields = ("name", "email")


@admin.register(Client)
class ClientAdmin(ClinicScopedAdmin):
    list_display = ("name", "clinic", "email", "active")
    list_filter = ("clinic", "active")
    search_fields = ("name", "email")


@admin.register(ClinicMembership)
class ClinicMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "clinic")


@admin.register(Appointment)
class AppointmentAdmin(ClinicScopedAdmin):
    list_display = ("start", "clinic", "client", "therapist", "status", "booked_against_advice")
    list_filter = ("clinic", "status")
    raw_id_fields = ("client", "therapist", "latest_screening")


@admin.register(Screening)
class ScreeningAdmin(ClinicScopedAdmin):
    list_display = ("created_at", "clinic", "outcome", "source")
    list_filter = ("clinic", "outcome")
    readonly_fields = [f.name for f in Screening._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # screenings are kept, never edited


@admin.register(Flag)
class FlagAdmin(ClinicScopedAdmin):
    list_display = ("created_at", "clinic", "severity", "source", "status")
    list_filter = ("clinic", "severity", "status")
    raw_id_fields = ("appointment", "client", "screening")
