from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from ascn.core.http import Request, SignedInRequest
from ascn.network import queries as network
from ascn.network.models import City


def home(request: Request) -> HttpResponse:
    context = {
        "glance": network.glance(request.user),
        "map_points": network.map_points(request.user),
    }
    return render(request, "portal/home.html", context)


@login_required
def dashboard(request: SignedInRequest) -> HttpResponse:
    """The workspace: the account, then every app's panel for the user (see core.panels)."""
    user = request.user
    if user.city_id is not None:
        # The account's city with its country, in the one query `user.city` would take: the city's name in the
        # reader's language (the account's scope, the panels) reads its country.
        user.city = City.objects.select_related("country").get(pk=user.city_id)
    return render(request, "portal/dashboard.html")
