"""Domain events, sent inside the transaction that made the change (pretix style).

Receivers write their own rows (invitations, alerts, outbound webhook messages) in the same
transaction, so a change and what it causes commit together or not at all. Receivers that queue
Celery work do so with `transaction.on_commit`.
"""

from django.dispatch import Signal

# kwargs: screening
screening_completed = Signal()
# kwargs: appointment
appointment_booked = Signal()
# kwargs: appointment, previous_start, previous_end
appointment_rescheduled = Signal()
# A cancelled booking booked again on its platform (Cal.com's request-reschedule, Acuity, Square).
appointment_rebooked = Signal()
# kwargs: appointment (its status is already cancelled / completed / no_show)
appointment_cancelled = Signal()
appointment_completed = Signal()
appointment_no_show = Signal()
# kwargs: flag
flag_raised = Signal()
flag_acknowledged = Signal()
flag_resolved = Signal()
flag_escalated = Signal()
# kwargs: invitations (a list: the questionnaires one sweep batch sent, so receivers can work in bulk)
questionnaire_sent = Signal()
# kwargs: invitation, response, screening
questionnaire_completed = Signal()
# kwargs: client, appointment_ids. Receivers remove their own copies of the client's data and return
# (what, how many) for the erasure's answer.
client_erased = Signal()
# kwargs: clinic, cutoff. Receivers delete or clear their rows older than the cutoff and return
# (what, how many) for the purge's log line.
retention_due = Signal()
