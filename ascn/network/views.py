"""Public pages of the network registry and the city editing page of the workspace."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ascn.core.forms import check_inline, is_inline_check
from ascn.core.http import Request, SignedInRequest
from ascn.core.lookups import visible_or_404
from ascn.core.permissions import Principal, can_edit

from . import actions, queries
from .forms import CityFilterForm, CityForm, OfficeForm
from .models import City, CityMembership, Country

PAGE_SIZE = 25


def city_list(request: Request) -> HttpResponse:
    countries = list(queries.countries(request.user))
    years = sorted({d.year for d in CityMembership.objects.dates("joined_on", "year")})
    form = CityFilterForm(request.GET or None, countries=countries, years=years)
    filters = queries.CityFilters()
    if form.is_valid():
        filters = queries.CityFilters(
            country=form.cleaned_data["country"] or None, joined_year=form.cleaned_data["joined_year"],
            as_of=form.cleaned_data["as_of"], q=form.cleaned_data["q"] or None,
        )
    page = Paginator(queries.cities(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filters": filters, "query": _query_without_page(request)}
    template = "network/city_list.html#results" if request.htmx else "network/city_list.html"
    return render(request, template, context)


def _query_without_page(request: Request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def city_detail(request: Request, slug: str) -> HttpResponse:
    city = visible_or_404(queries.city_details(request.user), _("No city with this address."), slug=slug)
    today = queries.today()
    terms = queries.current_terms(city.role_terms.all(), today)
    context = {
        "city": city,
        "member_today": queries.is_member(city, today),
        "offices": terms,
        "show_contacts": Principal.of(request.user).is_network_member,
        "can_edit": can_edit(request.user, city),
        "map_points": [{"slug": city.slug, "name": city.name, "lat": float(city.latitude),
                        "lng": float(city.longitude), "country": city.country.display_name}],
    }
    return render(request, "network/city_detail.html", context)


def country_list(request: Request) -> HttpResponse:
    return render(request, "network/country_list.html", {"countries": queries.countries(request.user)})


def country_detail(request: Request, iso3: str) -> HttpResponse:
    country = visible_or_404(queries.countries(request.user), _("No country with this address."), iso3=iso3.upper())
    today = queries.today()
    cities = list(queries.cities(request.user, queries.CityFilters(country=country.iso3)))
    member_ids = set(City.objects.as_of(today).filter(country=country).values_list("id", flat=True))
    terms = queries.role_terms(request.user, country=country.iso3, as_of=today)
    context = {
        "country": country,
        "cities": [(c, c.id in member_ids) for c in cities],
        "national_offices": queries.national_terms(list(terms)),
        "show_contacts": Principal.of(request.user).is_network_member,
        "chair_years": [r for r in queries.chair_timeline(request.user) if r.chairmanship.country_id == country.pk],
        "shepherd_terms": [t for t in queries.shepherd_terms(request.user) if t.country_id == country.pk],
        "map_points": [{"slug": c.slug, "name": c.name, "lat": float(c.latitude), "lng": float(c.longitude),
                        "country": country.display_name} for c in cities if c.id in member_ids],
    }
    return render(request, "network/country_detail.html", context)


def chairs(request: Request) -> HttpResponse:
    today = queries.today()
    context = {"timeline": queries.chair_timeline(request.user), "shepherd_terms": queries.shepherd_terms(request.user),
               "this_year": today.year}
    return render(request, "network/chairs.html", context)


@login_required
def city_edit(request: SignedInRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City.objects.select_related("country"), slug=slug)
    if not can_edit(request.user, city):
        raise PermissionDenied(_("You may not edit this city."))
    form = CityForm(request.POST or None, instance=City.objects.get(pk=city.pk))
    if is_inline_check(request):
        check_inline(form)
    elif request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            changes = actions.update_city(request.user, city, data, via="web")
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if changes:
                messages.success(request, _("Saved: %(fields)s.") % {"fields": ", ".join(sorted(changes))})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("network:city", slug=city.slug)
    template = "network/city_edit.html#form" if request.htmx else "network/city_edit.html"
    return render(request, template, {"city": city, "form": form}, status=422 if form.errors else 200)



@login_required
def offices(request: SignedInRequest) -> HttpResponse:
    """The offices the user maintains (NR: own country; Secretariat: all), and a form to record one."""
    today = queries.today()
    editable = queries.editable_offices(request.user)
    if not editable.exists() and not Principal.of(request.user).is_secretariat:
        raise PermissionDenied(_("Your role does not maintain offices."))
    cities = City.objects.editable_by(request.user).select_related("country").order_by("name")
    countries = Country.objects.order_by("name") if Principal.of(request.user).is_secretariat else None
    form = OfficeForm(request.POST or None, cities=cities, countries=countries)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        country = data["city"].country if data["city"] else (data.get("country") or request.user.country)
        person = {k: data[k] for k in OfficeForm.PERSON_FIELDS}
        term = {"role": data["role"], "city": data["city"], "country": country,
                **{k: data[k] for k in OfficeForm.TERM_FIELDS}}
        try:
            actions.create_role_term(request.user, person, term, via="web")
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Office recorded."))
            return redirect("network:offices")
    context = {"form": form, "terms": editable, "today": today}
    return render(request, "network/offices.html", context, status=422 if form.errors else 200)


@login_required
def office_edit(request: SignedInRequest, term_id: int) -> HttpResponse:
    term = get_object_or_404(queries.editable_offices(request.user), pk=term_id)
    initial = {**{k: getattr(term.person, k) for k in OfficeForm.PERSON_FIELDS},
               **{k: getattr(term, k) for k in OfficeForm.TERM_FIELDS}}
    form = OfficeForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes = actions.update_role_term(request.user, term, {k: data[k] for k in OfficeForm.PERSON_FIELDS},
                                               {k: data[k] for k in OfficeForm.TERM_FIELDS}, via="web")
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved.") if changes else _("Nothing changed."))
            return redirect("network:offices")
    return render(request, "network/office_edit.html", {"form": form, "term": term},
                  status=422 if form.errors else 200)


def _form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
