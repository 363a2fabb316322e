"""Pages of the instrument catalogue and the financing-option guide."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from ascn.core.http import Request
from ascn.core.lookups import visible_or_404

from ..forms.catalogue import CatalogueFilterForm, GuideForm
from ..queries import catalogue as queries


def instrument_list(request: Request) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = queries.instruments(request.user, filters.get("category") or None, filters.get("focus_area") or None)
    template = "finance/instrument_list.html#results" if request.htmx else "finance/instrument_list.html"
    return render(request, template, {"form": form, "instruments": items})


def instrument_detail(request: Request, slug: str) -> HttpResponse:
    item = visible_or_404(queries.instruments(request.user), _("No financing instrument at this address."), slug=slug)
    return render(request, "finance/instrument_detail.html", {
        "instrument": item, "texts": {name: item.translated(name) for name in queries.TRANSLATED_TEXTS}})


def financing_guide(request: Request) -> HttpResponse:
    """The guide: the project's characteristics in, every instrument ranked with its reasons out.
    `?project=<id>` fills the form from one of the user's visible projects (the capital cost from its preferred
    business case) and stays in the address after ranking: the form sends it back."""
    submitted = "revenue" in request.GET
    project_id = request.GET.get("project", "")
    start = queries.guide_start(request.user, int(project_id)) if project_id.isdigit() else None
    form = GuideForm(request.GET if submitted else None, initial=start.initial if start else {})
    ranked = queries.ranked_instruments(request.user, form.project()) if submitted and form.is_valid() else []
    template = "finance/guide.html#results" if request.htmx else "finance/guide.html"
    return render(request, template, {"form": form, "ranked": ranked, "submitted": submitted, "start": start},
                  status=422 if submitted and form.errors else 200)


urlpatterns = [
    path("instruments/", instrument_list, name="instruments"),
    path("instruments/<slug:slug>/", instrument_detail, name="instrument"),
    path("guide/", financing_guide, name="guide"),
]
