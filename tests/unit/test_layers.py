"""Who may import whom: the ingress, analytics, search and the benchmarks reach the workers only
through Kafka and the tables/ modules; tables/ sits below every service and infra/ below
everything but topics/ and seating/; system/ (which runs it all) sits on top, and no service
imports it. And one home for each table: only tables/ spells a CQL statement on a table the
migrations create."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("ingress", "analytics", "partners", "search", "workers", "benchmarks", "waitroom")
# What sits above the ground level of infra/: every package but topics/ and seating/.
ABOVE_INFRA = {*SERVICES, "tables", "devstack", "system"}
RULES = {
    "ingress": {"workers", "system"},
    "analytics": {"workers", "ingress", "system"},
    "search": {"workers", "system"},
    "partners": {"system"},
    "waitroom": {"workers", "ingress", "analytics", "search", "partners", "system"},
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


# -- one home for each table --------------------------------------------------------------------

# Driver plumbing (schema_migrations) and the deliberately naive baseline, which reads and writes
# tables its own way, are the only code outside tables/ allowed to spell CQL.
CQL_ALLOWED = {Path("infra/cassandra.py"), Path("benchmarks/naive_app.py")}
SKIPPED_DIRS = {"tables", "tests", "migrations", "__pycache__", "node_modules"}
STATEMENT = re.compile(
    r"\bINSERT\s+INTO\s+(\w+)|\bUPDATE\s+(\w+)|\bDELETE\b.*?\bFROM\s+(\w+)|\bSELECT\b.*?\bFROM\s+(\w+)",
    re.DOTALL,
)


def table_names() -> set[str]:
    """Every table the migrations create and do not drop again."""
    text = "\n".join(p.read_text() for p in (ROOT / "infra" / "migrations").glob("*.cql"))
    created = set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", text))
    return created - set(re.findall(r"DROP TABLE IF EXISTS (\w+)", text))


def modules_outside_tables() -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS]
        for name in files:
            path = Path(folder, name).relative_to(ROOT)
            if name.endswith(".py") and path not in CQL_ALLOWED:
                found.append(path)
    return sorted(found)


def strings(path: Path) -> list[str]:
    """Every string constant of a module; an f-string with `{}` for each placeholder."""
    found, parts = [], set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.JoinedStr):
            parts.update(id(v) for v in node.values)
            found.append(
                "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            )
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts
        ):
            found.append(node.value)
    return found


def tables_named(text: str, tables: set[str]) -> set[str]:
    """The tables a CQL statement in `text` reads or writes."""
    return {name for match in STATEMENT.findall(text) for name in match if name in tables}


def test_only_the_tables_package_spells_cql_for_a_table() -> None:
    tables = table_names()
    assert {"seat_state", "users", "bookings", "analytics", "partners"} <= tables
    assert "event_state" not in tables  # dropped by 014
    modules = modules_outside_tables()
    assert Path("ingress/routes/events.py") in modules
    spelled = {
        str(path): sorted(set().union(*(tables_named(s, tables) for s in strings(path))))
        for path in modules
    }
    assert {path: names for path, names in spelled.items() if names} == {}


def test_the_cql_rule_sees_statements_in_strings_and_f_strings(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        'A = "SELECT data FROM event_state WHERE event_id = ?"\n'
        'B = f"INSERT INTO events ({COLUMNS}) VALUES (?)"\n'
        'C = ("DELETE FROM idempotency_keys "\n     "WHERE scope = ?")\n'
        'D = "UPDATE partition_owners SET epoch = ?"\n'
        'E = "SELECT release_version FROM system.local"\n'
        'F = "update the users, select from venues"\n'
    )
    tables = {"event_state", "events", "idempotency_keys", "partition_owners", "users", "venues"}
    found = [tables_named(s, tables) for s in strings(module)]
    assert found == [
        {"event_state"},
        {"events"},
        {"idempotency_keys"},
        {"partition_owners"},
        set(),
        set(),
    ]


# -- one place to decode each topic -------------------------------------------------------------

DECODERS_ALLOWED = {"topics", "tables"}  # tables/ reads its own stored rows, not topics


def json_parsed_with_pydantic(path: Path) -> list[int]:
    """Lines where `path` parses JSON into a pydantic model itself (`.model_validate_json`)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "model_validate_json"
    ]


def test_messages_are_decoded_by_topics_only() -> None:
    decoding = {
        str(path): lines
        for path in modules_outside_tables()
        if path.parts[0] not in DECODERS_ALLOWED and (lines := json_parsed_with_pydantic(path))
    }
    assert decoding == {}
