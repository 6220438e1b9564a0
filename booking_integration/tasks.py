"""Celery tasks of the booking integration: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from booking_integration import holds, inbound, outbound


@shared_task(name="booking_integration.tasks.process_inbound_delivery", ignore_result=True)
def process_inbound_delivery(delivery_id: str) -> str:
    """Act on a stored delivery from a booking platform; safe to run twice (the row is claimed)."""
    return inbound.delivery_process(delivery_id)


@shared_task(name="booking_integration.tasks.sweep_inbound_deliveries", ignore_result=True)
def sweep_inbound_deliveries() -> int:
    """Queue deliveries whose task was lost (broker down, worker killed) or whose fetch backs off."""
    return inbound.deliveries_sweep()


@shared_task(name="booking_integration.tasks.send_webhook_delivery", ignore_result=True)
def send_webhook_delivery(delivery_id: str) -> str:
    """One attempt at sending an outbound event to one endpoint; safe to run twice (claimed)."""
    return outbound.delivery_send(delivery_id)


@shared_task(name="booking_integration.tasks.sweep_webhook_deliveries", ignore_result=True)
def sweep_webhook_deliveries() -> int:
    """Queue outbound deliveries that are due: later retries, and those a crashed worker held."""
    return outbound.deliveries_sweep()


@shared_task(name="booking_integration.tasks.cancel_on_platform", ignore_result=True)
def cancel_on_platform(hold_id: str) -> str:
    """Cancel a risky booking on its platform; safe to run twice (the hold is claimed)."""
    return holds.hold_attempt(hold_id)


@shared_task(name="booking_integration.tasks.sweep_platform_holds", ignore_result=True)
def sweep_platform_holds() -> int:
    """Queue platform holds that are due (retries, and those a crashed worker held)."""
    return holds.holds_sweep()
