from django.http import HttpResponse
from django.shortcuts import render

from ascn.core.http import Request

from . import queries


def framework_page(request: Request) -> HttpResponse:
    return render(request, "framework/framework.html", {"framework": queries.framework(request.user)})
