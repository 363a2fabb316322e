"""Public pages of monitoring and evaluation: the hub, the indicator catalogue and the reporting rounds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ascn.core.choices import Role
from ascn.core.http import Request, SignedInRequest
from ascn.core.lookups import editable_or_403, visible_or_404
from ascn.core.permissions import Principal, can_edit

from ..actions import catalogue as actions
from ..forms.catalogue import IndicatorDefinitionForm, IndicatorFilterForm, IndicatorNamesForm
from ..models import Indicator
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
    editable = can_edit(request.user, item)
    form = IndicatorDefinitionForm.of(item) if editable else None
    names_form = IndicatorNamesForm.of(item) if editable else None
    return render(request, "monitoring/indicator_detail.html", _detail(item, form, names_form))


def _detail(item: Indicator, form: IndicatorDefinitionForm | None, names_form: IndicatorNamesForm | None) -> dict:
    """The indicator page's context: the sources of its definition one per line (the fixture separates
    several pages with " ; ")."""
    sources = [part.strip() for part in item.definition_source.split(" ; ") if part.strip()]
    return {"indicator": item, "form": form, "names_form": names_form, "sources": sources}


@login_required
@require_POST
def indicator_definition(request: SignedInRequest, pk: int) -> HttpResponse:
    """The Secretariat sets the indicator's unit and calculation; a new unit or multiplier recomputes and
    re-flags its stored values, and the page says how many."""
    item = editable_or_403(request.user, queries.indicators(request.user), _("No indicator at this address."), pk=pk)
    form = IndicatorDefinitionForm(request.POST)
    if form.is_valid():
        try:
            change = actions.update_definition(request.user, item, form.cleaned_data, via="web")
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            _report(request, item, change)
            return redirect("monitoring:indicator", pk=item.pk)
    item.refresh_from_db()  # the page shows the definition as stored, the form what was typed
    return render(request, "monitoring/indicator_detail.html", _detail(item, form, IndicatorNamesForm.of(item)),
                  status=422)


@login_required
@require_POST
def indicator_names(request: SignedInRequest, pk: int) -> HttpResponse:
    """The Secretariat sets the indicator's name in Vietnamese and Thai (shown to readers of those languages)."""
    item = editable_or_403(request.user, queries.indicators(request.user), _("No indicator at this address."), pk=pk)
    form = IndicatorNamesForm(request.POST)
    if form.is_valid():
        try:
            changes = actions.update_names(request.user, item, form.names(), via="web")
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            if changes:
                messages.success(request, _("The names of %(code)s are saved.") % {"code": item.code})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("monitoring:indicator", pk=item.pk)
    item.refresh_from_db()
    return render(request, "monitoring/indicator_detail.html", _detail(item, IndicatorDefinitionForm.of(item), form),
                  status=422)


def _report(request: Request, item: Indicator, change: actions.DefinitionChange) -> None:
    if not change.changes:
        messages.info(request, _("Nothing changed."))
        return
    messages.success(request, _("The unit and calculation of %(code)s are saved.") % {"code": item.code})
    count = change.recount
    if count is None:
        return
    if count.queued:
        messages.info(request, ngettext(
            "Its %(rows)d stored value is being recomputed and flagged again in the background.",
            "Its %(rows)d stored values are being recomputed and flagged again in the background.",
            count.rows) % {"rows": count.rows})
        return
    messages.info(request, ngettext(
        "%(rows)d stored value checked: %(recomputed)d recomputed from its numerator and denominator, "
        "%(reflagged)d with changed flags.",
        "%(rows)d stored values checked: %(recomputed)d recomputed from their numerator and denominator, "
        "%(reflagged)d with changed flags.", count.rows) % {
            "rows": count.rows, "recomputed": count.recomputed, "reflagged": count.reflagged})


urlpatterns = [
    path("", index, name="index"),
    path("indicators/", indicator_list, name="indicators"),
    path("indicators/<int:pk>/", indicator_detail, name="indicator"),
    path("indicators/<int:pk>/definition/", indicator_definition, name="indicator_definition"),
    path("indicators/<int:pk>/names/", indicator_names, name="indicator_names"),
]
