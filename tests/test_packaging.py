"""What `pip install .` ships: every package of the tool and its data (the editable install of the tests hides gaps)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_every_package_is_shipped():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("geo", "layers", "maps")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert found == set(config["packages"])


def test_package_data_covers_the_data_files():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = config["package-data"]
    files = [p for p in (ROOT / "geo" / "data").rglob("*") if p.is_file()]
    assert any(p.parent.name == "scenarios" for p in files)
    for data in files:
        rel = data.relative_to(ROOT / "geo").as_posix()
        assert any(Path(rel).match(p) for p in patterns["geo"]), data
