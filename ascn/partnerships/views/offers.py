"""Pages of the partnerships app: programmes, offers and partners in public; a partner's offers and profile and
the Secretariat's rate table in the workspace."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascn.core.choices import Role
from ascn.core.filters import InvalidFilters, read
from ascn.core.http import Request, SignedInRequest
from ascn.core.lookups import editable_or_403, visible_or_404
from ascn.core.money import to_usd
from ascn.core.permissions import Principal, can_create, can_edit
from ascn.network.models import City, Partner

from ..actions import offers as actions
from ..forms.offers import NeedFilterForm, NeedForm, OfferFilterForm, OfferForm, ProfileForm, RateForm
from ..models import Need, Offer
from ..queries import offers as queries

PAGE_SIZE = 20


def _query_without_page(request: Request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _usd(amount: Any, currency: str) -> dict[str, Any]:
    """What the pages say of an amount in dollars: the equivalent and its rate's date, or that no rate is
    recorded for the currency (nothing is invented)."""
    if amount is None or not currency:
        return {}
    return {"usd": to_usd(amount, currency), "currency": currency}


# --- Programmes -----------------------------------------------------------------------------------------


def programme_list(request: Request) -> HttpResponse:
    page = Paginator(queries.programmes(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    table = queries.latest_rates()
    rows = [(programme, queries.in_usd(programme.amount, programme.currency, table)) for programme in page]
    return render(request, "partnerships/programme_list.html", {"page": page, "rows": rows, "query": ""})


def programme_detail(request: Request, slug: str) -> HttpResponse:
    programme = visible_or_404(queries.programmes(request.user), _("No programme at this address."), slug=slug)
    offers = queries.offers(request.user).filter(programme=programme)
    return render(request, "partnerships/programme_detail.html", {
        "programme": programme, "offers": offers, "money": _usd(programme.amount, programme.currency)})


# --- Offers ---------------------------------------------------------------------------------------------


def offer_list(request: Request) -> HttpResponse:
    partners = list(queries.partners(request.user).filter(offers__isnull=False).distinct())
    form = OfferFilterForm(request.GET or None, partners=partners)
    template = "partnerships/offer_list.html#results" if request.htmx else "partnerships/offer_list.html"
    try:
        filters = read(queries.OfferFilters, request.GET)
    except InvalidFilters as exc:
        return render(request, template, {"form": form, "errors": exc.errors, "page": None}, status=422)
    page = Paginator(queries.offers(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"form": form, "page": page, "query": _query_without_page(request),
                                      "filtered": bool(filters.active())})


def offer_detail(request: Request, pk: int) -> HttpResponse:
    offer = visible_or_404(queries.offers(request.user), _("No offer at this address."), pk=pk)
    return render(request, "partnerships/offer_detail.html", {
        "offer": offer, "can_edit": can_edit(request.user, offer),
        "money_min": _usd(offer.ticket_min, offer.currency), "money_max": _usd(offer.ticket_max, offer.currency)})


# --- Partners -------------------------------------------------------------------------------------------


def partner_list(request: Request) -> HttpResponse:
    page = Paginator(queries.partners(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "partnerships/partner_list.html", {"page": page, "query": ""})


def partner_detail(request: Request, slug: str) -> HttpResponse:
    partner = visible_or_404(queries.partners(request.user), _("No partner at this address."), slug=slug)
    return render(request, "partnerships/partner_detail.html", {
        "partner": partner, "programmes": queries.partner_programmes(request.user, partner),
        "offers": queries.partner_offers(request.user, partner), "can_edit": can_edit(request.user, partner)})


def _edit_profile(request: SignedInRequest, partner: Partner) -> HttpResponse:
    can_rename = Principal.of(request.user).is_secretariat
    form = ProfileForm(request.POST or None, instance=Partner.objects.get(pk=partner.pk), can_rename=can_rename)
    if request.method == "POST" and form.is_valid():
        try:
            changes = actions.update_partner_profile(request.user, partner, form.values(), form.cleaned_data["tags"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if changes:
                messages.success(request, _("Saved: %(fields)s.") % {"fields": ", ".join(sorted(changes))})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("partnerships:partner", slug=partner.slug)
    return render(request, "partnerships/profile_form.html", {"partner": partner, "form": form},
                  status=422 if form.errors else 200)


@login_required
def partner_edit(request: SignedInRequest, slug: str) -> HttpResponse:
    partner = editable_or_403(request.user, queries.partners(request.user), _("No partner at this address."),
                              slug=slug)
    return _edit_profile(request, partner)


@login_required
def organisation(request: SignedInRequest) -> HttpResponse:
    """A partner edits its own organisation's profile; the Secretariat picks one from the partners."""
    principal = Principal.of(request.user)
    if principal.is_secretariat:
        return redirect("partnerships:partners")
    if principal.role != Role.PARTNER or not principal.partner_id:
        raise PermissionDenied(_("Only a partner organisation's accounts have an organisation to edit."))
    partner = editable_or_403(request.user, queries.partners(request.user), _("No partner at this address."),
                              pk=principal.partner_id)
    return _edit_profile(request, partner)


