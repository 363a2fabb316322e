"""The API root: /api/v1/ (OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs)."""

from ninja import NinjaAPI

from ascn.core.api import error, install_error_handlers
from ascn.finance.api import router as finance_router
from ascn.finance.engine import ModelError
from ascn.framework.api import router as framework_router
from ascn.monitoring.api import router as monitoring_router
from ascn.network.api import router as network_router
from ascn.partnerships.api import router as partnerships_router
from ascn.plans.api import router as plans_router

api = NinjaAPI(
    title="ASCN Platform API",
    version="1",
    description=(
        "Open data and workspace API of the ASEAN Smart Cities Network. Reads are public (a token, "
        "if sent, widens them to your role's scope); writes need `Authorization: Bearer <token>` with a "
        "token created in the workspace. Lists are paginated with `limit` and `offset` and return "
        '`{"items": [...], "count": N}`. Every error returns `{"detail": ..., "code": ...}`.'
    ),
    urls_namespace="api-1",
)
install_error_handlers(api)
api.add_router("", network_router)
api.add_router("", framework_router)
api.add_router("", plans_router)
api.add_router("", finance_router)
api.add_router("", monitoring_router)
api.add_router("", partnerships_router)


@api.exception_handler(ModelError)
def on_invalid_model(request, exc):
    """A cash-flow model the finance engine cannot compute with: 422 naming each bad field."""
    errors = [{"field": name, "message": message} for name, message in exc.problems]
    return error(api, request, 422, "invalid_model", str(exc), errors)
