"""The admin's tenancy: a staff user sees, chooses and acts on their own clinic's rows only.

Superusers (the operator of the instance) see every clinic. Everyone else is scoped through their
ClinicMembership: list and change pages, foreign-key choices, list filters and actions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from service.models import Clinic


def staff_clinic(request: HttpRequest) -> Clinic | None:
    """The clinic a signed-in staff user belongs to; None for a user without one."""
    membership = getattr(request.user, "clinic_membership", None)
    return membership.clinic if membership is not None else None


class ClinicScopedAdmin(admin.ModelAdmin):
    """Rows reach the clinic through `clinic_path` ("clinic", "integration__clinic", "pk" for Clinic itself)."""

    clinic_path = "clinic"
    # Web addresses typed without a scheme are https (Django 6's default, asked for now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def _scope(self, request: HttpRequest, queryset: QuerySet, path: str) -> QuerySet:
        if request.user.is_superuser:
            return queryset
        clinic = staff_clinic(request)
        return queryset.filter(**{path: clinic.pk}) if clinic is not None else queryset.none()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self._scope(request, super().get_queryset(request), self.clinic_path)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Every choice offered (a clinic, a client, a therapist, an appointment) is one of the user's clinic.
        related = db_field.related_model
        queryset = kwargs.get("queryset", related._default_manager.all())
        if related is Clinic:
            kwargs["queryset"] = self._scope(request, queryset, "pk")
        elif any(f.name == "clinic" for f in related._meta.fields):
            kwargs["queryset"] = self._scope(request, queryset, "clinic")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        has_clinic = any(f.name == "clinic" for f in self.model._meta.fields)
        if has_clinic and not request.user.is_superuser and "clinic" not in fields:
            fields += ("clinic",)  # a row stays in its clinic
        return fields

    def get_list_filter(self, request: HttpRequest) -> tuple[Any, ...]:
        # A filter by clinic would list the other clinics' names.
        filters = tuple(super().get_list_filter(request))
        if request.user.is_superuser:
            return filters
        return tuple(f for f in filters if f != "clinic" and not str(f).endswith("__clinic"))

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if not change and not request.user.is_superuser and hasattr(obj, "clinic_id"):
            obj.clinic = staff_clinic(request)
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(ClinicScopedAdmin):
    """Rows written by the services only: the admin looks, it does not add, edit or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
