"""What the client reads, in their own language: Django's gettext over the rule pack and the questions.

The rule pack and the question definitions are plain Python in English (service/screening). Their
client-facing strings are msgids of the `locale_rulepack` catalogue, kept complete by
`manage.py rulepack_messages` (a test fails when a string has no translation). Stored client
messages are English; they are shown by finding their template and region, translating the
template and the region's pieces, and putting them together again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone, translation
from django.utils.translation import gettext

from service.models import Client, Clinic
from service.screening.definitions import QUESTIONNAIRES, SPINAL_PROCEDURE_TEXT, Item
from service.screening.messages import (
    CLIENT_MESSAGE_KEYS,
    CLIENT_TEMPLATES,
    REGION_PIECES,
    SCREENING_NOTE,
    render,
)

__all__ = [
    "client_language",
    "client_message",
    "for_client",
    "item_help",
    "item_text",
    "rulepack_msgids",
    "without_screening_note",
]


def client_language(client: Client | None, clinic: Clinic) -> str:
    """The client's own language, else the clinic's."""
    return (client.language if client is not None else "") or clinic.language or "en"


@contextmanager
def for_client(client: Client | None, clinic: Clinic) -> Iterator[str]:
    """Render what is inside in the client's language, with times in the clinic's time zone."""
    language = client_language(client, clinic)
    with translation.override(language), timezone.override(clinic.tz):
        yield language


def client_message(text: str) -> str:
    """A stored (English) client message in the active language."""
    found = CLIENT_MESSAGE_KEYS.get(text)
    if found is None:
        return gettext(text) if text else text
    key, region = found
    pieces = {name: gettext(piece) for name, piece in REGION_PIECES[region].items()}
    return render(gettext(CLIENT_TEMPLATES[key]), pieces)


def without_screening_note(message: str) -> str:
    """For the page, which says it once at the end (in either language)."""
    for note in {SCREENING_NOTE, gettext(SCREENING_NOTE)}:
        message = message.replace(note, "")
    return message.strip()


def item_text(item: Item, *, spinal_procedure_weeks: int | None = None) -> str:
    if item.key == "spinal_procedure_recent" and spinal_procedure_weeks is not None:
        return gettext(SPINAL_PROCEDURE_TEXT).format(weeks=spinal_procedure_weeks)
    return gettext(item.text)


def item_help(item: Item) -> str:
    return gettext(item.help) if item.help else ""


def rulepack_msgids() -> list[str]:
    """Every client-facing string of the rule pack and the questionnaires, once each, in order."""
    strings: list[str] = [SCREENING_NOTE, SPINAL_PROCEDURE_TEXT]
    for questionnaire in QUESTIONNAIRES.values():
        strings.append(questionnaire.title)
        for item in questionnaire.items:
            if item.key != "spinal_procedure_recent":
                strings.append(item.text)
            strings.extend(s for s in (item.help, item.section) if s)
            strings.extend(choice.label for choice in item.choices)
    strings.extend(CLIENT_TEMPLATES.values())
    for pieces in REGION_PIECES.values():
        strings.extend(pieces.values())
    return [s for s in dict.fromkeys(strings) if s]
