from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ascn.network import queries as network


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "glance": network.glance(request.user),
        "map_points": network.map_points(request.user),
    }
    return render(request, "portal/home.html", context)
