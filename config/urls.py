"""Top-level routes: the API, its schema and docs, health, metrics, admin and the web pages."""

from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from service.health import health

# The API docs come from the installed package and load nothing from elsewhere. Their scripts are files
# (the split view serves Swagger's set-up script separately); Swagger UI and ReDoc style elements at
# run time, so these two pages alone allow inline styles.
_docs_page = csp_update({"style-src": ["'self'", "'unsafe-inline'"]})

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Setting a first password (the link of create_staff and of a therapist's invitation) and resetting a
    # forgotten one are Django's password-reset pages, in the therapist pages' look.
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="accounts/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", _docs_page(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger-ui"),
    path("api/redoc/", _docs_page(SpectacularRedocView.as_view(url_name="schema")), name="redoc"),
    # The questionnaire routes come first: the client page, its JSON twin and the FHIR exports.
    path("", include("service.questionnaires.urls")),
    path("api/v1/", include("service.api.urls")),
    path("api/v1/", include("booking_integration.api.urls")),
    path("hooks/", include("booking_integration.hooks_urls")),
    path("therapist/", include("service.therapist_pages.urls")),
    path("health/", health, name="health"),
    path("", include("django_prometheus.urls")),
]

handler400 = "service.api.errors.handler400"
handler404 = "service.api.errors.handler404"
handler500 = "service.api.errors.handler500"
