from django.urls import path

from . import views

app_name = "finance"
urlpatterns = [
    path("instruments/", views.instrument_list, name="instruments"),
    path("instruments/<slug:slug>/", views.instrument_detail, name="instrument"),
    path("guide/", views.financing_guide, name="guide"),
    path("projects/<int:project_pk>/business-cases/", views.case_list, name="cases"),
    path("projects/<int:project_pk>/business-cases/new/", views.case_create, name="case_create"),
    path("projects/<int:project_pk>/business-cases/preview/", views.case_preview, name="case_preview"),
    path("business-cases/<int:pk>/", views.case_detail, name="case"),
    path("business-cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("business-cases/<int:pk>/delete/", views.case_delete, name="case_delete"),
    path("business-cases/<int:pk>/export.<str:fmt>", views.case_export, name="case_export"),
    path("projects/<int:project_pk>/readiness/", views.readiness_page, name="readiness"),
    path("projects/<int:project_pk>/readiness/settings/", views.readiness_settings, name="readiness_settings"),
    path("projects/<int:project_pk>/readiness/<str:code>/", views.readiness_answer, name="readiness_answer"),
]
