"""API of monitoring: me_report."""

from ninja import Router

router = Router()
