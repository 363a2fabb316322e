from .views import analysis, catalogue, me_report, observations, reports, rounds, trends

app_name = "monitoring"
urlpatterns = [*catalogue.urlpatterns, *reports.urlpatterns, *observations.urlpatterns, *analysis.urlpatterns,
               *me_report.urlpatterns, *rounds.urlpatterns, *trends.urlpatterns]
