from .views import offers

app_name = "partnerships"
urlpatterns = [*offers.urlpatterns]
