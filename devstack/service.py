"""What the stack needs to know about one service (filled in by kafka.py and cassandra.py)."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from devstack.layout import Layout
from infra.settings import Settings


@dataclass(frozen=True)
class ServiceSpec:
    """One JVM service: its ports, how to prepare and launch it, how to tell it is ready."""

    name: str
    """The node's name (kafka, or kafka-2 in a cluster)."""
    service: str
    """kafka or cassandra."""
    title: str
    start_timeout_s: float
    stop_timeout_s: float
    host: str
    """The loopback address the JVM binds."""
    ports: Callable[[Settings], list[int]]
    """Every port the JVM binds on `host` (the client port first)."""
    address: Callable[[Settings], str]
    """Where clients reach it, from the settings."""
    is_remote: Callable[[Settings], bool]
    """True if the settings point at a host other than loopback (never started by us)."""
    prepare: Callable[[Layout, Settings, list[Path], str], list[str]]
    """Write config and data dirs, return the JVM argv (given classpath and java)."""
    probe: Callable[[Settings], bool]
    """A real client round trip; True if it worked."""


def tcp_open(host: str, port: int, timeout_s: float = 0.5) -> bool:
    """Cheap pre-check before a client probe: does anything accept on host:port?"""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def quiet(*names: str) -> Iterator[None]:
    """Silence client-library loggers during a probe (they log every refused connection)."""
    loggers = [logging.getLogger(n) for n in names]
    saved = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, lvl in zip(loggers, saved, strict=True):
            lg.setLevel(lvl)
