from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("cities/", views.city_list, name="cities"),
    path("cities/<slug:slug>/", views.city_detail, name="city"),
    path("cities/<slug:slug>/edit/", views.city_edit, name="city_edit"),
    path("countries/", views.country_list, name="countries"),
    path("countries/<str:iso3>/", views.country_detail, name="country"),
    path("chairs/", views.chairs, name="chairs"),
    path("workspace/offices/", views.offices, name="offices"),
    path("workspace/offices/<int:term_id>/", views.office_edit, name="office_edit"),
]
