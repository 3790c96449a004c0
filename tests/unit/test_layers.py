"""Who may import whom: the ingress, analytics, search and the benchmarks reach the workers only
through Kafka and the tables/ modules; tables/ sits below every service and infra/ below
everything but topics/ and seating/; system/ (which runs it all) sits on top, and no service
imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("ingress", "analytics", "partners", "search", "workers", "benchmarks")
# What sits above the ground level of infra/: every package but topics/ and seating/.
ABOVE_INFRA = {*SERVICES, "tables", "devstack", "system"}
RULES = {
    "ingress": {"workers", "system"},
    "analytics": {"workers", "ingress", "system"},
    "search": {"workers", "system"},
    "partners": {"system"},
    "workers": {"system"},
    "benchmarks": {"workers"},
    "tables": {*SERVICES, "system"},
    "infra": ABOVE_INFRA,
}


def imported(path: Path) -> set[str]:
    """The top-level packages `path` imports (absolute imports; the code uses no others)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(RULES))
def test_a_package_imports_nothing_from_the_layers_it_must_not_know(package: str) -> None:
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules, f"no modules in {package}/"
    broken = {
        str(path.relative_to(ROOT)): sorted(imported(path) & RULES[package]) for path in modules
    }
    assert {path: bad for path, bad in broken.items() if bad} == {}


def test_the_rule_sees_an_import_of_workers(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom workers.live import LiveEvent\nimport workers.store\n")
    assert imported(module) == {"os", "workers"}
