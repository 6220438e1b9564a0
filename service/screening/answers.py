"""Validation of questionnaire answers against the definitions, naming every bad field."""

from __future__ import annotations

from collections.abc import Mapping

from service.screening.definitions import QUESTIONNAIRES, Item, get_questionnaire

__all__ = ["AnswersInvalid", "prune_inapplicable", "validate_answers"]


class AnswersInvalid(Exception):
    """Raised with ``errors``: a list of ``{"attr", "code", "detail"}`` dicts, one per bad field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(f"{len(errors)} invalid answer(s)")
        self.errors = errors


_ITEMS_BY_KIND: dict[str, dict[str, Item]] = {
    kind: {item.key: item for item in questionnaire.items} for kind, questionnaire in QUESTIONNAIRES.items()
}


def _items(kind: str) -> dict[str, Item]:
    try:
        return _ITEMS_BY_KIND[kind]
    except KeyError:
        get_questionnaire(kind)  # raises the KeyError that names the kind
        raise


def _error(key: str, code: str, detail: str) -> dict[str, str]:
    # Details never echo the value: answers are health data.
    return {"attr": f"answers.{key}", "code": code, "detail": detail}


def _clean(item: Item, value: object) -> tuple[object, dict[str, str] | None]:
    """The cleaned value, or an error. JSON types must already be right: no coercion."""
    kind = item.type
    if kind == "boolean":
        if type(value) is bool:
            return value, None
        return None, _error(item.key, "invalid_type", "Must be true or false.")
    if kind == "integer":
        # bool is a subclass of int; true is not a pain score.
        if type(value) is not int:
            return None, _error(item.key, "invalid_type", "Must be a whole number.")
        if (item.minimum is not None and value < item.minimum) or (item.maximum is not None and value > item.maximum):
            return None, _error(
                item.key,
                "out_of_range",
                f"Must be between {item.minimum} and {item.maximum}.",
            )
        return value, None
    if kind == "choice":
        if type(value) is not str:
            return None, _error(item.key, "invalid_type", "Must be one of the listed choices.")
        if value not in item.choice_values:
            return None, _error(
                item.key,
                "invalid_choice",
                "Must be one of: " + ", ".join(item.choice_values) + ".",
            )
        return value, None
    # text
    if type(value) is not str:
        return None, _error(item.key, "invalid_type", "Must be text.")
    # NUL characters cannot be stored in PostgreSQL text; they are never meaningful here.
    text = value.replace("\x00", "").strip()
    if item.maximum is not None and len(text) > item.maximum:
        return None, _error(item.key, "too_long", f"Must be at most {item.maximum} characters.")
    return text, None


def validate_answers(raw: Mapping[str, object], *, kind: str) -> dict[str, object]:
    """Cleaned answers for questionnaire ``kind``, or AnswersInvalid naming every bad field.

    Every answer is optional; a missing answer, a JSON null and empty text all mean
    "not reported" and are left out of the result.
    """
    items = _items(kind)
    if not isinstance(raw, Mapping):
        raise AnswersInvalid([{"attr": "answers", "code": "invalid_type", "detail": "Must be an object."}])
    cleaned: dict[str, object] = {}
    errors: dict[str, dict[str, str]] = {}
    for key, value in raw.items():
        name = key if isinstance(key, str) else str(key)
        item = items.get(name)
        if item is None:
            errors[name] = _error(name, "unknown_key", "Not a question in this questionnaire.")
            continue
        if value is None:
            continue
        result, error = _clean(item, value)
        if error is not None:
            errors[name] = error
        elif result != "":
            cleaned[name] = result
    # Conditions are checked on cleaned answers so that a bad controlling answer
    # cannot make a dependent answer look applicable.
    for name in list(cleaned):
        item = items[name]
        if item.enable_when and not item.is_enabled(cleaned):
            shown_when = " and ".join(f"{c.key} is {_json_word(c.equals)}" for c in item.enable_when)
            errors[name] = _error(name, "condition_not_met", f"Only asked when {shown_when}.")
    if errors:
        # Report in the order the fields were sent.
        order = {str(key): index for index, key in enumerate(raw)}
        raise AnswersInvalid(sorted(errors.values(), key=lambda e: order[e["attr"][8:]]))
    return cleaned


def _json_word(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def prune_inapplicable(answers: Mapping[str, object], *, kind: str) -> dict[str, object]:
    """``answers`` without answers to items whose conditions do not hold.

    For forms that post hidden inputs. Items are visited in questionnaire order, so
    an answer pruned here also disables the items that depend on it. Keys that are
    not items are kept, for validate_answers to report.
    """
    result = dict(answers)
    for item in get_questionnaire(kind).items:
        if item.enable_when and item.key in result and not item.is_enabled(result):
            del result[item.key]
    return result
