"""The product's routes plus the floor endpoint."""

from django.urls import include, path

from bench.floor.views import FloorView

urlpatterns = [
    path("bench/floor", FloorView.as_view()),
    path("", include("config.urls")),
]
