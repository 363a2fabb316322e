"""Request types that say what the middleware and the API auth add to Django's HttpRequest.

Views annotate `request: Request` (django-htmx's `request.htmx`, the account or the public as
`request.user`); API handlers behind `token_auth` annotate `request: ApiRequest` (`request.auth` is the
token's account). They exist for the type checker: at run time the objects are Django's own requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_htmx.middleware import HtmxDetails

    from .models import User

    class Request(HttpRequest):
        htmx: HtmxDetails
        user: User | AnonymousUser

    class SignedInRequest(Request):
        """A view behind `login_required`: the user is an account."""

        user: User

    class ApiRequest(HttpRequest):
        """An API handler: `auth` is the token's account, or AnonymousUser on public reads."""

        auth: User | AnonymousUser
else:
    Request = SignedInRequest = ApiRequest = HttpRequest
