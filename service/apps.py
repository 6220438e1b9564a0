"""The SessionGuard service app: screening, questionnaires, flags, alerts and the API."""

from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = "SessionGuard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from service.schedules import install_periodic_tasks, register_periodic_task

        post_migrate.connect(install_periodic_tasks, sender=self)
        register_periodic_task("worker heartbeat", "service.tasks.worker_heartbeat", 30)
        register_periodic_task("questionnaire sweep", "service.questionnaires.tasks.questionnaire_sweep", 60)
        register_periodic_task("notification sweep", "service.notifications.tasks.notification_sweep", 60)
        register_periodic_task("data retention purge", "service.tasks.data_retention_purge", 24 * 60 * 60)
        register_periodic_task("flag escalation sweep", "service.tasks.flags_escalation_sweep", 60)
        # The receivers of the domain events (service/events.py) that live in this app, and the
        # outbox's purposes, each registered by the module that makes its messages.
        import service.alerts
        import service.escalation
        import service.people
        import service.questionnaires.notices
        import service.receivers  # noqa: F401
