"""API of monitoring and evaluation: one router per part, joined here."""

from ninja import Router

from . import analysis, catalogue, me_report, observations, reports, trends

router = Router()
for part in (catalogue, reports, observations, analysis, me_report, trends):
    router.add_router("", part.router, tags=["monitoring"])
