"""`manage.py create_api_key --clinic ID`: issue another key, printed once as JSON."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from service.clinics import api_key_create
from service.models import Clinic


class Command(BaseCommand):
    help = "Issue another API key for a clinic; it is shown once and stored hashed."

    def add_arguments(self, parser):
        parser.add_argument("--clinic", required=True, help="The clinic's id.")
        parser.add_argument("--name", default="", help="A label to tell keys apart.")

    def handle(self, *args, **options):
        try:
            clinic = Clinic.objects.get(pk=options["clinic"])
        except (Clinic.DoesNotExist, ValidationError):
            raise CommandError(f"No clinic with id {options['clinic']}") from None
        key, raw = api_key_create(clinic=clinic, name=options["name"])
        self.stdout.write(json.dumps({"clinic_id": str(clinic.id), "api_key_id": str(key.id), "api_key": raw}))
