"""Platform name → module, imported on first use so one broken module cannot break the others."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from booking_integration.platforms.base import Platform

PLATFORMS: dict[str, str] = {
    "calcom": "booking_integration.platforms.calcom.CalCom",
    "calendly": "booking_integration.platforms.calendly.Calendly",
    "acuity": "booking_integration.platforms.acuity.Acuity",
    "square": "booking_integration.platforms.square.Square",
    "mindbody": "booking_integration.platforms.mindbody.Mindbody",
    "standard": "booking_integration.platforms.standard.StandardWebhooks",
}

PLATFORM_NAMES: tuple[str, ...] = tuple(PLATFORMS)


@cache
def get_platform(name: str) -> Platform:
    """The platform's (stateless) instance; KeyError for an unknown name."""
    module_name, class_name = PLATFORMS[name].rsplit(".", 1)
    platform_class = getattr(import_module(module_name), class_name)
    return platform_class()
