"""Accounts, API tokens, the health check and the 404 page (the workspace dashboard is the portal's)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions, queries
from .forms import TokenForm
from .http import SignedInRequest
from .models import ApiToken


def live(request: HttpRequest) -> HttpResponse:
    """Liveness probe: the process answers (no database). Also the benchmarks' trivial reference view."""
    return HttpResponse("ok", content_type="text/plain")


def health(request: HttpRequest) -> JsonResponse:
    """Readiness probe: the process answers and reaches the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("No such API endpoint."), "code": "not_found"}, status=404)
    return render(request, "404.html", {"message": str(exception or "")}, status=404)


@login_required
def tokens(request: SignedInRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        expires = timezone.now() + dt.timedelta(days=days) if days else None
        _token, new_secret = actions.create_api_token(request.user, form.cleaned_data["name"], expires, via="web")
        form = TokenForm()
    context = {"form": form, "tokens": queries.tokens_of(request.user), "new_secret": new_secret,
               "now": timezone.now()}
    return render(request, "core/tokens.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def revoke_token(request: SignedInRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    actions.revoke_api_token(request.user, token, via="web")
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("workspace:tokens")
