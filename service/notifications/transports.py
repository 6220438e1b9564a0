"""How a notification leaves: one Transport per channel, found in one registry.

A transport sends one rendered message to one recipient and returns the provider's reference, or
raises TransportError (permanent when retrying cannot help). The outbox knows nothing else about
channels: adding one is a class and a `register_transport` call.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar, Literal

from service.registry import Registry

if TYPE_CHECKING:
    from service.models import Notification
    from service.notifications.render import Rendered

__all__ = ["Transport", "get_transport", "register_transport", "unregister_transport"]


class Transport(ABC):
    # Which templates render its messages: "email" (subject, text and HTML) or "text" (one short text).
    renders_as: ClassVar[Literal["email", "text"]] = "text"

    @abstractmethod
    def send(self, notification: Notification, rendered: Rendered) -> str:
        """Send to notification.recipient; return the provider's reference or raise TransportError."""


_TRANSPORTS: Registry[Transport] = Registry(
    {
        "email": "service.notifications.email.EmailTransport",
        "sms": "service.notifications.sms.SmsTransport",
    }
)

register_transport = _TRANSPORTS.register
unregister_transport = _TRANSPORTS.unregister
get_transport = _TRANSPORTS.get
