"""Shared fixtures: a tiny catalog of real places, and its built layers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from geo.catalog import Catalog, load_catalog
from layers.frames import Layers, layers_from_catalog

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.toml"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Install the browser tests' local CDN assets from npm (a second or less once they are there).

    This is part of the test command, so that ``python -m pytest`` on a fresh
    clone runs the browser tests too; without npm they are skipped and say why.
    """
    from tests.browser import INSTALL_SCRIPT

    if shutil.which("npm") is None or shutil.which("bash") is None:
        return
    proc = subprocess.run(["bash", str(INSTALL_SCRIPT)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:  # the browser tests then skip (or fail in CI) naming the missing assets
        print(f"\n{INSTALL_SCRIPT.name} failed: {(proc.stderr or proc.stdout).strip()[-500:]}")


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


@pytest.fixture
def no_gapfill(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty gap-fill file for the rail network: tests of tiny fake networks merge no real lines."""
    from geo import network_data

    path = tmp_path / "gapfill-empty.toml"
    path.write_text("# no lines\n", encoding="utf-8")
    monkeypatch.setattr(network_data, "GAPFILL_FILE", path)
    return path
