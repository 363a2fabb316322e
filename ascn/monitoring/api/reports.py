"""API of monitoring: reports."""

from ninja import Router

router = Router()
