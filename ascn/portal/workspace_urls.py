"""The workspace: the dashboard composed of every app's panels, and the core's account pages."""

from django.urls import path

from ascn.core import workspace_urls as core_pages

from . import views

app_name = "workspace"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    *core_pages.urlpatterns,
]
