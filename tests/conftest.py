"""Shared fixtures: a tiny catalog of real places, and its built layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.catalog import Catalog, load_catalog
from layers.frames import Layers, layers_from_catalog

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.toml"


@pytest.fixture(scope="session")
def mini_catalog() -> Catalog:
    return load_catalog([MINI], embedded=False)


@pytest.fixture(scope="session")
def mini_layers(mini_catalog: Catalog) -> Layers:
    return layers_from_catalog(mini_catalog, mini_catalog.select(None))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The embedded catalog."""
    return load_catalog()
