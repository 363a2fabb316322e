"""Public pages of the knowledge app: the case studies."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ascn.core.http import Request
from ascn.core.lookups import visible_or_404

from . import queries
from .forms import CaseStudyFilterForm

PAGE_SIZE = 20


def case_study_list(request: Request) -> HttpResponse:
    form = CaseStudyFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    items = queries.case_studies(request.user, filters.get("focus_area") or None, filters.get("instrument") or None,
                                 filters.get("q") or None)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "filtered": bool(request.GET.keys() - {"page"})}
    template = "knowledge/case_study_list.html#results" if request.htmx else "knowledge/case_study_list.html"
    return render(request, template, context)


def case_study_detail(request: Request, slug: str) -> HttpResponse:
    item = visible_or_404(queries.case_studies(request.user), _("No case study at this address."), slug=slug)
    return render(request, "knowledge/case_study_detail.html", {"case_study": item})
