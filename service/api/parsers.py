"""The API's JSON parser: DRF's, plus limits on what no valid request needs (deep nesting, NUL characters)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

# No request body of this API nests deeper than a few levels (answers, settings, their maps).
MAX_DEPTH = 20


def _check(value: Any, path: str, depth: int) -> None:
    # Iterative over siblings, recursive over depth only up to MAX_DEPTH: a hostile body cannot blow the stack.
    if depth > MAX_DEPTH:
        raise ParseError(f"JSON nested more than {MAX_DEPTH} levels deep.")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError({path or "body": ["NUL characters are not allowed."]})
    elif isinstance(value, dict):
        for key, child in value.items():
            child_path = f"{path}.{key}" if path else str(key)
            if "\x00" in key:
                raise ValidationError({path or "body": ["NUL characters are not allowed in keys."]})
            _check(child, child_path, depth + 1)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _check(child, f"{path}.{index}" if path else str(index), depth + 1)


class SafeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested more than {MAX_DEPTH} levels deep.") from None
        _check(data, "", 0)
        return data
