"""Turn a booking form's answers into screening answer keys through the clinic's answer map."""

from __future__ import annotations

import re
from collections.abc import Mapping

TRUE_WORDS = frozenset({"yes", "true"})
FALSE_WORDS = frozenset({"no", "false"})
INTEGER = re.compile(r"[+-]?\d+")


def _normalize_label(label: str) -> str:
    # Clinic staff retype question labels; case and spacing differences should not drop answers.
    return " ".join(label.split()).casefold()


def convert_answer(value: object) -> object:
    """yes/no and true/false (any case, trimmed) → bool; integer-looking text → int; else as is."""
    if not isinstance(value, str):
        return value
    stripped = value.strip()
    word = stripped.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    if INTEGER.fullmatch(stripped):
        return int(stripped)
    return value


def map_answers(form_answers: Mapping[str, object], answer_map: Mapping[str, str]) -> dict:
    """Answers keyed by answer key; fields the map does not name are left out.

    A field's label or its name may be mapped; an exact match wins over a case- and
    spacing-insensitive one. Blank answers are left out: an unanswered optional question must not
    reach the screening as an empty string.
    """
    by_normalized: dict[str, object] = {}
    for label, value in form_answers.items():
        by_normalized.setdefault(_normalize_label(label), value)

    mapped: dict[str, object] = {}
    for source, answer_key in answer_map.items():
        if source in form_answers:
            value = form_answers[source]
        elif _normalize_label(source) in by_normalized:
            value = by_normalized[_normalize_label(source)]
        else:
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        mapped[answer_key] = convert_answer(value)
    return mapped
