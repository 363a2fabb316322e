from django.urls import path

from . import views

app_name = "partnerships"
urlpatterns = [
    path("partnerships/programmes/", views.programme_list, name="programmes"),
    path("partnerships/programmes/<slug:slug>/", views.programme_detail, name="programme"),
    path("partnerships/offers/", views.offer_list, name="offers"),
    path("partnerships/offers/<int:pk>/", views.offer_detail, name="offer"),
    path("partnerships/needs/", views.need_list, name="needs"),
    path("partnerships/needs/<str:key>/", views.need_detail, name="need"),
    path("partnerships/partners/", views.partner_list, name="partners"),
    path("partnerships/partners/<slug:slug>/", views.partner_detail, name="partner"),
    path("partnerships/partners/<slug:slug>/edit/", views.partner_edit, name="partner_edit"),
    path("workspace/organisation/", views.organisation, name="organisation"),
    path("workspace/offers/", views.my_offers, name="my_offers"),
    path("workspace/offers/new/", views.offer_create, name="offer_create"),
    path("workspace/offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("workspace/offers/<int:pk>/publish/", views.offer_publish, name="offer_publish"),
    path("workspace/offers/<int:pk>/close/", views.offer_close, name="offer_close"),
    path("workspace/needs/", views.my_needs, name="my_needs"),
    path("workspace/needs/new/", views.need_create, name="need_create"),
    path("workspace/needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("workspace/needs/<int:pk>/publish/", views.need_publish, name="need_publish"),
    path("workspace/needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("workspace/rates/", views.rates, name="rates"),
]
