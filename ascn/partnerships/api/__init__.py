"""API of the partnerships app: one router per part, joined here."""

from ninja import Router

from . import matching, offers, sessions

router = Router()
for part in (offers, sessions, matching):
    router.add_router("", part.router, tags=["partnerships"])
