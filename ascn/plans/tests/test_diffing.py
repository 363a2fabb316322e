from decimal import Decimal

from ascn.plans.diffing import Change, diff_versions


def plan(**overrides):
    base = {"vision": "A liveable city", "horizon_year": 2030, "focus_areas": ["Civic and Social"],
            "priority_projects": ["Smart Water"],
            "targets": [{"statement": "Sewers for 85 % of settlements", "target_value": Decimal("85"), "target_year": 2025}]}
    return {**base, **overrides}


def test_identical_versions_have_no_changes():
    assert diff_versions(plan(), plan()) == []


def test_every_kind_of_change_is_reported():
    new = plan(vision="A liveable, green city", horizon_year=2035, focus_areas=["Quality Environment"],
               priority_projects=["Smart Water", "Bus Rapid Transit"],
               targets=[{"statement": "Sewers for 85 % of settlements", "target_value": Decimal("90"), "target_year": 2027},
                        {"statement": "Two treatment plants", "target_value": Decimal("2"), "target_year": 2025}])
    assert diff_versions(plan(), new) == [
        Change("vision", "changed", "A liveable city", "A liveable, green city"),
        Change("horizon_year", "changed", 2030, 2035),
        Change("focus_areas", "removed", old="Civic and Social"),
        Change("focus_areas", "added", new="Quality Environment"),
        Change("priority_projects", "added", new="Bus Rapid Transit"),
        Change("targets", "changed",
               {"statement": "Sewers for 85 % of settlements", "target_value": Decimal("85"), "target_year": 2025},
               {"statement": "Sewers for 85 % of settlements", "target_value": Decimal("90"), "target_year": 2027}),
        Change("targets", "added", new={"statement": "Two treatment plants", "target_value": Decimal("2"), "target_year": 2025}),
    ]


def test_removed_target_and_project():
    assert diff_versions(plan(), plan(targets=[], priority_projects=[])) == [
        Change("priority_projects", "removed", old="Smart Water"),
        Change("targets", "removed", old={"statement": "Sewers for 85 % of settlements", "target_value": Decimal("85"),
                                          "target_year": 2025}),
    ]
