"""The core's workspace pages (API tokens). The workspace itself is composed in `ascn.portal.workspace_urls`."""

from django.urls import path

from . import views

urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
