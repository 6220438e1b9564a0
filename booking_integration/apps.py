"""Booking-platform integration: inbound webhooks from six platforms and signed outbound events."""

from django.apps import AppConfig


class BookingIntegrationConfig(AppConfig):
    name = "booking_integration"
    verbose_name = "Booking integration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Receivers of the domain events (service/events.py) that turn them into outbound webhooks.
        import booking_integration.receivers  # noqa: F401
