"""Booking-platform integration: inbound webhooks from six platforms and signed outbound events."""

from django.apps import AppConfig


class BookingIntegrationConfig(AppConfig):
    name = "booking_integration"
    verbose_name = "Booking integration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from service.schedules import register_periodic_task

        register_periodic_task(
            "inbound webhook deliveries sweep", "booking_integration.tasks.sweep_inbound_deliveries", 60
        )
        register_periodic_task(
            "outbound webhook deliveries sweep", "booking_integration.tasks.sweep_webhook_deliveries", 60
        )
        register_periodic_task("platform holds sweep", "booking_integration.tasks.sweep_platform_holds", 60)
        # The endpoint-disabled notice registers its outbox purpose there.
        import booking_integration.outbound

        # Receivers of the domain events (service/events.py) that turn them into outbound webhooks.
        import booking_integration.receivers  # noqa: F401
