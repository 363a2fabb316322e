"""What the monitoring app adds to a project's change history (`core.history`, slot "plans.project"): each
acceptance of an annual report with a line for the project, which recorded that line as the project's
progress update dated the round's as-of date (`actions.reports.transition_report`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from ascn.core.history import Item, Line, Value, date_text, text_value

from .choices import ReportAction
from .models import CityReport, ProjectReport, ReportTransition

if TYPE_CHECKING:
    from ascn.core.permissions import Actor
    from ascn.plans.models import Project


def accepted_reports(user: Actor | None, project: Project) -> list[Item]:
    """One event per acceptance of a report that has a line for `project` (the line as it is now: a report is
    locked once accepted); the report is linked for those who may read it. Three queries."""
    lines = {line.report_id: line for line in
             ProjectReport.objects.filter(project=project).select_related("report__round", "report__city")}
    if not lines:
        return []
    readable = set(CityReport.objects.visible_to(user).filter(pk__in=lines).values_list("pk", flat=True))
    items = []
    for step in (ReportTransition.objects.filter(report_id__in=lines, action=ReportAction.ACCEPT)
                 .select_related("actor").order_by("at", "id")):
        line = lines[step.report_id]
        report = line.report
        title = _("Annual report %(year)d of %(city)s accepted: its line became the progress update of "
                  "%(date)s") % {"year": report.round.year, "city": report.city.name,
                                 "date": date_text(report.round.as_of)}
        details = [Line(_("Status"), None, Value(line.get_status_display()))]
        if line.percent_complete is not None:
            details.append(Line(_("Percent complete"), None, Value(f"{line.percent_complete} %")))
        for label, text in ((_("Progress"), line.progress), (_("Partner support"), line.partner_support),
                            (_("Challenges"), line.challenges)):
            if text:
                details.append(Line(label, None, text_value(text)))
        link = ((reverse("monitoring:city_report", args=[report.pk]), _("Read the annual report"))
                if report.pk in readable else None)
        items.append(Item(step.at, step.actor, title, details, link=link, kind="event"))
    return items
