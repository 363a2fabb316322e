"""`python manage.py seed`: complete, idempotent, and all-or-nothing with a clear error."""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ascn.core.models import AuditEntry
from ascn.framework.models import FrameworkNode
from ascn.network import seed as network_seed
from ascn.network.models import Chairmanship, City, CityMembership, Country, Partner, Person, RoleTerm, ShepherdTerm

pytestmark = pytest.mark.django_db


def test_reference_data_is_loaded_completely():
    assert Country.objects.count() == 11
    assert City.objects.count() == 38
    assert CityMembership.objects.count() == 38
    assert City.objects.filter(pilot=True).count() == 26
    assert Person.objects.count() == 50
    assert RoleTerm.objects.filter(role="nr").count() == 11
    assert RoleTerm.objects.filter(role="csco").count() == 37
    assert RoleTerm.objects.filter(role="csco_alternate").count() == 2
    assert Chairmanship.objects.count() == 9
    assert ShepherdTerm.objects.count() == 4
    assert FrameworkNode.objects.count() == 32
    assert Partner.objects.count() == 26


def test_seed_again_changes_nothing_and_says_so():
    audit_before = AuditEntry.objects.count()
    out = StringIO()
    call_command("seed", stdout=out)
    assert "Nothing to change: the reference data is already loaded." in out.getvalue()
    assert "cities: 0 created, 0 updated, 38 unchanged" in out.getvalue()
    assert AuditEntry.objects.count() == audit_before


def test_seed_restores_an_edited_record_and_reports_it():
    City.objects.filter(slug="ha-noi").update(local_name="changed")
    out = StringIO()
    call_command("seed", stdout=out)
    assert "cities: 0 created, 1 updated, 37 unchanged" in out.getvalue()
    assert City.objects.get(slug="ha-noi").local_name == "Hà Nội"
    entry = AuditEntry.objects.filter(via="seed", action="update").latest("id")
    assert entry.changes == {"local_name": ["changed", "Hà Nội"]}


def broken_copy(tmp_path, name: str, transform) -> None:
    """Point the network loader of `name` at a copy of its fixture changed by `transform`."""
    loader = next(ldr for ldr in network_seed.LOADERS if ldr.path.name == name)
    target = tmp_path / name
    shutil.copy(loader.path, target)
    target.write_bytes(transform(target.read_bytes()))
    return loader, target


@pytest.mark.parametrize(("name", "transform", "message"), [
    ("cities.csv", lambda b: b.replace(b"da-nang,Da Nang,", b"da-nang,Da Nang,", 1).replace(b",VNM,true,16.0544", b",XXX,true,16.0544"),
     "cities.csv, line 37: unknown country 'XXX' in country_iso3"),
    ("cities.csv", lambda b: b.replace(b"16.0544", b"north"), "cities.csv, line 37: latitude 'north' is not a number"),
    ("cities.csv", lambda b: b.replace(b"16.0544", b"95.0"), "cities.csv, line 37: latitude: Ensure this value is less than or equal to 90."),
    ("memberships.csv", lambda b: b.replace(b"da-nang,2018-04-28", b"da-nang,28/04/2018"),
     "memberships.csv, line 37: joined_on '28/04/2018' is not a date (YYYY-MM-DD)"),
    ("cities.csv", lambda b: b.replace(b"slug,name,local_name", b"slug,title,local_name"), "cities.csv, line 1: missing columns: name"),
    ("cities.csv", lambda b: b + b"da-nang,Da Nang,,,VNM,true,16.0544,108.2022,x\n", "cities.csv, line 40: duplicate of line 37"),
    ("cities.csv", lambda b: b.replace("Hà Nội".encode(), "Hà Nội".encode("utf-16")), "cities.csv: not UTF-8 text"),
])
def test_a_bad_row_stops_the_load_with_file_line_and_reason(tmp_path, monkeypatch, name, transform, message):
    City.objects.filter(slug="bangkok").update(local_name="to be restored")
    loader, target = broken_copy(tmp_path, name, transform)
    monkeypatch.setattr(loader, "path", target)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(CommandError) as excinfo:
        call_command("seed", stdout=StringIO())
    assert message in str(excinfo.value)
    assert str(excinfo.value).startswith("Nothing was loaded.")
    # The whole load was rolled back: the earlier fix-up of Bangkok did not happen either.
    assert City.objects.get(slug="bangkok").local_name == "to be restored"
    assert AuditEntry.objects.count() == audit_before
