"""Routes of /api/v1/."""

from rest_framework.routers import SimpleRouter

from service.api.people import ClientViewSet, TherapistViewSet

# Paths as CONTRACT.md writes them: no trailing slash.
router = SimpleRouter(trailing_slash=False)
router.register("therapists", TherapistViewSet, basename="therapist")
router.register("clients", ClientViewSet, basename="client")

urlpatterns = router.urls
