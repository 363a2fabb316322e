"""API of monitoring: observations."""

from ninja import Router

router = Router()
