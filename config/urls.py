"""Top-level routes: the API, its schema and docs, health, metrics, admin and the web pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from service.health import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # The questionnaire routes come first: the client page, its JSON twin and the FHIR exports.
    path("", include("service.questionnaires.urls")),
    path("api/v1/", include("service.api.urls")),
    path("api/v1/", include("booking_integration.api.urls")),
    path("hooks/", include("booking_integration.hooks_urls")),
    path("therapist/", include("service.therapist_pages.urls")),
    path("health/", health, name="health"),
    path("", include("django_prometheus.urls")),
]

handler404 = "service.api.errors.handler404"
handler500 = "service.api.errors.handler500"
