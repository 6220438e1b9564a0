"""gunicorn settings shared by `make run` and the image: an access log on stdout without tokens."""

from __future__ import annotations

from gunicorn.glogging import Logger

from config.log_filters import redact

accesslog = "-"
# The proxy's address is trusted for X-Forwarded-* only when FORWARDED_ALLOW_IPS names it (gunicorn
# reads that variable itself); the default, 127.0.0.1, trusts nothing else.


class RedactingLogger(Logger):
    """gunicorn's logger with questionnaire tokens taken out of the request line before it is written."""

    def atoms(self, resp, req, environ, request_time):  # gunicorn calls it with these
        atoms = super().atoms(resp, req, environ, request_time)
        # The request line, path, referer and any header or environ atom a custom format may use.
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = RedactingLogger
