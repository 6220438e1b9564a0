"""`manage.py create_staff`: a clinic staff sign-in for the admin and the therapist pages."""

import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from service.clinics import set_password_link, staff_create
from service.models import Clinic


class Command(BaseCommand):
    help = (
        "Create a clinic staff sign-in (user name: the email address), scoped to one clinic. "
        "Without --password it prints a one-time link, valid 72 hours, where its owner sets one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clinic", required=True, help="The clinic's id (printed by create_clinic).")
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", default=None, help="Leave out to print a set-password link instead.")

    def handle(self, *args, **options):
        try:
            clinic = Clinic.objects.get(pk=uuid.UUID(options["clinic"]))
        except (ValueError, Clinic.DoesNotExist):
            raise CommandError(f"--clinic: no clinic with id {options['clinic']!r}") from None
        try:
            user = staff_create(clinic=clinic, email=options["email"], password=options["password"])
        except ValidationError as exc:
            raise CommandError("; ".join(f"--{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(f"Staff sign-in {user.username} created for {clinic.name}.")
        if not options["password"]:
            self.stdout.write(f"Set a password here (valid 72 hours, once): {set_password_link(user=user)}")
