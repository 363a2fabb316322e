"""Simplify the ASEAN outline GeoJSON for the map: Douglas-Peucker on shared borders, small islands dropped.

The map draws the outline of the 11 member states under the city pins, from the whole region (zoom 4-5)
down to one city (zoom 7, where a pixel is about 0.011 degrees). The full-detail outline (Natural Earth
1:50m, 137 KB, 8,243 points) carries far more points than those zoom levels can show. This script:

1. drops every polygon (island) and hole smaller than `--min-area` square degrees, except each country's
   largest polygon (no country disappears) and any island a member city is on (`--keep-points`);
2. cuts every ring into arcs at the points where neighbouring countries' borders meet or part (as TopoJSON
   does), so that a border shared by two countries is one arc;
3. simplifies each arc once with Douglas-Peucker (`--tolerance` degrees; the arc's ends are kept), so both
   countries get the same simplified border: no gap or overlap opens between neighbours. A small ring gets a
   smaller tolerance (at most `--relative` times its longer side), so that Singapore keeps its shape; an arc
   shared by rings takes the smallest of their tolerances;
4. rounds to `--decimals` places and writes compact JSON, properties and feature order unchanged; a ring left
   with fewer than three distinct points is dropped (counted in the summary).

Distances are planar in degrees, which is close enough between 11°S and 29°N for an outline drawn under
pins. Standard library only. Douglas-Peucker keeps every original point within `--tolerance` of the new line,
so a city on the coast stays within that distance of it.

Usage (from the project root; the defaults are the values the shipped file was made with):
    python scripts/simplify_outline.py SOURCE.geojson ascn/static/geo/asean-outline.geojson \\
        --keep-points ascn/network/fixtures/cities.csv [--tolerance 0.07] [--min-area 0.2] [--decimals 2]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

Point = tuple[float, float]
Ring = list[Point]  # closed: first point == last point


def perpendicular_distance(point: Point, start: Point, end: Point) -> float:
    """Distance from `point` to the segment start-end (to `start` when the segment is a point)."""
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return float(((x - x1) ** 2 + (y - y1) ** 2) ** 0.5)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / length2))
    px, py = x1 + t * dx, y1 + t * dy
    return float(((x - px) ** 2 + (y - py) ** 2) ** 0.5)


def douglas_peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    """The points kept by Douglas-Peucker: both ends, and every point farther than `tolerance` from the
    simplified line (iterative, so long arcs do not hit the recursion limit)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, -1
        for i in range(first + 1, last):
            distance = perpendicular_distance(points[i], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, i
        if index != -1 and farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def ring_area(ring: Sequence[Point]) -> float:
    """The ring's area in square degrees (shoelace; positive whatever the winding)."""
    total = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def _open(ring: Sequence[Point]) -> list[Point]:
    """The ring's points without the closing repeat."""
    return list(ring[:-1]) if len(ring) > 1 and ring[0] == ring[-1] else list(ring)


def junctions(rings: Iterable[Sequence[Point]]) -> set[Point]:
    """Points where rings meet or part: a point whose neighbours differ from one of its occurrences to another,
    or that occurs twice in one ring. An arc between two junctions is the same in every ring that has it."""
    neighbours: dict[Point, set[frozenset[Point]]] = defaultdict(set)
    found: set[Point] = set()
    for ring in rings:
        points = _open(ring)
        seen: set[Point] = set()
        for i, point in enumerate(points):
            if point in seen:
                found.add(point)
            seen.add(point)
            neighbours[point].add(frozenset((points[i - 1], points[(i + 1) % len(points)])))
    found.update(point for point, pairs in neighbours.items() if len(pairs) > 1)
    return found


class ArcSimplifier:
    """Simplifies rings arc by arc: each arc once, whichever ring and direction it is met in, with the smallest
    tolerance of the rings it belongs to (so a border keeps one shape on both sides)."""

    def __init__(self, rings: Sequence[Sequence[Point]]) -> None:
        self.junctions = junctions(rings)

    def arcs(self, ring: Sequence[Point]) -> list[tuple[tuple[Point, ...], bool]]:
        """The ring cut at its junctions, as (the arc in its canonical direction, whether the ring runs it
        backwards). A ring with no junction is cut at its smallest point and the point farthest from it, so that
        identical rings are cut alike and each half keeps its far end."""
        points = _open(ring)
        cuts = [i for i, p in enumerate(points) if p in self.junctions]
        if not cuts:
            start = points.index(min(points))
            far = max(range(len(points)), key=lambda i: (points[i][0] - points[start][0]) ** 2
                      + (points[i][1] - points[start][1]) ** 2)
            cuts = sorted({start, far})
        rotated = points[cuts[0]:] + points[:cuts[0]]
        rotated.append(rotated[0])
        offsets = [c - cuts[0] for c in cuts] + [len(points)]
        out = []
        for a, b in itertools.pairwise(offsets):
            arc = tuple(rotated[a:b + 1])
            backwards = arc[::-1]
            out.append((min(arc, backwards), backwards < arc))
        return out

    def simplify(self, rings: Sequence[Sequence[Point]], tolerances: Sequence[float]) -> list[Ring]:
        """Every ring simplified with Douglas-Peucker at its tolerance (an arc shared by rings: the smallest)."""
        cut = [self.arcs(ring) for ring in rings]
        tolerance: dict[tuple[Point, ...], float] = {}
        for arcs, ring_tolerance in zip(cut, tolerances, strict=True):
            for key, _backwards in arcs:
                tolerance[key] = min(tolerance.get(key, ring_tolerance), ring_tolerance)
        done = {key: douglas_peucker(key, value) for key, value in tolerance.items()}
        out = []
        for arcs in cut:
            ring: Ring = []
            for key, backwards in arcs:
                arc = done[key][::-1] if backwards else done[key]
                ring.extend(arc if not ring else arc[1:])
            out.append(ring)
        return out


def ring_tolerance(ring: Sequence[Point], tolerance: float, relative: float) -> float:
    """`tolerance`, or less for a small ring: at most `relative` times its longer side, so that a small country
    (Singapore) keeps its shape rather than becoming a sliver."""
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return min(tolerance, relative * max(max(xs) - min(xs), max(ys) - min(ys)))


def _polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    coordinates = geometry["coordinates"]
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    return [[[(float(x), float(y)) for x, y in ring] for ring in polygon] for polygon in polygons]


def _round_ring(ring: Ring, decimals: int) -> Ring | None:
    """Rounded, without consecutive repeats, closed; None when fewer than three distinct points are left."""
    out: Ring = []
    for x, y in ring:
        point = (round(x, decimals), round(y, decimals))
        if not out or out[-1] != point:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    return out if len(set(out)) >= 3 and ring_area(out) > 0 else None


def point_in_ring(point: Point, ring: Sequence[Point]) -> bool:
    """Whether `point` lies inside the closed ring (even-odd rule)."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def simplify(collection: dict[str, Any], tolerance: float, min_area: float, decimals: int = 2,
             relative: float = 0.05, keep: Sequence[Point] = ()) -> tuple[dict[str, Any], dict[str, int]]:
    """The simplified FeatureCollection and a summary of what was kept and dropped. Only islands are dropped
    for their size: a polygon that borders another one (Brunei's Temburong) is kept, and so is one that
    contains a point of `keep` (longitude, latitude: the member cities)."""
    summary = {"points_before": 0, "points_after": 0, "polygons_before": 0, "polygons_dropped_small": 0,
               "holes_dropped_small": 0, "rings_collapsed": 0}
    source = [_polygons(feature["geometry"]) for feature in collection["features"]]
    borders = junctions(r for polygons in source for polygon in polygons for r in polygon)
    kept: list[list[list[Ring]]] = []  # per feature, per polygon, rings (outer first)
    for polygons in source:
        summary["polygons_before"] += len(polygons)
        summary["points_before"] += sum(len(r) for polygon in polygons for r in polygon)
        largest = max(range(len(polygons)), key=lambda i: ring_area(polygons[i][0]))
        mine = []
        for i, polygon in enumerate(polygons):
            if (i != largest and ring_area(polygon[0]) < min_area and not borders.intersection(polygon[0])
                    and not any(point_in_ring(point, polygon[0]) for point in keep)):
                summary["polygons_dropped_small"] += 1
                continue
            holes = [h for h in polygon[1:] if ring_area(h) >= min_area]
            summary["holes_dropped_small"] += len(polygon) - 1 - len(holes)
            mine.append([polygon[0], *holes])
        kept.append(mine)
    rings = [r for mine in kept for polygon in mine for r in polygon]
    simplified = iter(ArcSimplifier(rings).simplify(rings, [ring_tolerance(r, tolerance, relative) for r in rings]))
    features = []
    for feature, mine in zip(collection["features"], kept, strict=True):
        shapes: list[list[Ring]] = []
        for polygon in mine:
            outer = _round_ring(next(simplified), decimals)
            inner = [_round_ring(next(simplified), decimals) for _hole in polygon[1:]]
            summary["rings_collapsed"] += (outer is None) + sum(h is None for h in inner)
            if outer is not None:
                shapes.append([outer, *(h for h in inner if h is not None)])
        if not shapes:
            raise ValueError(f"{feature['properties']}: nothing is left at this tolerance")
        summary["points_after"] += sum(len(r) for shape in shapes for r in shape)
        coordinates: Any = [[[list(p) for p in r] for r in shape] for shape in shapes]
        geometry = ({"type": "Polygon", "coordinates": coordinates[0]} if len(coordinates) == 1
                    else {"type": "MultiPolygon", "coordinates": coordinates})
        features.append({"type": "Feature", "properties": feature["properties"], "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}, summary


def dumps(collection: dict[str, Any]) -> str:
    """Compact JSON, as the map fetches it."""
    return json.dumps(collection, separators=(",", ":"), ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the full-detail GeoJSON FeatureCollection")
    parser.add_argument("target", type=Path, help="where to write the simplified one")
    parser.add_argument("--tolerance", type=float, default=0.07, help="Douglas-Peucker tolerance in degrees")
    parser.add_argument("--min-area", type=float, default=0.2,
                        help="drop islands and holes smaller than this, in square degrees (not a country's largest)")
    parser.add_argument("--keep-points", type=Path, default=None, metavar="CSV",
                        help="a CSV with latitude and longitude columns (the member cities): the islands they are on "
                             "are kept whatever their size")
    parser.add_argument("--decimals", type=int, default=2, help="decimal places of the coordinates")
    parser.add_argument("--relative", type=float, default=0.05,
                        help="a ring's tolerance is at most this times its longer side (small countries keep a shape)")
    args = parser.parse_args(argv)
    source = json.loads(args.source.read_text(encoding="utf-8"))
    keep: list[Point] = []
    if args.keep_points is not None:
        with args.keep_points.open(encoding="utf-8", newline="") as handle:
            keep = [(float(row["longitude"]), float(row["latitude"])) for row in csv.DictReader(handle)]
    result, summary = simplify(source, args.tolerance, args.min_area, args.decimals, args.relative, keep)
    text = dumps(result)
    args.target.write_text(text, encoding="utf-8")
    print(f"{args.target.name}: {len(text.encode()):,} bytes, {summary['points_after']:,} points "
          f"(from {summary['points_before']:,}); {summary['polygons_dropped_small']} of "
          f"{summary['polygons_before']} polygons dropped as smaller than {args.min_area:g} square degrees, "
          f"{summary['holes_dropped_small']} holes, {summary['rings_collapsed']} rings collapsed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
