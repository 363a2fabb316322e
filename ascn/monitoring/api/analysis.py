"""API of monitoring: analysis."""

from ninja import Router

router = Router()
