"""Freight flows: a flows file read and checked, flows on a tiny network summed by hand, the layers, the map, the CLI.

The tiny network (built in code, in Kazakhstan)::

    c (61, 48)
    |
    a (60, 47) --- j (61, 47) --- b (62, 47)        d (66, 47) --- e (67, 47)   (another component)

Every hub sits on a node, so the routed lines are the network's edges and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from click.testing import CliRunner

from geo.catalog import Catalog, load_catalog
from geo.errors import CatalogError, OptionError
from geo.flows import assign_flows, edge_runs, parse_unit, read_flows
from geo.model import Hub, Mode
from geo.network import network_from_edges
from layers.flows import flow_layers, write_flows_geopackage
from maps.flows_map import line_width, scale_samples
from maps.flows_pipeline import build_flows

EXAMPLE = Path(__file__).parent.parent / "geo" / "data" / "examples" / "flows-illustrative.csv"
ARTIFACTS = Path(__file__).parent / "artifacts"

LON = np.array([60.0, 61.0, 62.0, 61.0, 66.0, 67.0])
LAT = np.array([47.0, 47.0, 47.0, 48.0, 47.0, 47.0])
A, J, B, C = (60.0, 47.0), (61.0, 47.0), (62.0, 47.0), (61.0, 48.0)


def hub(id_: str, lon: float, lat: float) -> Hub:
    return Hub(id=id_, name=id_.upper(), country="KAZ", kind="rail_junction", lat=lat, lon=lon, sources=["test"])


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(tmp_path / "cache"))
    hubs = {h.id: h for h in (hub("a", *A), hub("b", *B), hub("c", *C), hub("d", 66.0, 47.0))}
    net = network_from_edges("rail", LON, LAT, [0, 1, 1, 4], [1, 2, 3, 5], attribution="test rail (OpenStreetMap)")
    options = {"modes": [Mode.RAIL], "network_of": lambda kind: net, "boundaries": {}}
    return Catalog(hubs=hubs, corridors={}), options


FLOWS = """# a comment line, with, commas
origin,destination,volume,unit
a,b,100,t
c,b,50,tonnes
b,a,30,Tonne
a,b,10,teu
c,a,5,TEU
a,d,7,t
"""


def write(tmp_path: Path, text: str, name: str = "flows.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edge(p, q):
    return ("rail", min(p, q), max(p, q))


def test_flows_on_a_tiny_network_summed_by_hand(tiny, tmp_path):
    catalog, options = tiny
    flows = read_flows(write(tmp_path, FLOWS), catalog)
    assert [(f.line, f.pair, f.volume, f.unit) for f in flows] == [
        (3, ("a", "b"), 100, "tonnes"), (4, ("c", "b"), 50, "tonnes"), (5, ("b", "a"), 30, "tonnes"),
        (6, ("a", "b"), 10, "TEU"), (7, ("c", "a"), 5, "TEU"), (8, ("a", "d"), 7, "tonnes"),
    ]  # fmt: skip
    result = assign_flows(catalog, flows, **options)
    assert sorted(result.routes) == [("a", "b"), ("b", "a"), ("c", "a"), ("c", "b")]  # a → b routed once
    # a–j: a→b 100 t, b→a 30 t (the other way: edges are undirected), a→b 10 TEU, c→a 5 TEU
    # j–b: a→b 100 t, c→b 50 t, b→a 30 t, a→b 10 TEU;  j–c: c→b 50 t, c→a 5 TEU
    sums = {k: (v.tonnes, v.teu, v.flows) for k, v in result.edges.items()}
    assert sums == {
        edge(A, J): (130.0, 15.0, (0, 2, 3, 4)),
        edge(J, B): (180.0, 10.0, (0, 1, 2, 3)),
        edge(J, C): (50.0, 5.0, (1, 4)),
    }
    legs = {(leg.from_hub, leg.to_hub, leg.mode): (leg.volumes.tonnes, leg.volumes.teu) for leg in result.legs}
    assert legs == {
        ("a", "b", Mode.RAIL): (100.0, 10.0),
        ("c", "b", Mode.RAIL): (50.0, 0.0),
        ("b", "a", Mode.RAIL): (30.0, 0.0),
        ("c", "a", Mode.RAIL): (0.0, 5.0),
    }
    # the flow to d (another component) is reported, not a crash
    assert [(u.flow, result.flows[u.flow].pair) for u in result.unassigned] == [(5, ("a", "d"))]
    assert "no route from a to d by rail" in result.unassigned[0].reason
    assert result.total("tonnes", assigned=True) == 180 and result.total("TEU") == 15
    assert result.total("tonnes", assigned=False) == 7

    runs = edge_runs(result)  # three groups of different flows: three lines, each one edge
    assert sorted((r.volumes.tonnes, r.volumes.teu, len(r.line.coords)) for r in runs) == [
        (50.0, 5.0, 2), (130.0, 15.0, 2), (180.0, 10.0, 2)
    ]  # fmt: skip


def test_runs_merge_edges_carrying_the_same_flows(tiny, tmp_path):
    catalog, options = tiny
    flows = read_flows(write(tmp_path, "origin,destination,volume,unit\na,b,3,TEU\n"), catalog)
    (run,) = edge_runs(assign_flows(catalog, flows, **options))
    assert [tuple(c) for c in run.line.coords] in ([A, J, B], [B, J, A])
    assert run.volumes.teu == 3 and run.volumes.tonnes == 0
    assert 150 < run.length_km < 155  # two degrees of longitude at 47° N


def test_units_are_never_added(tiny, tmp_path):
    catalog, options = tiny
    text = "origin,destination,volume,unit\na,b,1000,tonnes\na,b,1,TEU\n"
    layers = flow_layers(assign_flows(catalog, read_flows(write(tmp_path, text), catalog), **options))
    assert list(layers.flows[["tonnes", "teu"]].itertuples(index=False, name=None)) == [(1000.0, 1.0)]
    assert "volume" not in layers.flows.columns and "volume" not in layers.legs.columns
    assert parse_unit("T") == "tonnes" and parse_unit(" Teu ") == "TEU" and parse_unit("tons") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("origin,destination,amount,unit\na,b,1,t\n", r"flows.csv, line 1: no column 'volume' in the header"),
        ("origin,destination,volume,unit\n", r"flows.csv: no flows, only the header"),
        ("", r"flows.csv: empty: the first line must name the columns origin,destination,volume,unit"),
        (
            "origin,destination,volume,unit\na,bb,1,t\n",
            r"flows.csv, line 2: column 'destination' = 'bb': not a hub id nor 'lat,lon': did you mean b\?",
        ),
        (
            "origin,destination,volume,unit\na,b,-2,t\n",
            r"flows.csv, line 2: column 'volume' = '-2' is not positive: give the flow's volume as a positive number",
        ),
        ("origin,destination,volume,unit\na,b,nan,t\n", r"line 2: column 'volume' = 'nan' is not a finite number"),
        ("origin,destination,volume,unit\na,b,lots,t\n", r"line 2: column 'volume' = 'lots' is not a number"),
        (
            "origin,destination,volume,unit\na,b,1,boxes\n",
            r"flows.csv, line 2: column 'unit' = 'boxes': choose tonnes or TEU",
        ),
        (
            "origin,destination,volume,unit\n47.0,60.0,b,1,t\n",
            r"flows.csv, line 2: 5 fields for 4 columns: quote a lat,lon place",
        ),
        (
            'origin,destination,volume,unit\n"95,60",b,1,t\n',
            r"line 2: column 'origin' = '95,60': latitude 95 is beyond ±90, and this looks like lon,lat",
        ),
        ("origin,destination,volume,unit\na,a,1,t\n", r"line 2: origin 'a' and destination 'a' are the same place"),
    ],
)
def test_bad_flows_files_say_where_and_what_to_do(tiny, tmp_path, text, message):
    catalog, _ = tiny
    with pytest.raises(CatalogError, match=message) as err:
        read_flows(write(tmp_path, text), catalog)
    assert all("\n" not in p for p in err.value.problems)


def test_every_bad_row_is_reported(tiny, tmp_path):
    catalog, _ = tiny
    text = "origin,destination,volume,unit\na,b,0,t\n\n# skipped\na,b,1,kg\n"
    with pytest.raises(CatalogError) as err:
        read_flows(write(tmp_path, text), catalog)
    assert [p.split(": ", 1)[0] for p in err.value.problems] == [
        f"{tmp_path}/flows.csv, line 2",
        f"{tmp_path}/flows.csv, line 5",
    ]
    with pytest.raises(CatalogError, match=r"no such flows file: check the path"):
        read_flows(tmp_path / "missing.csv", catalog)


def test_points_and_unknown_countries(tiny, tmp_path):
    catalog, options = tiny
    flows = read_flows(write(tmp_path, 'origin,destination,volume,unit\n"48.0,61.0",b,4,t\n'), catalog)
    assert flows[0].origin.id == "pt-48n-61e" and flows[0].origin.country == "KAZ"
    result = assign_flows(catalog, flows, **options)
    assert not result.unassigned and result.total("tonnes", assigned=True) == 4
    with pytest.raises(OptionError, match=r"avoid XYZ: no outline for this country code"):
        assign_flows(catalog, flows, avoid=["xyz"], **options)


def test_geopackage_layers_and_bytes(tiny, tmp_path):
    catalog, options = tiny
    layers = flow_layers(assign_flows(catalog, read_flows(write(tmp_path, FLOWS), catalog), **options))
    path = write_flows_geopackage(layers, tmp_path / "flows.gpkg", parameters={"input": "test"})
    first = path.read_bytes()
    assert write_flows_geopackage(layers, tmp_path / "flows.gpkg", parameters={"input": "test"}).read_bytes() == first
    assert [tuple(x) for x in pyogrio.list_layers(path)] == [
        ("flows", "LineString"), ("flow_legs", "LineString"), ("flow_inputs", "MultiLineString"), ("flow_hubs", "Point")
    ]  # fmt: skip
    back = pyogrio.read_dataframe(path, layer="flows")
    assert sorted(back["tonnes"]) == [50, 130, 180] and back.crs.to_epsg() == 4326
    inputs = pyogrio.read_dataframe(path, layer="flow_inputs")
    assert list(inputs["assigned"]) == [True] * 5 + [False] and inputs.geometry.isna().tolist()[-1]
    meta = pyogrio.read_info(path, layer="flows")["dataset_metadata"]
    assert "test rail (OpenStreetMap)" in meta["attribution"] and "Open Database License" in meta["licence"]


def test_width_scale():
    assert line_width(100, 100, "TEU") == 13.0 and line_width(25, 100, "TEU") == 6.5  # √(1/4) of the widest
    assert line_width(1e-9, 100, "tonnes") == 1.5
    assert scale_samples(7_000_000, 200_000) == [7_000_000, 1_000_000, 200_000]


def test_pipeline_writes_layers_and_map_all_or_nothing(tiny, tmp_path):
    catalog, options = tiny
    out = tmp_path / "out"
    result = build_flows(write(tmp_path, FLOWS), out, catalog=catalog, tiles=None, **options)
    assert [p.as_posix() for p in result.files] == ["layers/ATTRIBUTION", "layers/flows.gpkg", "maps/flows.html"]
    page = result.map.read_text(encoding="utf-8")
    assert page.count("cm-flow-tonnes") == 3 and page.count("cm-flow-teu") == 3
    assert "width ∝ √volume" in page and "OpenStreetMap" in page and "1 flow without a route" in page
    assert "A → B: 100 tonnes" in page
    again = build_flows(write(tmp_path, FLOWS), out, catalog=catalog, tiles=None, **options)
    assert again.map.read_text(encoding="utf-8") == page  # reproducible
    with pytest.raises(CatalogError):
        build_flows(write(tmp_path, "origin,destination,volume,unit\na,b,x,t\n"), out, catalog=catalog, **options)
    assert result.map.read_text(encoding="utf-8") == page  # a failed run leaves the folder as it was


def test_popups_escape_user_text(tiny, tmp_path):
    catalog, options = tiny
    evil = hub("x", *C).model_copy(update={"name": "<script>alert(1)</script>`${x}`"})
    catalog = Catalog(hubs={**catalog.hubs, "x": evil}, corridors={})
    text = "origin,destination,volume,unit\nx,b,1,t\n"
    result = build_flows(write(tmp_path, text), tmp_path / "out", catalog=catalog, tiles=None, **options)
    page = result.map.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;&#96;&#36;{x}&#96;" in page


def test_cli_bad_file_is_one_line_and_exit_2(tmp_path):
    from maps.cli import main

    bad = write(tmp_path, "origin,destination,volume,unit\nxian,duisburg,-5,TEU\n")
    result = CliRunner().invoke(main, ["flows", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert (
        result.output.strip()
        == f"error: {bad}, line 2: column 'volume' = '-5' is not positive: give the flow's volume as a positive number (decimal point, no thousands separators), or drop the row"
    )
    assert not (tmp_path / "o").exists()


@pytest.mark.network
def test_example_file_builds(tmp_path):
    from maps.cli import main

    catalog = load_catalog()
    flows = read_flows(EXAMPLE, catalog)
    assert len(flows) >= 10 and {f.unit for f in flows} == {"tonnes", "TEU"}
    assert "ILLUSTRATIVE" in EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    out = tmp_path / "ex"
    result = CliRunner().invoke(main, ["flows", str(EXAMPLE), "--out", str(out), "--json", "--tiles", "none"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n_assigned"] == data["n_flows"] == len(flows) and not data["unassigned"]
    assert data["assigned"] == {
        "tonnes": sum(f.volume for f in flows if f.unit == "tonnes"),
        "TEU": sum(f.volume for f in flows if f.unit == "TEU"),
    }
    assert (out / "maps" / "flows.html").is_file() and (out / "layers" / "flows.gpkg").is_file()
    lines = pyogrio.read_dataframe(out / "layers" / "flows.gpkg", layer="flows")
    assert lines["teu"].max() <= data["assigned"]["TEU"] and lines["tonnes"].max() <= data["assigned"]["tonnes"]
    assert {"rail", "sea", "ferry"} <= set(lines["mode"])


@pytest.mark.browser
@pytest.mark.network
def test_flow_map_in_a_browser(tmp_path):
    from tests.browser import MAIN_MAP_PATHS, open_page, require_assets, require_browser

    require_browser()
    require_assets()
    ARTIFACTS.mkdir(exist_ok=True)
    result = build_flows(EXAMPLE, tmp_path / "ex")

    def look(page):
        legend = page.locator(".cm-legend").inner_text()
        page.locator(".cm-flow-teu").first.click(force=True)
        page.wait_for_selector(".leaflet-popup-content .cm-pop")
        page.mouse.move(5, 400)  # the tooltip away
        page.wait_for_timeout(500)  # the popup's fade-in
        return {
            "paths": page.locator(MAIN_MAP_PATHS).count(),
            "legend": legend,
            "popup": page.locator(".leaflet-popup-content").inner_text(),
        }

    res = open_page(
        result.out, "maps/flows.html", screenshot=ARTIFACTS / "flows.png", actions=look, width=1280, height=800
    )
    res.assert_clean()
    seen = res.evaluate
    assert seen["paths"] == len(result.layers.flows[result.layers.flows["tonnes"] > 0]) + len(
        result.layers.flows[result.layers.flows["teu"] > 0]
    ) + len(result.layers.hubs)
    assert "Tonnes: width ∝ √volume" in seen["legend"] and "TEU (containers): width ∝ √volume" in seen["legend"]
    assert "TEU" in seen["popup"] and "flow" in seen["popup"]
