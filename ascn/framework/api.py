"""API of the ASEAN Smart Cities Framework."""


from ninja import Field, Router, Schema
from ninja.pagination import paginate

from ascn.core.api import caller, optional_auth
from ascn.core.http import ApiRequest

from . import queries
from .choices import NodeKind
from .models import FrameworkNode

router = Router(tags=["framework"])


class NodeOut(Schema):
    code: str
    kind: str
    parent: str | None = Field(description="Code of the parent (the focus area of a project type)")
    name: str
    description: str
    note: str

    @staticmethod
    def resolve_parent(obj: FrameworkNode) -> str | None:
        return obj.parent.code if obj.parent else None


@router.get("/framework", response=list[NodeOut], auth=optional_auth, summary="The framework's nodes")
@paginate
def list_framework(request: ApiRequest, kind: NodeKind | None = None):
    """The 3 strategic outcomes, 2 key urban systems, 6 focus areas with their M&E project types, and
    2 enablers, in the framework's order."""
    return queries.nodes(caller(request), kind=kind)
