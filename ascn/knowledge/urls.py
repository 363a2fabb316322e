from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("case-studies/", views.case_study_list, name="case_studies"),
    path("case-studies/<slug:slug>/", views.case_study_detail, name="case_study"),
]
