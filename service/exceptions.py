"""Errors the services raise; the API's one exception handler turns them into problem details."""


class Conflict(Exception):
    """The change does not fit the object's current state (answered 409)."""
