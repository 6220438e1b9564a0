"""Routes of the therapist pages, under /therapist/."""

from django.urls import path

from service.therapist_pages import views

urlpatterns = [
    path("", views.workspace, name="therapist-home"),
    path("analytics", views.analytics_page, name="therapist-analytics"),
    path("analytics.csv", views.analytics_csv, name="therapist-analytics-csv"),
    path("flags/<uuid:flag_id>", views.flag_detail, name="therapist-flag"),
    path("clients/<uuid:client_id>", views.client_page, name="therapist-client"),
    path("flags/<uuid:flag_id>/acknowledge", views.flag_acknowledge_view, name="therapist-flag-acknowledge"),
    path("flags/<uuid:flag_id>/resolve", views.flag_resolve_view, name="therapist-flag-resolve"),
]
