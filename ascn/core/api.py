"""API building blocks shared by every app's router: token auth, the error format, helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from .actions import authenticate_token

if TYPE_CHECKING:
    from .permissions import Actor


class ErrorOut(Schema):
    detail: str
    code: str
    errors: list[dict[str, Any]] | None = None


ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ascn_…` with a token created in the workspace or admin."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return authenticate_token(token)


class OptionalTokenAuth(TokenAuth):
    """Reads: anonymous callers are the public; a token, if sent, must be valid."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.headers.get(self.header):
            return AnonymousUser()
        return super().__call__(request)


token_auth = TokenAuth()
optional_auth = OptionalTokenAuth()


def caller(request: HttpRequest) -> Actor:
    """The user an API request acts as (AnonymousUser for the public)."""
    user: Actor = getattr(request, "auth", None) or AnonymousUser()
    return user


def error(api: NinjaAPI, request: HttpRequest, status: int, code: str, detail: str,
          errors: list[dict[str, Any]] | None = None) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail, "code": code}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def _field_errors_from_django(exc: DjangoValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, errs in exc.message_dict.items()
            for message in errs
        ]
    return [{"field": None, "message": m} for m in exc.messages]


def _field_name(loc: tuple | list) -> str | None:
    """("body", "payload", "name") -> "name"; ("query", "as_of") -> "as_of"."""
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]  # drop the handler's parameter name
    return ".".join(parts) or None


def install_error_handlers(api: NinjaAPI) -> None:
    """One error body for every failure: {"detail": ..., "code": ..., ["errors": [...]]}."""

    @api.exception_handler(NinjaValidationError)
    def on_invalid_input(request, exc):
        errors = [{"field": _field_name(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors]
        summary = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        return error(api, request, 422, "invalid_input", summary or _("Invalid input."), errors)

    @api.exception_handler(DjangoValidationError)
    def on_invalid_record(request, exc):
        errors = _field_errors_from_django(exc)
        summary = "; ".join(f"{e['field']}: {e['message']}" if e["field"] and e["field"] != "__all__"
                            else e["message"] for e in errors)
        return error(api, request, 422, "invalid_record", summary, errors)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return error(api, request, 401, "not_authenticated",
                     _("Send a valid API token: Authorization: Bearer <token>."))

    @api.exception_handler(PermissionDenied)
    def on_denied(request, exc):
        return error(api, request, 403, "permission_denied", str(exc) or _("You may not do this."))

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return error(api, request, 404, "not_found", str(exc) or _("Not found."))

    @api.exception_handler(ProtectedError)
    def on_protected(request, exc):
        return error(api, request, 409, "in_use",
                     _("This record is still referred to by other records; remove those first."))

    api.exception_handler(RestrictedError)(on_protected)

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        codes = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 422: "invalid_input"}
        return error(api, request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))
