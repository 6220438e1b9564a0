"""Routes of /hooks/: one URL per integration, /hooks/<platform>/<integration_id>/."""

from django.urls import path

from booking_integration.hooks import receive_hook

urlpatterns = [
    path("<slug:platform>/<uuid:integration_id>/", receive_hook, name="booking-hook"),
]
