"""The admin for clinic staff, scoped to their clinic: clinics, API keys (shown once), people, and read-only records.

Anything with consequences (an appointment's status, a flag's status, a key) changes through an action that
calls the service, so re-screening, questionnaires, webhooks, alerts and the audit log all follow.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from service import appointments as booking
from service import people
from service.admin_scope import ClinicScopedAdmin, ReadOnlyAdmin
from service.audit import actor_for_user, audit_record
from service.clinics import api_key_create, api_key_revoke
from service.exceptions import Conflict
from service.flags import flag_acknowledge, flag_resolve
from service.models import (
    ApiKey,
    Appointment,
    AuditEvent,
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
class ClinicAdmin(ClinicScopedAdmin):
    clinic_path = "pk"
    list_display = ("name", "timezone", "emergency_region", "contact_email", "created_at")
    search_fields = ("name",)
    inlines = [ApiKeyInline]
    actions = ["issue_api_key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser  # a clinic is a tenant: the operator creates it

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: Clinic, form: Any, change: bool) -> None:
        before = Clinic.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        # What really changed: a form counts an untouched JSON box ("{}" against {}) as changed.
        changed = [name for name in form.changed_data if before and getattr(before, name) != getattr(obj, name)]
        if changed:
            # The same record the API's PATCH /clinic writes (the admin's change view is one transaction).
            audit_record(
                clinic_id=obj.pk,
                action="clinic.updated",
                actor=actor_for_user(request.user),
                object_type="clinic",
                object_id=obj.pk,
                note=", ".join(sorted(changed)),
            )

    @admin.action(description="Issue a new API key (shown once)", permissions=["change"])
    def issue_api_key(self, request: HttpRequest, queryset: QuerySet) -> None:
        # `queryset` comes from get_queryset: only the user's own clinic can be selected.
        for clinic in queryset:
            _, raw = api_key_create(clinic=clinic, name=f"admin: {request.user}", actor=actor_for_user(request.user))
            self.message_user(
                request, f"New key for {clinic}: {raw} — copy it now, it is not shown again.", messages.WARNING
            )


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "clinic", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("clinic",)
    fields = ("clinic", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("service.change_clinic")

    @admin.action(description="Revoke the selected keys", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        for key in queryset:
            api_key_revoke(key=key, actor=actor_for_user(request.user))
        self.message_user(request, f"Revoked {queryset.count()} key(s).")


@admin.register(Therapist)
class TherapistAdmin(ClinicScopedAdmin):
    list_display = ("name", "clinic", "email", "qualifications", "active")
    list_filter = ("clinic", "active")
    search_fields = ("name", "email")
    exclude = ("user",)  # a therapist's sign-in is made by their invitation, never picked from every user
    actions = ["invite"]

    @admin.action(description="Email a set-password invitation", permissions=["change"])
    def invite(self, request: HttpRequest, queryset: QuerySet) -> None:
        actor = actor_for_user(request.user)
        _run_each(self, request, queryset, lambda t: people.therapist_invite(therapist=t, actor=actor), "Invited")


@admin.register(Client)
class ClientAdmin(ClinicScopedAdmin):
    list_display = ("name", "clinic", "email", "active")
    list_filter = ("clinic", "active")
    search_fields = ("name", "email")
    readonly_fields = ("erased_at",)


@admin.register(ClinicMembership)
class ClinicMembershipAdmin(ReadOnlyAdmin):
    """Who signs in for which clinic; staff are added with `create_staff` or an invitation."""

    list_display = ("user", "clinic")


def _run_each(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, service, done: str) -> None:
    changed, refused = 0, []
    for obj in queryset:
        try:
            service(obj)
            changed += 1
        except Conflict as exc:
            refused.append(str(exc))
    if changed:
        modeladmin.message_user(request, f"{done}: {changed}.")
    for reason in dict.fromkeys(refused):
        modeladmin.message_user(request, reason, messages.ERROR)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("start", "clinic", "client", "therapist", "status", "booked_against_advice")
    list_filter = ("clinic", "status")
    actions = ["cancel", "complete", "no_show"]

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("service.change_appointment")

    @admin.action(description="Cancel the selected appointments", permissions=["manage"])
    def cancel(self, request: HttpRequest, queryset: QuerySet) -> None:
        actor = actor_for_user(request.user)
        _run_each(
            self, request, queryset, lambda a: booking.appointment_cancel(appointment=a, actor=actor), "Cancelled"
        )

    @admin.action(description="Mark the selected appointments completed", permissions=["manage"])
    def complete(self, request: HttpRequest, queryset: QuerySet) -> None:
        actor = actor_for_user(request.user)
        _run_each(
            self, request, queryset, lambda a: booking.appointment_complete(appointment=a, actor=actor), "Completed"
        )

    @admin.action(description="Mark the selected appointments as no-shows", permissions=["manage"])
    def no_show(self, request: HttpRequest, queryset: QuerySet) -> None:
        actor = actor_for_user(request.user)
        _run_each(
            self, request, queryset, lambda a: booking.appointment_mark_no_show(appointment=a, actor=actor), "No-show"
        )


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "clinic", "outcome", "source")
    list_filter = ("clinic", "outcome")
    exclude = ("answers",)  # health data: read on the therapist pages, where reading it is recorded


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "clinic", "severity", "source", "status")
    list_filter = ("clinic", "severity", "status")
    actions = ["acknowledge", "resolve"]

    @admin.action(description="Acknowledge the selected flags", permissions=["view"])
    def acknowledge(self, request: HttpRequest, queryset: QuerySet) -> None:
        actor = actor_for_user(request.user)
        _run_each(self, request, queryset, lambda f: flag_acknowledge(flag=f, actor=actor), "Acknowledged")

    @admin.action(description="Resolve the selected flags", permissions=["view"])
    def resolve(self, request: HttpRequest, queryset: QuerySet) -> None:
        actor = actor_for_user(request.user)
        _run_each(self, request, queryset, lambda f: flag_resolve(flag=f, actor=actor), "Resolved")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "clinic", "action", "actor_type", "actor_name", "object_type", "object_id")
    list_filter = ("clinic", "action", "actor_type", "object_type")
    search_fields = ("object_id", "actor_name")
