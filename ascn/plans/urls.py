from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("projects/", views.pipeline, name="pipeline"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/export.<str:fmt>", views.export, name="export"),
    path("projects/import/template.<str:fmt>", views.import_template, name="import_template"),
    path("projects/import/", views.import_upload, name="import_upload"),
    path("projects/import/<int:pk>/", views.import_detail, name="import_detail"),
    path("projects/import/<int:pk>/file", views.import_file, name="import_file"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/history/", views.project_history, name="project_history"),
    path("projects/<int:pk>/updates/new/", views.project_update_create, name="update_create"),
    path("projects/<int:pk>/comments/", views.project_comment, name="project_comment"),
    path("projects/<int:pk>/documents/", views.project_document, name="project_document"),
    path("projects/<int:pk>/documents/<int:document_pk>/", views.document_download, name="document_download"),
    path("cities/<slug:slug>/plan/", views.city_plan, name="city_plan"),
    path("cities/<slug:slug>/plan/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/comments/", views.plan_comment, name="plan_comment"),
    path("plans/<int:pk>/targets/", views.target_add, name="target_add"),
    path("targets/<int:pk>/", views.target_row, name="target_row"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
]
