"""`manage.py rotate_field_encryption`: re-encrypt every stored secret under the first FIELD_ENCRYPTION_KEY."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from service.crypto import EncryptedJSONField, EncryptedTextField


class Command(BaseCommand):
    help = (
        "Re-encrypt stored signing secrets and platform keys with the first key of FIELD_ENCRYPTION_KEY. "
        "Put the new key first (the old one after a comma), run this, then remove the old key."
    )

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            names = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField | EncryptedJSONField)]
            if not names:
                continue
            with transaction.atomic():
                # Reading decrypts with whichever key opens the value; saving encrypts with the first.
                for row in model._default_manager.select_for_update().only("pk", *names).iterator():
                    row.save(update_fields=names)
                    total += 1
        self.stdout.write(f"Re-encrypted {total} row(s) with the first key.")
