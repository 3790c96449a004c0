"""Finding java and mvn, with one clear message when either is missing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from devstack.errors import ToolMissingError

MIN_JAVA = 17
JAVA_HINT = "Java 17+ not found: apt-get install openjdk-17-jdk-headless (or set JAVA_HOME)"
MVN_HINT = "Maven not found: apt-get install maven (needed once, to download the server jars)"


def find_java() -> str:
    """Path of a Java 17+ `java` (JAVA_HOME first, then PATH); ToolMissingError otherwise."""
    candidates: list[str] = []
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        candidates.append(str(Path(home) / "bin" / "java"))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    if not candidates:
        raise ToolMissingError(JAVA_HINT)
    for java in candidates:
        version = java_major_version(java)
        if version is not None and version >= MIN_JAVA:
            return java
    raise ToolMissingError(f"{JAVA_HINT} (found only older Java: {', '.join(candidates)})")


def java_major_version(java: str) -> int | None:
    """Major version reported by `java -version`, or None if it cannot be run."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_java_version(out.stderr + out.stdout)


def parse_java_version(text: str) -> int | None:
    """Major version from `java -version` output ('1.8.0_x' is 8, '17.0.15' is 17)."""
    m = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not m:
        return None
    major = int(m.group(1))
    if major == 1 and m.group(2):
        return int(m.group(2))
    return major


def find_mvn() -> str:
    """Path of `mvn`; ToolMissingError otherwise."""
    mvn = shutil.which("mvn")
    if not mvn:
        raise ToolMissingError(MVN_HINT)
    return mvn
