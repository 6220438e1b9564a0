"""Platform name → class, imported on first use so one broken module cannot break the others.

Adding a platform is its module in this folder and one line here (or `register_platform` from
elsewhere, as the tests do with a fake one): nothing else in the service names a platform.
"""

from __future__ import annotations

from booking_integration.platforms.base import Platform
from service.registry import Registry

__all__ = ["get_platform", "platform_names", "register_platform", "unregister_platform"]

_PLATFORMS: Registry[Platform] = Registry(
    {
        "calcom": "booking_integration.platforms.calcom.CalCom",
        "calendly": "booking_integration.platforms.calendly.Calendly",
        "acuity": "booking_integration.platforms.acuity.Acuity",
        "square": "booking_integration.platforms.square.Square",
        "mindbody": "booking_integration.platforms.mindbody.Mindbody",
        "standard": "booking_integration.platforms.standard.StandardWebhooks",
    }
)

platform_names = _PLATFORMS.names
register_platform = _PLATFORMS.register
unregister_platform = _PLATFORMS.unregister
get_platform = _PLATFORMS.get
