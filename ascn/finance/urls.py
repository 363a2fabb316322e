from django.urls import path

from . import views

app_name = "finance"
urlpatterns = [
    path("instruments/", views.instrument_list, name="instruments"),
    path("instruments/<slug:slug>/", views.instrument_detail, name="instrument"),
    path("guide/", views.financing_guide, name="guide"),
]
