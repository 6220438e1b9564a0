"""`manage.py seed_demo`: a demo clinic with two therapists and a client; safe to run again.

The demo's raw API key and staff password are kept in var/ (a local, ignored folder) so that each
`make run` can print them again; a real clinic's keys are never written anywhere but the screen.
"""

import json
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from service import people
from service.clinics import api_key_create
from service.models import ApiKey, Client, Clinic, ClinicMembership, Therapist
from service.models.clinics import hash_api_key

DEMO_CLINIC = "SessionGuard Demo Clinic"


class Command(BaseCommand):
    help = "Create (or find) the demo clinic and print its API key and sign-in as JSON."

    @transaction.atomic
    def handle(self, *args, **options):
        clinic, _ = Clinic.objects.get_or_create(
            name=DEMO_CLINIC,
            defaults={"timezone": "Europe/London", "emergency_region": "uk", "contact_email": "desk@demo.example"},
        )
        if not Therapist.objects.filter(clinic=clinic, email="sam@demo.example").exists():
            people.therapist_create(
                clinic=clinic,
                name="Sam Rivers",
                email="sam@demo.example",
                phone="+447911123456",
                qualifications=["sciatica", "deep_tissue"],
                alert_channels=["email"],
            )
        if not Therapist.objects.filter(clinic=clinic, email="jo@demo.example").exists():
            people.therapist_create(
                clinic=clinic,
                name="Jo Patel",
                email="jo@demo.example",
                qualifications=["sports"],
                alert_channels=["email"],
            )
        if not Client.objects.filter(clinic=clinic, email="alex@demo.example").exists():
            people.client_create(
                clinic=clinic,
                name="Alex Morgan",
                email="alex@demo.example",
                date_of_birth="1978-05-14",
                contact_channels=["email"],
            )

        var = settings.BASE_DIR / "var"
        var.mkdir(exist_ok=True)
        key_file, password_file = var / "demo-api-key", var / "demo-staff-password"
        raw_key = key_file.read_text().strip() if key_file.exists() else ""
        if not raw_key or not ApiKey.objects.active().filter(key_hash=hash_api_key(raw_key), clinic=clinic).exists():
            _, raw_key = api_key_create(clinic=clinic, name="demo")
            key_file.write_text(raw_key)
            key_file.chmod(0o600)

        password = password_file.read_text().strip() if password_file.exists() else ""
        user_model = get_user_model()
        user = user_model.objects.filter(username="demo").first()
        if user is None or not password or not user.check_password(password):
            password = secrets.token_urlsafe(12)
            password_file.write_text(password)
            password_file.chmod(0o600)
            user = user or user_model(username="demo", email="desk@demo.example")
            user.is_staff = True
            user.is_superuser = True
            user.set_password(password)
            user.save()
        ClinicMembership.objects.get_or_create(user=user, defaults={"clinic": clinic})

        self.stdout.write(
            json.dumps({"clinic_id": str(clinic.id), "api_key": raw_key, "username": "demo", "password": password})
        )
