"""Background tasks of the core app (Tasks API: immediate in development, db_worker in production)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def notify_token_created(token_id: int) -> bool:
    """Tell a user by e-mail that an API token was created on their account (a security notice)."""
    from .models import ApiToken

    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None or not token.user.email:
        return False
    with translation.override("en"):
        subject = _("A new API token was created on your ASCN Platform account")
        body = _(
            "An API token named “%(name)s” (starting %(prefix)s) was created on your account. "
            "If this was not you, revoke it in the workspace and tell the ASEAN Secretariat."
        ) % {"name": token.name, "prefix": token.prefix}
    send_mail(subject, body, None, [token.user.email])
    return True
