"""Middleware of the platform."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def api_method_not_allowed_as_json(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """A 405 under /api/ in the API's error body ({"detail", "code"}), with its Allow header.

    The API framework answers a method a path does not have with plain text before any of the API's
    exception handlers runs; clients of the open API expect the same JSON body for every error."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (response.status_code == 405 and request.path.startswith("/api/")
                and not response.get("Content-Type", "").startswith("application/json")):
            allowed = response.get("Allow", "")
            json = JsonResponse({"detail": _("%(method)s is not allowed here; allowed: %(allowed)s.")
                                 % {"method": request.method, "allowed": allowed},
                                 "code": "method_not_allowed"}, status=405)
            json["Allow"] = allowed
            return json
        return response

    return middleware
