"""Public pages of monitoring and evaluation: the hub, the indicator catalogue and the reporting rounds."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from ascn.core.choices import Role
from ascn.core.http import Request
from ascn.core.lookups import visible_or_404
from ascn.core.permissions import Principal

from ..forms.catalogue import IndicatorFilterForm
from ..queries import catalogue as queries

PAGE_SIZE = 30


def index(request: Request) -> HttpResponse:
    """The monitoring hub: the rounds with their reports, the figures, and the signed-in user's work."""
    principal = Principal.of(request.user)
    city = request.user.city if principal.role == Role.CITY_OFFICER and request.user.is_authenticated else None
    return render(request, "monitoring/index.html", {
        "rounds": queries.rounds(request.user), "is_member": principal.is_network_member, "city": city,
        "reviews": principal.role in (Role.SECRETARIAT, Role.NATIONAL_REP)})


def indicator_list(request: Request) -> HttpResponse:
    form = IndicatorFilterForm(request.GET or None, dimensions=queries.dimensions(request.user))
    filters = {k: v or None for k, v in form.cleaned_data.items()} if form.is_valid() else {}
    items = queries.indicators(request.user, filters.get("family"), filters.get("dimension"), filters.get("level"),
                               filters.get("q"))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "monitoring/indicator_list.html#results" if request.htmx else "monitoring/indicator_list.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode(),
                                      "rounds": queries.rounds(request.user)})


def indicator_detail(request: Request, pk: int) -> HttpResponse:
    item = visible_or_404(queries.indicators(request.user), _("No indicator at this address."), pk=pk)
    return render(request, "monitoring/indicator_detail.html", {"indicator": item})


urlpatterns = [
    path("", index, name="index"),
    path("indicators/", indicator_list, name="indicators"),
    path("indicators/<int:pk>/", indicator_detail, name="indicator"),
]
