"""The M&E report's figures from crafted project rows (no database)."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from ascn.monitoring import me_figures as fig

AS_OF = dt.date(2025, 9, 30)
AREAS = ["civic_social", "health_wellbeing", "built_infrastructure"]


def row(pk: int, status: str = "ongoing", area: str = "civic_social", *, date: dt.date = AS_OF, city: str = "da-nang",
        country: str = "VNM", ptype: str = "", updates: tuple = (), reference: str = "") -> fig.ProjectRow:
    return fig.ProjectRow(id=pk, reference=reference or f"A{pk}", title=f"Project {pk}", city=city, country=country,
                          focus_area=area, project_type=ptype,
                          updates=updates or (fig.Update(date, status, pk),), city_name=city.title(),
                          country_name=country)


def test_status_is_the_latest_update_on_or_before_the_date_not_a_later_one():
    moved_on = row(1, updates=(fig.Update(dt.date(2024, 9, 1), "planning", 1),
                               fig.Update(dt.date(2025, 9, 30), "ongoing", 2),
                               fig.Update(dt.date(2025, 12, 1), "completed", 3)))
    not_yet = row(2, updates=(fig.Update(dt.date(2025, 10, 1), "planning", 4),))
    counted = fig.counted([moved_on, not_yet], AS_OF)
    assert [(c.row.id, c.status, c.updated_on) for c in counted] == [(1, "ongoing", dt.date(2025, 9, 30))]


def test_two_updates_on_the_same_date_the_later_recorded_wins():
    same_day = row(1, updates=(fig.Update(AS_OF, "completed", 9), fig.Update(AS_OF, "ongoing", 3)))
    assert fig.latest_update(same_day.updates, AS_OF) == fig.Update(AS_OF, "completed", 9)
    assert fig.latest_update(same_day.updates, dt.date(2025, 9, 29)) is None


def test_shares_add_up_to_100_by_largest_remainder():
    # the published 2025 focus-area counts: plain rounding would give 101 (18.66 -> 19)
    counts = {"civic": 34, "health": 8, "safety": 19, "quality": 25, "built": 34, "industry": 16}
    assert fig.shares(counts) == {"civic": 25, "health": 6, "safety": 14, "quality": 18, "built": 25, "industry": 12}
    assert sum(fig.shares(counts).values()) == 100
    # equal remainders: the larger count gets the point
    assert fig.shares({"small": 1, "big": 7}) == {"small": 12, "big": 88}
    assert fig.shares({"x": 29, "y": 71}) == {"x": 29, "y": 71}  # exact: no float error (0.29 * 100)
    assert fig.shares({"x": 0, "y": 0}) == {"x": 0, "y": 0}


def test_equal_counts_get_equal_shares():
    # 1/3 each: the point left over cannot go to all three, so none takes it and the shares add up to 99
    assert fig.shares({"a": 1, "b": 1, "c": 1}) == {"a": 33, "b": 33, "c": 33}
    # 3/7 = 42.86 takes the first point; the tie at 2/7 = 28.57 cannot take the second one each: 99
    assert fig.shares({"a": 2, "b": 2, "c": 3}) == {"a": 28, "b": 28, "c": 43}
    # 16.67 x 3 and 50: two points left for a tie of three, so none is given; 50 is exact and stays
    assert fig.shares({"a": 1, "b": 1, "c": 1, "d": 3}) == {"a": 16, "b": 16, "c": 16, "d": 50}
    # the tie cannot take its points, so the smaller remainder after it does not take one either
    assert fig.shares({"a": 2, "b": 2, "c": 2, "d": 1}) == {"a": 28, "b": 28, "c": 28, "d": 14}
    # a tie that fits takes its points together: 3/7 = 42.86 twice, 1/7 = 14.29 -> 43, 43, 14 (100)
    assert fig.shares({"a": 3, "b": 3, "c": 1}) == {"a": 43, "b": 43, "c": 14}
    # on equal remainders the larger count goes first: 4/6 = 66.67 before the tie at 1/6 = 16.67 (99)
    assert fig.shares({"a": 1, "b": 1, "c": 4}) == {"a": 16, "b": 16, "c": 67}


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=12))
@settings(max_examples=300, deadline=None)
def test_equal_counts_keep_equal_shares_whatever_the_counts(values):
    counts = {f"k{i}": n for i, n in enumerate(values)}
    result = fig.shares(counts)
    total = sum(values)
    for a in counts:
        assert abs(result[a] - (100 * counts[a] / total if total else 0)) < 1  # within a point of the exact share
        for b in counts:
            if counts[a] == counts[b]:
                assert result[a] == result[b]
            if counts[a] > counts[b]:
                assert result[a] >= result[b]
    # 100 unless a tie had to keep the lower share (or there is nothing to share)
    assert sum(result.values()) == 100 or (sum(result.values()) < 100 and len(set(values)) < len(values)) \
        or not total


def test_percents_keep_one_decimal():
    assert fig.percents({"a": 1, "b": 2}) == {"a": 33.3, "b": 66.7}
    assert fig.percents({"a": 0}) == {"a": 0.0}


def test_figures_count_shares_and_leave_cancelled_out():
    rows = [row(1, "ongoing", "civic_social"), row(2, "ongoing", "civic_social", ptype="civic_social.tourism"),
            row(3, "planning", "health_wellbeing", city="bangkok", country="THA"),
            row(4, "completed", "civic_social", city="bangkok", country="THA"),
            row(5, "cancelled", "built_infrastructure"),
            row(6, "ongoing", "civic_social", date=dt.date(2025, 10, 2))]  # only after the date: not counted
    result = fig.figures(rows, AS_OF, AREAS, ["THA", "VNM"])
    assert result["projects"] == 4 and result["cancelled"] == 1 and result["cities"] == 2
    assert result["status"]["counts"] == {"ongoing": 2, "planning": 1, "completed": 1}
    assert result["status"]["shares"] == {"ongoing": 50, "planning": 25, "completed": 25}
    assert result["focus_areas"]["counts"] == {"civic_social": 3, "health_wellbeing": 1, "built_infrastructure": 0}
    assert result["focus_areas"]["shares"] == {"civic_social": 75, "health_wellbeing": 25, "built_infrastructure": 0}
    assert result["project_types"]["counts"] == {"civic_social.tourism": 1, "": 3}
    assert result["countries"]["counts"] == {"THA": 2, "VNM": 2}
    assert result["country_focus"] == {
        "THA": {"civic_social": 1, "health_wellbeing": 1, "built_infrastructure": 0},
        "VNM": {"civic_social": 2, "health_wellbeing": 0, "built_infrastructure": 0}}
    assert result["as_of"] == "2025-09-30" and result["not_reported"] == 0


def test_only_projects_reported_in_the_round_period_count():
    rows = [row(1, date=dt.date(2018, 7, 8)), row(2, date=dt.date(2024, 10, 1)), row(3),
            row(4, "cancelled", date=dt.date(2024, 3, 1))]
    result = fig.figures(rows, AS_OF, AREAS, since=dt.date(2024, 9, 25))
    assert (result["projects"], result["not_reported"], result["cancelled"]) == (2, 1, 0)
    everything = fig.figures(rows, AS_OF, AREAS)
    assert (everything["projects"], everything["not_reported"], everything["cancelled"]) == (3, 0, 1)


def test_nothing_counted_gives_zeros():
    result = fig.figures([], AS_OF, AREAS)
    assert result["projects"] == 0 and result["status"]["shares"] == {"ongoing": 0, "planning": 0, "completed": 0}
    assert fig.observations(result) == []


def test_appendix_in_reference_order_split_by_status():
    rows = fig.counted([row(1, "ongoing", reference="A10"), row(2, "planning", reference="A2"),
                        row(3, "completed", reference="B1"), row(4, "cancelled", reference="A3")], AS_OF)
    part_a, part_b, cancelled = fig.appendix(rows)
    assert [c.row.reference for c in part_a] == ["A2", "A10"]
    assert [c.row.reference for c in part_b] == ["B1"]
    assert [c.row.reference for c in cancelled] == ["A3"]


def test_sections_highlight_reported_narratives_and_list_the_rest():
    rows = fig.counted([row(1, "ongoing", "civic_social"), row(2, "ongoing", "civic_social"),
                        row(3, "planning", "civic_social", city="bangkok", country="THA"),
                        row(4, "cancelled", "civic_social", city="bangkok", country="THA")], AS_OF)
    narratives = {1: fig.Narrative(1, True, "Half built."), 2: fig.Narrative(2, False, "Started."),
                  3: fig.Narrative(3, True, "Not accepted yet")}
    result = fig.sections(rows, narratives, {"da-nang"}, AREAS)
    assert list(result) == AREAS and result["health_wellbeing"] == []
    bangkok, da_nang = result["civic_social"]  # ordered by country name, then city
    assert (bangkok.city, bangkok.reported, bangkok.highlights, [c.row.id for c in bangkok.projects]) == (
        "bangkok", False, [], [3])  # its report is not accepted: no narrative, the cancelled one left out
    assert (da_nang.reported, [(c.row.id, n.progress) for c, n in da_nang.highlights],
            [c.row.id for c in da_nang.projects]) == (True, [(1, "Half built.")], [2])


def test_observations_name_ties_and_compare_with_the_previous_round():
    current = fig.figures([row(1, "ongoing", "civic_social"), row(2, "completed", "health_wellbeing"),
                           row(3, "ongoing", "built_infrastructure", country="THA"),
                           row(4, "cancelled", "civic_social")], AS_OF, AREAS, ["THA", "VNM"])
    previous = fig.figures([row(1, "planning", "civic_social", date=dt.date(2024, 9, 1))], dt.date(2024, 9, 25), AREAS)
    found = fig.observations(current, previous)
    assert found[0] == {"kind": "top_focus_area", "keys": AREAS, "count": 1, "share": 33}  # a tie: one share
    assert {"kind": "status", "ongoing": 67, "planning": 0, "completed": 33} in found
    assert {"kind": "top_country", "keys": ["VNM"], "count": 2} in found
    assert {"kind": "change", "previous": 1, "current": 3, "difference": 2, "previous_as_of": "2024-09-25",
            "completed_before": 0, "completed_now": 1} in found
    assert {"kind": "share_moved", "key": "civic_social", "points": -67, "before": 100, "now": 33} in found
    assert {"kind": "unclassified", "count": 3, "all": True} in found and {"kind": "cancelled", "count": 1} in found
    assert not any(o["kind"] == "low_focus_area" for o in found)  # all tied: no separate "fewest"


def test_a_tie_for_the_fewest_projects_names_every_area_with_one_share():
    current = fig.figures([row(1, "ongoing", "civic_social"), row(2, "ongoing", "civic_social"),
                           row(3, "ongoing", "civic_social"), row(4, "ongoing", "health_wellbeing"),
                           row(5, "ongoing", "built_infrastructure")], AS_OF, AREAS)
    found = fig.observations(current)
    assert {"kind": "low_focus_area", "keys": ["health_wellbeing", "built_infrastructure"], "count": 1,
            "share": 20} in found
    assert current["focus_areas"]["shares"] == {"civic_social": 60, "health_wellbeing": 20, "built_infrastructure": 20}


def test_published_figures_take_the_shape_of_the_figures():
    printed = fig.from_published(dt.date(2023, 8, 14), 86, {}, {"ongoing": 77.9, "planning": 19.8, "completed": 2.3},
                                 {"civic_social": 30}, "S6")
    assert printed == {"as_of": "2023-08-14", "projects": 86,
                       "status": {"shares": {"ongoing": 77.9, "planning": 19.8, "completed": 2.3}},
                       "focus_areas": {"shares": {"civic_social": 30}}, "published": True, "source": "S6"}
    counted = fig.from_published(dt.date(2024, 9, 25), 108, {"ongoing": 81, "planning": 16, "completed": 11}, {},
                                 {}, "S7")
    assert counted["status"] == {"shares": {}, "counts": {"ongoing": 81, "planning": 16, "completed": 11}}


def test_the_change_since_a_published_round_says_so_and_leaves_out_what_it_does_not_give():
    current = fig.figures([row(1, "ongoing", "civic_social"), row(2, "completed", "health_wellbeing"),
                           row(3, "completed", "civic_social"), row(4, "planning", "civic_social")], AS_OF, AREAS)
    with_counts = fig.from_published(dt.date(2024, 9, 25), 3, {"ongoing": 2, "planning": 1, "completed": 0}, {},
                                     {"civic_social": 50, "health_wellbeing": 50, "built_infrastructure": 0}, "S7")
    found = fig.observations(current, with_counts)
    assert {"kind": "change", "previous": 3, "current": 4, "difference": 1, "previous_as_of": "2024-09-25",
            "completed_before": 0, "completed_now": 2, "published": True, "source": "S7"} in found
    assert {"kind": "share_moved", "key": "civic_social", "points": 25, "before": 50, "now": 75, "published": True,
            "source": "S7"} in found
    shares_only = fig.from_published(dt.date(2023, 8, 14), 5, {}, {"ongoing": 80.0, "planning": 20.0,
                                                                   "completed": 0.0}, {}, "S6")
    found = fig.observations(current, shares_only)
    change = next(o for o in found if o["kind"] == "change")
    assert (change["difference"], change["completed_before"], change["published"]) == (-1, None, True)
    assert not any(o["kind"] == "share_moved" for o in found)  # no focus-area shares published


def test_names_are_listed_as_their_readers_order_them():
    assert sorted(["Hà Nội", "Đà Nẵng", "Cần Thơ", "ho chi minh"], key=fig.name_key) == [
        "Cần Thơ", "Đà Nẵng", "Hà Nội", "ho chi minh"]  # Đ among the Ds, not after Z
    # Thai by the first consonant: เชียงใหม่ (ช) before ภูเก็ต (ภ), ไทย (ท) before เวียดนาม (ว).
    assert sorted(["ภูเก็ต", "เชียงใหม่", "ขอนแก่น"], key=fig.name_key) == ["ขอนแก่น", "เชียงใหม่", "ภูเก็ต"]
    assert sorted(["เวียดนาม", "ไทย"], key=fig.name_key) == ["ไทย", "เวียดนาม"]


def test_only_some_projects_without_a_type_are_not_all_unclassified():
    current = fig.figures([row(1, ptype="civic_social.tourism"), row(2)], AS_OF, AREAS)
    assert {"kind": "unclassified", "count": 1, "all": False} in fig.observations(current)
    assert current["project_types"]["counts"] == {"civic_social.tourism": 1, "": 1}
