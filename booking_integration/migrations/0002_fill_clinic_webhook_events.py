"""Fill Clinic.webhook_events from the endpoints that exist when the field arrives."""

from django.db import migrations


def fill(apps, schema_editor):
    Clinic = apps.get_model("service", "Clinic")
    WebhookEndpoint = apps.get_model("booking_integration", "WebhookEndpoint")
    subscribed: dict = {}
    for clinic_id, events in WebhookEndpoint.objects.filter(active=True).values_list("clinic_id", "events"):
        subscribed.setdefault(clinic_id, set()).update(events)
    for clinic_id, events in subscribed.items():
        Clinic.objects.filter(pk=clinic_id).update(webhook_events=sorted(events))


class Migration(migrations.Migration):
    dependencies = [
        ("booking_integration", "0001_initial"),
        ("service", "0003_webhook_events_and_history_flagged_at"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
