"""Finance API: one router per part (catalogue, business_cases, readiness), joined here."""

from ninja import Router

from . import business_cases, catalogue, readiness

router = Router()
for part in (catalogue, business_cases, readiness):
    router.add_router("", part.router, tags=["finance"])
