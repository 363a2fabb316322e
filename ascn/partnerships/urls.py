from .views import matching, offers, surveys

app_name = "partnerships"
urlpatterns = [*offers.urlpatterns, *surveys.urlpatterns, *matching.urlpatterns]
