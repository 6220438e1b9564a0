"""Log filters: questionnaire and sign-in tokens never reach a log line, and expected answers stay quiet."""

from __future__ import annotations

import logging
import re

# A token is a credential: whoever reads it can open the client's answers. It appears in the paths of
# the client's page (/q/<token>), its JSON twin, and Django's set-password links.
_TOKEN_PATHS = re.compile(
    r"(?P<prefix>/q/|/api/v1/public/questionnaires/|/accounts/reset/[^/\s]+/)(?P<token>[^/\s?\"']+)"
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """The text with every token in a path replaced by a marker."""
    return _TOKEN_PATHS.sub(lambda m: m.group("prefix") + REDACTED, text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message with its tokens redacted; formatted once, here, with its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class QuietExpectedAnswers(logging.Filter):
    """For `django.request`: drop what is an answer, not a fault.

    A 4xx is already in the access log (once is enough), and /health/ answering 503 while the worker
    starts is what it is for; a 500 from anywhere else is still logged as an error.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None:
            return True
        if 400 <= status < 500:
            return False
        request = getattr(record, "request", None)
        return not (status == 503 and getattr(request, "path", "") == "/health/")
