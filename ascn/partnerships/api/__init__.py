"""API of the partnerships app: one router per part, joined here."""

from ninja import Router

from . import offers

router = Router()
for part in (offers,):
    router.add_router("", part.router, tags=["partnerships"])
