from .views import cooperation, matching, offers, sessions, surveys

app_name = "partnerships"
urlpatterns = [*offers.urlpatterns, *sessions.urlpatterns, *surveys.urlpatterns, *cooperation.urlpatterns,
               *matching.urlpatterns]
