"""Routes of /api/v1/ for the service's own resources."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from service.api.analytics import OutcomesView
from service.api.appointments import AppointmentViewSet
from service.api.audit import AuditEventViewSet
from service.api.clinic import ClinicView
from service.api.flags import FlagViewSet
from service.api.people import ClientViewSet, TherapistViewSet
from service.api.screenings import ScreeningCreateView

# Paths as the API documents them: no trailing slash.
router = SimpleRouter(trailing_slash=False)
router.register("therapists", TherapistViewSet, basename="therapist")
router.register("clients", ClientViewSet, basename="client")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("flags", FlagViewSet, basename="flag")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("screenings", ScreeningCreateView.as_view(), name="screening-create"),
    path("clinic", ClinicView.as_view(), name="clinic"),
    path("analytics/outcomes", OutcomesView.as_view(), name="analytics-outcomes"),
    *router.urls,
]
