"""Routes of /api/v1/ for integrations (inbound) and webhook endpoints (outbound)."""

from rest_framework.routers import SimpleRouter

from booking_integration.api.integrations import IntegrationViewSet
from booking_integration.api.webhooks import WebhookDeliveryViewSet, WebhookEndpointViewSet

# Paths as the API documents them: no trailing slash.
router = SimpleRouter(trailing_slash=False)
router.register("integrations", IntegrationViewSet, basename="integration")
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = router.urls
