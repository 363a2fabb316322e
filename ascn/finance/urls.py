from .views import business_cases, catalogue, readiness

app_name = "finance"
urlpatterns = [*catalogue.urlpatterns, *business_cases.urlpatterns, *readiness.urlpatterns]
