"""Leg geometry: great-circle lines, sea routes that stay at sea, geodesic lengths."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.countries import country_outlines
from geo.errors import GeometryError
from geo.geodesy import GEOD, distance_km, geodesic_km
from geo.geometry import GREAT_CIRCLE, GeometryBuilder, geodesic_path, great_circle_geometry
from geo.model import Leg
from geo.sea import SEAROUTE, sea_geometry

AKTAU, ALAT, BAKU, POTI, CONSTANTA = (51.15, 43.65), (49.40, 39.95), (49.87, 40.41), (41.68, 42.15), (28.66, 44.17)
ASTRAKHAN, ANZALI = (48.03, 46.35), (49.47, 37.47)


def leg(mode: str = "sea", status: str = "operational", a: str = "a", b: str = "b") -> Leg:
    return Leg.model_validate({"from": a, "to": b, "mode": mode, "status": status})


def great_circle_km(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def test_geodesic_km_against_known_distance():
    # one degree of longitude on the equator is 111.319 km on WGS84
    assert geodesic_km(np.array([[0.0, 0.0], [1.0, 0.0]])) == pytest.approx(111.319, abs=0.001)
    assert geodesic_km(np.array([[0.0, 0.0]])) == 0.0


def test_geodesic_path_is_dense_and_exact():
    path = geodesic_path([AKTAU, ALAT, POTI], spacing_km=20)
    assert tuple(path[0]) == AKTAU and tuple(path[-1]) == POTI
    assert ALAT in [tuple(p) for p in path]
    steps = [geodesic_km(path[i : i + 2]) for i in range(len(path) - 1)]
    assert max(steps) <= 20.0 + 1e-6
    # densifying along the geodesic does not change the length
    assert geodesic_km(path) == pytest.approx(great_circle_km(AKTAU, ALAT) + great_circle_km(ALAT, POTI), rel=1e-6)


def test_geodesic_path_across_antimeridian_is_continuous():
    path = geodesic_path([(170.0, 50.0), (-170.0, 52.0)])
    assert np.all(np.abs(np.diff(path[:, 0])) < 5)
    assert path[-1, 0] == pytest.approx(190.0)


def test_great_circle_geometry():
    g = great_circle_geometry([AKTAU, ALAT], leg("rail"))
    assert g.method == GREAT_CIRCLE and g.attribution == ()
    assert g.length_km == pytest.approx(great_circle_km(AKTAU, ALAT), rel=1e-6)


def _interior_on_land(coords: np.ndarray, isos: list[str], *, margin_km: float = 8.0) -> list[tuple[float, float]]:
    """Vertices that lie inside a country outline by more than margin_km (outlines are 1:110m)."""
    land = shapely.union_all([country_outlines()[i] for i in isos])
    inner = land.buffer(-margin_km / 111.0)
    pts = shapely.points(coords[1:-1])
    return [tuple(c) for c, inside in zip(coords[1:-1], shapely.contains(inner, pts), strict=True) if inside]


@pytest.mark.parametrize(
    ("a", "b", "countries"),
    [
        (AKTAU, ALAT, ["KAZ", "AZE", "RUS", "TKM", "IRN"]),
        (ASTRAKHAN, ANZALI, ["KAZ", "AZE", "TKM", "IRN"]),
        (POTI, CONSTANTA, ["GEO", "TUR", "RUS", "UKR", "ROU", "BGR"]),
    ],
)
def test_sea_legs_stay_at_sea(a, b, countries):
    g = sea_geometry([a, b], leg())
    assert g.method == SEAROUTE and g.attribution
    assert tuple(g.coords[0]) == a and tuple(g.coords[-1]) == b
    assert _interior_on_land(g.coords, countries) == []
    gc = great_circle_km(a, b)
    assert gc <= g.length_km <= 1.5 * gc


def test_caspian_to_black_sea_by_sea_is_refused():
    with pytest.raises(GeometryError, match=r"Russia.s inland waterways \(Volga-Don canal\)"):
        sea_geometry([BAKU, POTI], leg(a="baku", b="poti"))


def test_suez_baseline_length():
    g = sea_geometry([(121.48, 31.23), (4.50, 51.92)], leg())
    # published ~19,600 km (porteconomicsmanagement.org, Rodrigue 2024)
    assert g.length_km == pytest.approx(19_600, rel=0.03)


def test_trans_pacific_sea_leg_is_continuous():
    g = sea_geometry([(121.48, 31.23), (-122.40, 37.80)], leg())
    assert np.all(np.abs(np.diff(g.coords[:, 0])) < 30)
    assert g.coords[:, 0].max() > 180


def test_builder_caches_and_dispatches_by_status():
    calls = []

    def fake(points, leg_):
        calls.append(leg_.status)
        return great_circle_geometry(points, leg_)

    from geo.model import Hub

    hubs = {
        h: Hub(id=h, name=h, country="AZE", kind="city", lat=lat, lon=lon, sources=["t"])
        for h, (lon, lat) in {"a": AKTAU, "b": ALAT}.items()
    }
    builder = GeometryBuilder(hubs, builders={"rail": fake}, unbuilt_builders={"rail": great_circle_geometry})
    builder(leg("rail"))
    builder(leg("rail"))
    builder(leg("rail", "planned"))
    assert calls == ["operational"]


def test_distance_km_takes_scalars_and_broadcasts():
    one = distance_km(*AKTAU, *ALAT)
    assert isinstance(one, float) and one == pytest.approx(GEOD.inv(*AKTAU, *ALAT)[2] / 1000)
    many = distance_km(*AKTAU, np.array([ALAT[0], BAKU[0]]), np.array([ALAT[1], BAKU[1]]))
    assert many.shape == (2,) and many[0] == pytest.approx(one)
