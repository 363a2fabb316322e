from .views import offers, surveys

app_name = "partnerships"
urlpatterns = [*offers.urlpatterns, *surveys.urlpatterns]
