"""The map's ASEAN outline: the shipped file is the simplification script's output from the full-detail source,
light, whole (11 countries, closed rings, every member city on or beside it), and the script keeps shared
borders identical on both sides."""

from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path

import pytest

from scripts import simplify_outline as so

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "ascn" / "static" / "geo" / "asean-outline.geojson"
SOURCE = ROOT / "scripts" / "data" / "asean-outline-50m.geojson"
CITIES = ROOT / "ascn" / "network" / "fixtures" / "cities.csv"
COUNTRIES = [("BRN", "Brunei Darussalam"), ("KHM", "Cambodia"), ("IDN", "Indonesia"), ("LAO", "Lao PDR"),
             ("MYS", "Malaysia"), ("MMR", "Myanmar"), ("PHL", "Philippines"), ("SGP", "Singapore"),
             ("THA", "Thailand"), ("TLS", "Timor-Leste"), ("VNM", "Viet Nam")]


def rings_of(collection: dict) -> list[tuple[str, list[list[float]]]]:
    out = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        out += [(feature["properties"]["iso3"], ring) for polygon in polygons for ring in polygon]
    return out


def segment_distance(point, ring) -> float:
    return min(so.perpendicular_distance(point, tuple(a), tuple(b)) for a, b in itertools.pairwise(ring))


def cities() -> list[dict[str, str]]:
    with CITIES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- Douglas-Peucker ------------------------------------------------------------------------------------


def test_douglas_peucker_keeps_the_ends_and_the_points_beyond_the_tolerance():
    line = [(0.0, 0.0), (1.0, 0.52), (2.0, 1.0), (3.0, 0.48), (4.0, 0.0)]  # a peak with two small ripples
    assert so.douglas_peucker(line, 0.1) == [(0.0, 0.0), (2.0, 1.0), (4.0, 0.0)]  # the peak, not the ripples
    assert so.douglas_peucker(line, 0.01) == line
    assert so.douglas_peucker(line, 2.0) == [(0.0, 0.0), (4.0, 0.0)]
    assert so.douglas_peucker(line, 0.0) == line  # nothing dropped at no tolerance
    assert so.douglas_peucker(line[:2], 5) == line[:2]


def test_every_dropped_point_stays_within_the_tolerance_of_the_simplified_line():
    wiggle = [(x / 100, math.sin(x / 7) * 0.3 + math.sin(x / 2.3) * 0.05) for x in range(20_000)]  # no recursion limit
    kept = so.douglas_peucker(wiggle, 0.04)
    assert len(kept) < len(wiggle) / 10
    assert max(segment_distance(p, kept) for p in wiggle[::37]) <= 0.04 + 1e-12


def test_a_segment_of_zero_length_measures_the_distance_to_its_point():
    assert so.perpendicular_distance((3.0, 4.0), (0.0, 0.0), (0.0, 0.0)) == 5.0
    assert so.perpendicular_distance((5.0, 1.0), (0.0, 0.0), (2.0, 0.0)) == pytest.approx(math.hypot(3, 1))


# --- Shared borders, islands ------------------------------------------------------------------------------


def west_of(border: list[tuple[float, float]]) -> list:
    """A polygon from x = 0 to `border`, its east side, run from bottom to top (y 0 to 10)."""
    return [list(map(list, [(0.0, 0.0), *border, (0.0, 10.0), (0.0, 0.0)]))]


def feature(iso3: str, *polygons) -> dict:
    return {"type": "Feature", "properties": {"iso3": iso3, "name": iso3},
            "geometry": {"type": "MultiPolygon", "coordinates": list(polygons)}}


def test_a_shared_border_is_simplified_once_so_both_sides_keep_the_same_points():
    zigzag = [(10.0 + (0.04 if i % 2 else 0.0) + (0.9 if i == 7 else 0.0), float(i) * 10 / 14) for i in range(15)]
    west = west_of(zigzag)
    east_ring = [*zigzag[::-1], (20.0, 10.0), (20.0, 0.0), zigzag[0]]  # the same border, run the other way
    collection = {"type": "FeatureCollection",
                  "features": [feature("W", west), feature("E", [list(map(list, east_ring))])]}
    result, summary = so.simplify(collection, tolerance=0.1, min_area=0, decimals=3, relative=1)
    (_, w), (_, e) = rings_of(result)
    border_w = {tuple(p) for p in w if p[0] >= 10}
    border_e = {tuple(p) for p in e if p[0] < 20}
    assert border_w == border_e  # no gap, no overlap
    assert (10.94, 5.0) in border_w  # the bulge beyond the tolerance stays
    assert len(border_w) < len(zigzag)  # the small zigzag goes
    assert summary["rings_collapsed"] == 0


