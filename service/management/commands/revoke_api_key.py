"""`manage.py revoke_api_key --key-id ID`: stop a key from working."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from service.clinics import api_key_revoke
from service.models import ApiKey


class Command(BaseCommand):
    help = "Revoke an API key by its id (see the admin or create_api_key's output)."

    def add_arguments(self, parser):
        parser.add_argument("--key-id", required=True)

    def handle(self, *args, **options):
        try:
            key = ApiKey.objects.get(pk=options["key_id"])
        except (ApiKey.DoesNotExist, ValidationError):
            raise CommandError(f"No API key with id {options['key_id']}") from None
        api_key_revoke(key=key)
        self.stdout.write(f"revoked {key.prefix}…")
