from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import queries


def framework_page(request: HttpRequest) -> HttpResponse:
    return render(request, "framework/framework.html", {"framework": queries.framework(request.user)})
