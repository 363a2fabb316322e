from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ascn.network import queries as network


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "glance": network.glance(request.user),
        "map_points": network.map_points(request.user),
    }
    return render(request, "portal/home.html", context)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The workspace: the account, then every app's panel for the user (see core.panels)."""
    return render(request, "portal/dashboard.html")
