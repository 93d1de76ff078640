from django.urls import path

from .views import results, survey

app_name = "assessments"

urlpatterns = [
    # Employee questionnaire (public; the token URLs redirect at once to token-free URLs).
    path("s/<str:token>/", survey.survey_entry, name="survey_entry"),
    path("i/<str:token>/", survey.invitation_entry, name="invitation_entry"),
    path("survey/", survey.survey_intro, name="survey_intro"),
    path("survey/step/<int:number>/", survey.survey_step, name="survey_step"),
    path("survey/paused/", survey.survey_paused, name="survey_paused"),
    path("survey/review/", survey.survey_review, name="survey_review"),
    path("survey/done/", survey.survey_done, name="survey_done"),
    path("survey/resume/", survey.survey_resume, name="survey_resume"),
    path("privacy/", survey.privacy, name="privacy"),
    # Results (HR and consultants of the round's organisation).
    path("rounds/<int:pk>/results/", results.campaign_results_view, name="campaign_results"),
]
