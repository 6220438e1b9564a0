"""`manage.py create_clinic`: make a clinic and print its id and first API key as JSON."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from service.clinics import clinic_create
from service.models import EmergencyRegion


class Command(BaseCommand):
    help = "Create a clinic (a tenant) and print {clinic_id, api_key} as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", default="UTC", help="An IANA time zone, e.g. Europe/London.")
        parser.add_argument("--emergency-region", default="generic", choices=EmergencyRegion.values)
        parser.add_argument("--contact-email", default="")

    def handle(self, *args, **options):
        try:
            clinic, raw_key = clinic_create(
                name=options["name"],
                timezone_name=options["timezone"],
                emergency_region=options["emergency_region"],
                contact_email=options["contact_email"],
            )
        except ValidationError as exc:
            problems = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            raise CommandError(problems) from None
        self.stdout.write(json.dumps({"clinic_id": str(clinic.id), "api_key": raw_key}))
