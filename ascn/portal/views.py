from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from ascn.core.http import Request, SignedInRequest
from ascn.network import queries as network


def home(request: Request) -> HttpResponse:
    context = {
        "glance": network.glance(request.user),
        "map_points": network.map_points(request.user),
    }
    return render(request, "portal/home.html", context)


@login_required
def dashboard(request: SignedInRequest) -> HttpResponse:
    """The workspace: the account, then every app's panel for the user (see core.panels)."""
    return render(request, "portal/dashboard.html")
