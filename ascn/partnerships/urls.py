from .views import matching, offers, sessions, surveys

app_name = "partnerships"
urlpatterns = [*offers.urlpatterns, *sessions.urlpatterns, *surveys.urlpatterns, *matching.urlpatterns]
