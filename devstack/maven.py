"""Resolving each service's jars with Maven into the shared cache, once.

The classpath of a service is written to <devstack_dir>/classpath/<service>.txt
together with a hash of pom.xml and the cache path; while both match and every jar still exists,
Maven is not run at all.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from devstack.errors import DevstackError
from devstack.layout import Layout
from devstack.tools import find_mvn

POM = Path(__file__).resolve().parent / "pom.xml"
MVN_TIMEOUT_S = 900


def pom_digest(layout: Layout) -> str:
    """Hash of pom.xml and the cache path: changing either invalidates stored classpaths."""
    return hashlib.sha256(POM.read_bytes() + str(layout.maven_repo).encode()).hexdigest()[:16]


def read_classpath(layout: Layout, service: str) -> list[Path] | None:
    """The stored classpath if it is current and complete, else None."""
    cp_file = layout.classpath_file(service)
    stamp = cp_file.with_suffix(".pom")
    if not cp_file.is_file() or not stamp.is_file():
        return None
    if stamp.read_text().strip() != pom_digest(layout):
        return None
    jars = [Path(p) for p in cp_file.read_text().strip().split(os.pathsep) if p]
    if not jars or not all(j.is_file() for j in jars):
        return None
    return jars


def resolve_classpath(layout: Layout, service: str) -> list[Path]:
    """Run Maven (profile = service) and store the classpath; DevstackError on failure."""
    mvn = find_mvn()
    layout.classpath_dir.mkdir(parents=True, exist_ok=True)
    layout.maven_repo.mkdir(parents=True, exist_ok=True)
    cp_file = layout.classpath_file(service)
    tmp = cp_file.with_suffix(".tmp")
    cmd = [
        mvn,
        "-B",
        "-q",
        "-f",
        str(POM),
        "-P",
        service,
        f"-Dmaven.repo.local={layout.maven_repo}",
        "dependency:build-classpath",
        f"-Dmdep.outputFile={tmp}",
    ]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=MVN_TIMEOUT_S)  # noqa: S603
    except subprocess.TimeoutExpired as exc:
        raise DevstackError(
            f"Maven did not finish within {MVN_TIMEOUT_S}s: {' '.join(cmd)}"
        ) from exc
    if out.returncode != 0 or not tmp.is_file():
        tail = "\n".join((out.stdout + out.stderr).strip().splitlines()[-40:])
        raise DevstackError(f"Maven could not resolve the {service} jars:\n{' '.join(cmd)}\n{tail}")
    tmp.replace(cp_file)
    cp_file.with_suffix(".pom").write_text(pom_digest(layout) + "\n")
    jars = read_classpath(layout, service)
    if jars is None:
        raise DevstackError(f"Maven wrote an incomplete classpath for {service}: {cp_file}")
    return jars


def ensure_classpath(layout: Layout, service: str) -> list[Path]:
    """The service's jars: from the stored classpath, or resolved with Maven first."""
    return read_classpath(layout, service) or resolve_classpath(layout, service)