def box(x0: float, y0: float, x1: float, y1: float) -> list:
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


def test_small_islands_go_but_not_a_countrys_largest_part_its_land_borders_or_a_citys_island():
    # B's west side passes through (20, 4) and (20, 4.2), where A's small exclave borders it (as Temburong does).
    b = [[[20, 0], [30, 0], [30, 10], [20, 10], [20, 4.2], [20, 4], [20, 0]]]
    exclave = [[[19.8, 4], [20, 4], [20, 4.2], [19.8, 4.2], [19.8, 4]]]
    collection = {"type": "FeatureCollection", "features": [
        feature("A", box(0, 0, 10, 10), box(35, 0, 35.1, 0.1), box(40, 0, 40.1, 0.1), exclave),
        feature("B", b),
        feature("C", box(60, 0, 60.1, 0.1))]}  # a country's only polygon: kept, however small
    result, summary = so.simplify(collection, tolerance=0.01, min_area=0.5, decimals=3, keep=[(40.05, 0.05)])
    kept = {(iso3, min(p[0] for p in ring)) for iso3, ring in rings_of(result)}
    assert kept == {("A", 0), ("A", 40), ("A", 19.8), ("B", 20), ("C", 60)}  # the islet at 35 went
    assert summary["polygons_dropped_small"] == 1


def test_a_small_ring_gets_a_tolerance_of_its_size():
    assert so.ring_tolerance([(0, 0), (0.4, 0), (0.4, 0.2), (0, 0)], 0.07, 0.05) == pytest.approx(0.02)
    assert so.ring_tolerance([(0, 0), (10, 0), (10, 5), (0, 0)], 0.07, 0.05) == 0.07


# --- The shipped file ------------------------------------------------------------------------------------


def test_the_shipped_outline_is_the_scripts_output_from_the_source(tmp_path):
    target = tmp_path / "outline.geojson"
    assert so.main([str(SOURCE), str(target), "--keep-points", str(CITIES)]) == 0  # the documented command
    assert target.read_bytes() == SHIPPED.read_bytes()


def test_the_shipped_outline_is_light_and_whole():
    text = SHIPPED.read_text(encoding="utf-8")
    assert len(text.encode()) < 30_000  # the full-detail source: 137,145 bytes
    collection = json.loads(text)
    assert [(f["properties"]["iso3"], f["properties"]["name"]) for f in collection["features"]] == COUNTRIES
    assert all(set(f["properties"]) == {"iso3", "name"} for f in collection["features"])
    for iso3, ring in rings_of(collection):
        assert ring[0] == ring[-1] and len({tuple(p) for p in ring}) >= 3, iso3
        assert so.ring_area([tuple(p) for p in ring]) > 0, iso3
        assert all(round(v, 2) == v for p in ring for v in p), iso3


def test_every_member_city_is_on_the_outline_or_beside_its_coast():
    """Douglas-Peucker moves a coast by at most its tolerance (0.07 degrees): a city on land in the source, or just
    off its coast, is on land or at most that much farther off now; a dropped island would leave one at sea."""
    rings = [[tuple(p) for p in ring] for _iso3, ring in rings_of(json.loads(SHIPPED.read_text(encoding="utf-8")))]
    source = [[tuple(p) for p in ring] for _iso3, ring in rings_of(json.loads(SOURCE.read_text(encoding="utf-8")))]
    for city in cities():
        point = (float(city["longitude"]), float(city["latitude"]))
        if any(so.point_in_ring(point, ring) for ring in rings):
            continue
        offshore = 0.0 if any(so.point_in_ring(point, ring) for ring in source) else min(
            segment_distance(point, ring) for ring in source)
        assert min(segment_distance(point, ring) for ring in rings) <= offshore + 0.07, city["slug"]
