"""Errors the services raise; the API's one exception handler turns them into problem details."""


class Conflict(Exception):
    """The change does not fit the object's current state (answered 409)."""


class DuplicateExternalId(Conflict):
    """An appointment with this external platform and id exists already (maybe made a moment ago)."""

    def __init__(self) -> None:
        super().__init__("An appointment with this external platform and id exists already.")


class TransportError(Exception):
    """A send that did not happen (email, SMS, HTTP); `permanent` says whether retrying can help.

    The message is short and safe to store on the row and to log: no addresses, no health details.
    """

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
