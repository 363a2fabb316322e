from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator"),
]
