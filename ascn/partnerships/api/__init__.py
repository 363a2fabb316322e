"""API of the partnerships app: one router per part, joined here."""

from ninja import Router

from . import cooperation, matching, offers, sessions, surveys

router = Router()
for part in (offers, sessions, matching, surveys, cooperation):
    router.add_router("", part.router, tags=["partnerships"])
