"""Stored business case results get the DSCR basis per year and the minimum DSCR over the tested years only.

Results stored before took the minimum over every year with debt service, so a grace year before operations
(interest paid, no revenue, nothing repaid) set it, usually at 0. The rule of `engine.coverage` is copied here
from the stored yearly table (cash available for debt service, interest, principal, revenue), so that this
migration keeps doing what it did if the engine changes later."""

from django.db import migrations


def coverage(table: dict) -> tuple[list, list, float | None]:
    """DSCR per year, its basis ("tested", "grace" or "") and the minimum over the tested years."""
    dscr, basis = [], []
    for cfads, interest, principal, revenue in zip(table["cfads"], table["interest"], table["principal"],
                                                   table["revenue"], strict=True):
        service = interest + principal
        if service > 0:
            dscr.append(cfads / service)
            basis.append("tested" if principal > 0 or revenue > 0 else "grace")
        else:
            dscr.append(None)
            basis.append("")
    tested = [value for value, kind in zip(dscr, basis, strict=True) if kind == "tested"]
    return dscr, basis, min(tested) if tested else None


def recompute(apps, schema_editor):
    BusinessCase = apps.get_model("finance", "BusinessCase")
    for case in BusinessCase.objects.only("pk", "results").iterator():
        appraisal = (case.results or {}).get("appraisal") or {}
        table = appraisal.get("table") or {}
        if not all(name in table for name in ("cfads", "interest", "principal", "revenue")):
            continue
        appraisal["dscr"], appraisal["dscr_basis"], appraisal["minimum_dscr"] = coverage(table)
        case.save(update_fields=["results"])


class Migration(migrations.Migration):

    dependencies = [
        ("finance", "0003_instrument_providers_in_network"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True),
    ]
