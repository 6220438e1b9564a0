"""The service's tables: tenants and keys, people, appointments, screenings, flags, questionnaires."""

from service.models.appointments import (
    Appointment,
    AppointmentStatus,
    Flag,
    FlagKind,
    FlagSeverity,
    FlagSource,
    FlagStatus,
    Screening,
)
from service.models.audit import ActorType, AuditEvent
from service.models.clinics import (
    ApiKey,
    Clinic,
    ClinicMembership,
    EmergencyRegion,
    IdempotencyRecord,
    Language,
    WorkerHeartbeat,
)
from service.models.notifications import Notification, NotificationChannel, NotificationPurpose, NotificationStatus
from service.models.outcomes import OutcomeDaily, OutcomeFact, OutcomeGroup
from service.models.people import Client, ClientExternalId, Therapist, TherapistExternalId
from service.models.questionnaires import Invitation, InvitationStatus, QuestionnaireKind, QuestionnaireResponse

__all__ = [
    "ActorType",
    "ApiKey",
    "Appointment",
    "AppointmentStatus",
    "AuditEvent",
    "Client",
    "ClientExternalId",
    "Clinic",
    "ClinicMembership",
    "EmergencyRegion",
    "Flag",
    "FlagKind",
    "FlagSeverity",
    "FlagSource",
    "FlagStatus",
    "IdempotencyRecord",
    "Invitation",
    "InvitationStatus",
    "Language",
    "Notification",
    "NotificationChannel",
    "NotificationPurpose",
    "NotificationStatus",
    "OutcomeDaily",
    "OutcomeFact",
    "OutcomeGroup",
    "QuestionnaireKind",
    "QuestionnaireResponse",
    "Screening",
    "Therapist",
    "TherapistExternalId",
    "WorkerHeartbeat",
]
