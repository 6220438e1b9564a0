"""The SessionGuard service app: screening, questionnaires, flags, alerts and the API."""

from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = "SessionGuard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from service.schedules import install_periodic_tasks

        post_migrate.connect(install_periodic_tasks, sender=self)
        # Receivers of the domain events (service/events.py) that live in this app.
        import service.receivers  # noqa: F401
