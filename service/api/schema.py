"""Schema post-processing: every operation documents the problem+json answers it can give."""

from __future__ import annotations

from typing import Any

from service.api.errors import PROBLEM_CONTENT_TYPE, TITLES

_PROBLEM = {
    "type": "object",
    "description": "An error, as RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
    "required": ["type", "title", "status", "detail"],
}
_VALIDATION_PROBLEM = {
    "allOf": [
        {"$ref": "#/components/schemas/Problem"},
        {
            "type": "object",
            "properties": {
                "errors": {
                    "type": "array",
                    "description": "One entry per bad field, named by its dotted path.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "attr": {"type": "string", "nullable": True, "example": "answers.leg_pain_now"},
                            "code": {"type": "string"},
                            "detail": {"type": "string"},
                        },
                        "required": ["attr", "code", "detail"],
                    },
                }
            },
        },
    ]
}
_DESCRIPTIONS = {
    400: "The request is malformed or a field is invalid; `errors` names each field.",
    401: "No API key, or a key that is unknown or revoked.",
    404: "No such object in this clinic (another clinic's objects are not found either).",
    409: "The request conflicts with what is stored (for example an external id already in use).",
    413: "The body is larger than the service accepts.",
    415: "The body is not JSON.",
    429: "Too many requests, or too many failed attempts: try again after `Retry-After` seconds.",
}


def _is_public(operation: dict[str, Any], default_security: list) -> bool:
    security = operation.get("security", default_security)
    return not security or any(requirement == {} for requirement in security)


def _answers_for(method: str, path: str, operation: dict[str, Any], default_security: list) -> list[int]:
    codes = [400]
    if not _is_public(operation, default_security):
        codes.append(401)
    if "{" in path:
        codes.append(404)
    if method in ("post", "put", "patch"):
        codes += [409, 413, 415]
    codes.append(429)
    return codes


def document_problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOK: add the 4xx problem+json answers to each operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", _PROBLEM)
    schemas.setdefault("ValidationProblem", _VALIDATION_PROBLEM)
    default_security = result.get("security", [])
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code in _answers_for(method, path, operation, default_security):
                component = "ValidationProblem" if code == 400 else "Problem"
                responses.setdefault(
                    str(code),
                    {
                        "description": _DESCRIPTIONS.get(code, TITLES.get(code, "Error")),
                        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": f"#/components/schemas/{component}"}}},
                    },
                )
    return result
