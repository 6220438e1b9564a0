"""Keep the rule pack's catalogue (locale_rulepack/<lang>/LC_MESSAGES/django.po) in step with the code.

Adds every client-facing string of the questions and the rule pack that is missing (untranslated),
drops those no longer used, and with --check only reports: a string without a translation fails.
"""

from __future__ import annotations

from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from service.questionnaires.wording import rulepack_msgids


class Command(BaseCommand):
    help = "Add new rule-pack and question strings to locale_rulepack (or, with --check, list untranslated ones)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="Change nothing; fail if a string is untranslated.")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        msgids = rulepack_msgids()
        missing: list[str] = []
        for language, _name in settings.LANGUAGES:
            if language == "en":
                continue
            path = settings.BASE_DIR / "locale_rulepack" / language / "LC_MESSAGES" / "django.po"
            old = Catalog(locale=language)
            if path.exists():
                with path.open("rb") as po_file:
                    old = read_po(po_file, locale=language)
            new = Catalog(locale=language, project="SessionGuard rule pack", fuzzy=False)
            for msgid in msgids:
                found = old.get(msgid)
                translation = found.string if found is not None and not found.fuzzy else ""
                new.add(msgid, translation)
                if not translation:
                    missing.append(f"{language}: {msgid}")
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("wb") as po_file:
                    write_po(po_file, new, width=0, omit_header=False)
        if missing:
            listing = "\n".join(missing)
            if check:
                raise CommandError(f"{len(missing)} string(s) have no translation:\n{listing}")
            self.stdout.write(f"{len(missing)} string(s) to translate:\n{listing}")
        else:
            self.stdout.write("every rule-pack string is translated")
