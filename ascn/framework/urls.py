from django.urls import path

from . import views

app_name = "framework"
urlpatterns = [path("", views.framework_page, name="index")]
