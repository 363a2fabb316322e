"""API of the network's trend across reporting rounds: each round's published figures (the reports' own
numbers, with their source) beside the figures computed from the platform's data."""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth
from ascn.core.http import ApiRequest

from ..queries import trends as queries

router = Router()


class PublishedOut(Schema):
    as_of: dt.date
    projects: int
    status_counts: dict[str, int] = Field(description="projects by status where the report prints counts")
    status_shares: dict[str, int | float] = Field(description="per cent by status where the report prints only shares, "
                                                        "as printed (they need not add up to 100)")
    focus_area_shares: dict[str, int | float] = Field(description="per cent by focus-area code, as printed")
    source: str = Field(description="the published report (its key in the reference sources, title, date, URL)")


class ComputedOut(Schema):
    as_of: dt.date
    projects: int
    status_counts: dict[str, int]
    status_shares: dict[str, int] = Field(description="whole per cents (largest remainder, equal counts equal)")
    focus_area_counts: dict[str, int]
    focus_area_shares: dict[str, int]
    report_id: int | None = Field(description="the generated report they come from; null: computed now")
    generated_at: dt.datetime | None


class RoundTrendOut(Schema):
    year: int
    as_of: dt.date
    closed: bool
    published: PublishedOut | None = Field(description="the figures the round's published report states; null: none")
    computed: ComputedOut | None = Field(description="computed from the platform's data; null: the platform has no "
                                                     "project for the round")
    notes: list[str] = Field(description="what to know when comparing the two")


class CodeOut(Schema):
    code: str
    name: str


class TrendsOut(Schema):
    items: list[RoundTrendOut]
    count: int
    statuses: list[CodeOut]
    focus_areas: list[CodeOut]


@router.get("/monitoring/trends", response={200: TrendsOut, **ERROR_RESPONSES}, auth=optional_auth,
            summary="The network's trend across reporting rounds, published and computed figures")
def get_trends(request: ApiRequest) -> dict[str, Any]:
    """Every reporting round, oldest first (a handful a decade, so not paginated): the headline figures its
    published M&E report states, labelled with their source, beside the figures computed from the platform's
    data (the round's latest generated report, else computed now as of its as-of date) wherever they exist."""
    return queries.trends_out(caller(request))
