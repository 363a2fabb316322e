from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from ascn.api import api
from ascn.core import views as core_views

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", core_views.health, name="health"),
    path("livez", core_views.live, name="live"),
]
urlpatterns += i18n_patterns(
    path("", include("ascn.portal.urls")),
    path("", include("ascn.network.urls")),
    path("", include("ascn.plans.urls")),
    path("", include("ascn.partnerships.urls")),
    path("framework/", include("ascn.framework.urls")),
    path("financing/", include("ascn.finance.urls")),
    path("knowledge/", include("ascn.knowledge.urls")),
    path("monitoring/", include("ascn.monitoring.urls")),
    path("accounts/", include("ascn.core.urls")),
    path("workspace/", include("ascn.portal.workspace_urls")),
    prefix_default_language=False,
)

handler404 = "ascn.core.views.not_found"