# --- A partner's offers in the workspace ----------------------------------------------------------------


@login_required
def my_offers(request: SignedInRequest) -> HttpResponse:
    principal = Principal.of(request.user)
    if not (principal.is_secretariat or (principal.role == Role.PARTNER and principal.partner_id)):
        raise PermissionDenied(_("Only partners and the Secretariat keep offers."))
    page = Paginator(queries.editable_offers(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    partners = queries.partners(request.user) if principal.is_secretariat else None
    return render(request, "partnerships/my_offers.html", {"page": page, "partners": partners, "query": "",
                                                           "counts": queries.offer_counts(request.user)})


def _offer_partner(request: SignedInRequest) -> Partner:
    """Whose offer a new one is: a partner's own organisation; for the Secretariat the `partner` asked for."""
    principal = Principal.of(request.user)
    if principal.role == Role.PARTNER and principal.partner_id:
        return visible_or_404(queries.partners(request.user), _("No partner at this address."),
                              pk=principal.partner_id)
    slug = request.POST.get("partner") or request.GET.get("partner") or ""
    partner = queries.partners(request.user).filter(slug=slug).first()
    if partner is None or not can_create(request.user, Offer, partner_id=partner.pk):
        raise PermissionDenied(_("You may not add an offer for this organisation."))
    return partner


@login_required
def offer_create(request: SignedInRequest) -> HttpResponse:
    partner = _offer_partner(request)
    form = OfferForm(request.POST or None, instance=Offer(partner=partner))
    if request.method == "POST" and form.is_valid():
        try:
            offer = actions.create_offer(request.user, partner, form.values(), countries=form.cleaned_data["countries"],
                                         cities=form.cleaned_data["cities"], tags=form.cleaned_data["tags"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Offer saved as a draft. Publish it when it is ready."))
            return redirect("partnerships:offer", pk=offer.pk)
    return render(request, "partnerships/offer_form.html", {"form": form, "partner": partner, "offer": None},
                  status=422 if form.errors else 200)


def _editable_offer(request: SignedInRequest, pk: int) -> Offer:
    return editable_or_403(request.user, Offer.objects.visible_to(request.user).select_related("partner"),
                           _("No offer at this address."), pk=pk)


@login_required
def offer_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    offer = _editable_offer(request, pk)
    form = OfferForm(request.POST or None, instance=Offer.objects.get(pk=offer.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changes = actions.update_offer(request.user, offer, form.values(), countries=form.cleaned_data["countries"],
                                           cities=form.cleaned_data["cities"], tags=form.cleaned_data["tags"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if changes:
                messages.success(request, _("Saved: %(fields)s.") % {"fields": ", ".join(sorted(changes))})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("partnerships:offer", pk=offer.pk)
    return render(request, "partnerships/offer_form.html", {"form": form, "partner": offer.partner, "offer": offer},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def offer_publish(request: SignedInRequest, pk: int) -> HttpResponse:
    offer = _editable_offer(request, pk)
    try:
        actions.publish_offer(request.user, offer)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.success(request, _("Offer published: the public sees it now."))
    return redirect("partnerships:offer", pk=offer.pk)


@login_required
@require_POST
def offer_close(request: SignedInRequest, pk: int) -> HttpResponse:
    offer = _editable_offer(request, pk)
    actions.close_offer(request.user, offer)
    messages.success(request, _("Offer closed: it is no longer shown in public."))
    return redirect("partnerships:offer", pk=offer.pk)


# --- City needs ----------------------------------------------------------------------------------------


def need_list(request: Request) -> HttpResponse:
    """Stated needs and published projects' support needs, side by side (`queries.needs`)."""
    form = NeedFilterForm(request.GET or None)
    template = "partnerships/need_list.html#results" if request.htmx else "partnerships/need_list.html"
    try:
        filters = read(queries.NeedFilters, request.GET)
    except InvalidFilters as exc:
        return render(request, template, {"form": form, "errors": exc.errors, "page": None}, status=422)
    page = Paginator(queries.needs(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"form": form, "page": page, "query": _query_without_page(request),
                                      "filtered": bool(filters.active())})


def need_detail(request: Request, key: str) -> HttpResponse:
    row = queries.need(request.user, key)
    if row is None:
        raise Http404(_("No need at this address."))
    return render(request, "partnerships/need_detail.html", {
        "row": row, "can_edit": row.need is not None and can_edit(request.user, row.need),
        "money": _usd(row.amount, row.currency)})


@login_required
def my_needs(request: SignedInRequest) -> HttpResponse:
    """A city officer's own city's stated needs (the Secretariat: all; a National Representative reads its
    country's, drafts included)."""
    principal = Principal.of(request.user)
    if principal.is_secretariat or (principal.role == Role.CITY_OFFICER and principal.city_id):
        rows = queries.editable_needs(request.user)
    elif principal.role == Role.NATIONAL_REP and principal.country_id:
        rows = queries.stated_needs(request.user).filter(city__country_id=principal.country_id)
    else:
        raise PermissionDenied(_("Only city officers, National Representatives and the Secretariat keep needs."))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    may_create = principal.is_secretariat or principal.role == Role.CITY_OFFICER
    cities = City.objects.order_by("name") if principal.is_secretariat else None
    return render(request, "partnerships/my_needs.html", {"page": page, "query": "", "may_create": may_create,
                                                          "cities": cities})


def _need_city(request: SignedInRequest) -> City:
    """Whose need a new one is: a city officer's own city; for the Secretariat the `city` asked for."""
    principal = Principal.of(request.user)
    if principal.role == Role.CITY_OFFICER and principal.city_id:
        return City.objects.get(pk=principal.city_id)
    slug = request.POST.get("city") or request.GET.get("city") or ""
    city = City.objects.filter(slug=slug).first()
    if city is None or not can_create(request.user, Need, city_id=city.pk):
        raise PermissionDenied(_("You may not add a need for this city."))
    return city


def _saved(request: Request, changes: dict[str, Any]) -> None:
    if changes:
        messages.success(request, _("Saved: %(fields)s.") % {"fields": ", ".join(sorted(changes))})
    else:
        messages.info(request, _("Nothing changed."))


@login_required
def need_create(request: SignedInRequest) -> HttpResponse:
    city = _need_city(request)
    form = NeedForm(request.POST or None, instance=Need(city=city))
    if request.method == "POST" and form.is_valid():
        try:
            need = actions.create_need(request.user, city, form.values(), tags=form.cleaned_data["tags"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Need saved as a draft. Publish it to share it with partners."))
            return redirect("partnerships:need", key=f"n{need.pk}")
    return render(request, "partnerships/need_form.html", {"form": form, "city": city, "need": None},
                  status=422 if form.errors else 200)


def _editable_need(request: SignedInRequest, pk: int) -> Need:
    return editable_or_403(request.user, Need.objects.visible_to(request.user).select_related("city"),
                           _("No need at this address."), pk=pk)


@login_required
def need_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    need = _editable_need(request, pk)
    form = NeedForm(request.POST or None, instance=Need.objects.get(pk=need.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changes = actions.update_need(request.user, need, form.values(), tags=form.cleaned_data["tags"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            _saved(request, changes)
            return redirect("partnerships:need", key=f"n{need.pk}")
    return render(request, "partnerships/need_form.html", {"form": form, "city": need.city, "need": need},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def need_publish(request: SignedInRequest, pk: int) -> HttpResponse:
    need = _editable_need(request, pk)
    actions.publish_need(request.user, need)
    messages.success(request, _("Need published: partners and the public see it now."))
    return redirect("partnerships:need", key=f"n{need.pk}")


@login_required
@require_POST
def need_close(request: SignedInRequest, pk: int) -> HttpResponse:
    need = _editable_need(request, pk)
    actions.close_need(request.user, need)
    messages.success(request, _("Need closed: it is no longer shown in public."))
    return redirect("partnerships:need", key=f"n{need.pk}")


# --- Exchange rates -------------------------------------------------------------------------------------


@login_required
def rates(request: SignedInRequest) -> HttpResponse:
    """The rate table: the Secretariat lists and adds rates."""
    if not Principal.of(request.user).is_secretariat:
        raise PermissionDenied(_("Only the ASEAN Secretariat keeps the exchange rates."))
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate = actions.add_exchange_rate(request.user, form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Rate recorded: %(rate)s.") % {"rate": str(rate)})
            return redirect("partnerships:rates")
    page = Paginator(queries.rates(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "partnerships/rates.html", {"form": form, "page": page, "query": ""},
                  status=422 if form.errors else 200)


urlpatterns = [
    path("partnerships/programmes/", programme_list, name="programmes"),
    path("partnerships/programmes/<slug:slug>/", programme_detail, name="programme"),
    path("partnerships/offers/", offer_list, name="offers"),
    path("partnerships/offers/<int:pk>/", offer_detail, name="offer"),
    path("partnerships/needs/", need_list, name="needs"),
    path("partnerships/needs/<str:key>/", need_detail, name="need"),
    path("partnerships/partners/", partner_list, name="partners"),
    path("partnerships/partners/<slug:slug>/", partner_detail, name="partner"),
    path("partnerships/partners/<slug:slug>/edit/", partner_edit, name="partner_edit"),
    path("workspace/organisation/", organisation, name="organisation"),
    path("workspace/offers/", my_offers, name="my_offers"),
    path("workspace/offers/new/", offer_create, name="offer_create"),
    path("workspace/offers/<int:pk>/edit/", offer_edit, name="offer_edit"),
    path("workspace/offers/<int:pk>/publish/", offer_publish, name="offer_publish"),
    path("workspace/offers/<int:pk>/close/", offer_close, name="offer_close"),
    path("workspace/needs/", my_needs, name="my_needs"),
    path("workspace/needs/new/", need_create, name="need_create"),
    path("workspace/needs/<int:pk>/edit/", need_edit, name="need_edit"),
    path("workspace/needs/<int:pk>/publish/", need_publish, name="need_publish"),
    path("workspace/needs/<int:pk>/close/", need_close, name="need_close"),
    path("workspace/rates/", rates, name="rates"),
]
