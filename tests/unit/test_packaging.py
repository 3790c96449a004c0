"""Every top-level package ships in the wheel (the Docker image runs from site-packages) and is
type-checked."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def packages() -> set[str]:
    """The folders at the top of the repository that are packages, tests aside."""
    return {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}


def test_every_package_is_in_the_wheel() -> None:
    included = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    # examples/ is a partner's client, not part of the service.
    assert packages() - {"examples"} - {p.removesuffix("*") for p in included} == set()


def test_every_package_is_type_checked() -> None:
    assert packages() - set(PYPROJECT["tool"]["mypy"]["files"]) == set()
