from .views import analysis, catalogue, me_report, observations, reports, trends

app_name = "monitoring"
urlpatterns = [*catalogue.urlpatterns, *reports.urlpatterns, *observations.urlpatterns, *analysis.urlpatterns,
               *me_report.urlpatterns, *trends.urlpatterns]
