"""Top-level routes: the API, its schema and docs, health, metrics, admin and the web pages."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from service.health import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/v1/", include("service.api.urls")),
    path("health/", health, name="health"),
    path("", include("django_prometheus.urls")),
]

handler404 = "service.api.errors.handler404"
handler500 = "service.api.errors.handler500"
