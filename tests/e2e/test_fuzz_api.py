"""schemathesis against /openapi.json: no input gives a 5xx, responses match their schemas."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from infra.settings import Settings
from system.launch import System
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
EXAMPLES_PER_OPERATION = 80  # about 20 operations: over 1,000 cases per token
# Content types are not checked: uvicorn itself answers a request line or header it cannot
# parse (control characters) with a plain-text 400 before the app sees it.


def fuzz(system: System, token: str, label: str) -> tuple[int, str]:
    report = ARTIFACTS / f"schemathesis-{label}"
    report.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{system.base_url}/openapi.json",
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance",
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--seed",
            "7",
            "--phases",
            "fuzzing",
            "--exclude-path-regex",
            "stream",
            "--request-timeout",
            "20",
            "-H",
            f"Authorization: Bearer {token}",
            "--no-color",
            "--report",
            "junit",
            "--report-dir",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    (report / "output.txt").write_text(result.stdout + result.stderr)
    return result.returncode, result.stdout + result.stderr


def cases(output: str) -> int:
    match = re.search(r"(\d+) generated", output)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("who", ["admin", "customer"])
async def test_no_server_errors(
    system: System, e2e_settings: Settings, make_user, who: str
) -> None:
    token = e2e_settings.admin_token if who == "admin" else (await make_user())["token"]
    code, output = fuzz(system, token or "", who)
    print(output[-3000:])
    assert code == 0, output[-6000:]
    assert cases(output) >= 1000
