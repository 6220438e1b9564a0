"""Routes of the questionnaires: the client's page, its JSON twin and the FHIR exports."""

from django.urls import path

from service.questionnaires import api, fhir, views

urlpatterns = [
    path("q/<str:token>", views.questionnaire_page, name="questionnaire-page"),
    path("q/<str:token>/sent", views.questionnaire_sent_page, name="questionnaire-sent"),
    path(
        "api/v1/public/questionnaires/<str:token>",
        api.PublicQuestionnaireView.as_view(),
        name="public-questionnaire",
    ),
    path("api/v1/questionnaires/<str:kind>.fhir.json", fhir.QuestionnaireFhirView.as_view(), name="questionnaire-fhir"),
    path(
        "api/v1/clients/<uuid:client_id>/observations.fhir.json",
        fhir.ClientObservationsFhirView.as_view(),
        name="client-observations-fhir",
    ),
    path(
        "api/v1/appointments/<uuid:appointment_id>/responses/<uuid:response_id>.fhir.json",
        fhir.QuestionnaireResponseFhirView.as_view(),
        name="questionnaire-response-fhir",
    ),
]
