from django.urls import path

from threadline.prevention import survey_views

app_name = "survey"

urlpatterns = [
    path("", survey_views.SurveyStartView.as_view(), name="start"),
    path("questions/", survey_views.SurveyAnswerView.as_view(), name="answer"),
    path("thanks/", survey_views.SurveyThanksView.as_view(), name="thanks"),
    path("<str:code>/", survey_views.SurveyStartView.as_view(), name="code"),
]
