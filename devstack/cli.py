"""`python -m devstack`: up, down, start, stop, status, logs, reset."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from devstack import stack
from devstack.errors import DevstackError
from devstack.process import tail

T = TypeVar("T")
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Local Kafka + Cassandra for Evently (no Docker).",
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)


SERVICE_HELP = "kafka or cassandra (every node), or one node of a cluster (kafka-2, cassandra-3)"


def _echo(line: str) -> None:
    console.print(line, highlight=False, markup=False)


def _run(fn: Callable[[], T]) -> T:
    """Run fn, turning a DevstackError into a red message and its exit code."""
    try:
        return fn()
    except DevstackError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        raise typer.Exit(exc.exit_code) from None


@app.command()
def up() -> None:
    """Start Kafka and Cassandra (whatever does not answer) and wait until all are ready
    (EVENTLY_DEVSTACK_NODES=3: three nodes of each)."""
    t0 = time.monotonic()
    started = _run(lambda: stack.up(echo=_echo))
    if started:
        console.print(f"[green]ready[/] in {time.monotonic() - t0:.1f}s")


@app.command()
def down() -> None:
    """Stop both services."""
    _run(lambda: stack.down(echo=_echo))


@app.command()
def start(service: Annotated[str, typer.Argument(help=SERVICE_HELP)]) -> None:
    """Start one service (or node) and wait until it is ready."""
    _run(lambda: stack.start(service, echo=_echo))


@app.command()
def stop(service: Annotated[str, typer.Argument(help=SERVICE_HELP)]) -> None:
    """Stop one service (or node): SIGTERM, then SIGKILL after a timeout."""
    _run(lambda: stack.stop(service, echo=_echo))


def _mib(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.0f} MiB"


@app.command()
def status() -> None:
    """Table of service, pid, port, ready and memory; exit 1 if any is not ready."""
    rows = _run(stack.status)
    table = Table(title="Evently dev stack")
    for col in ("service", "pid", "address", "ready", "RSS", "peak RSS"):
        table.add_column(col)
    for r in rows:
        pid = "remote" if r.remote else (str(r.pid) if r.pid else "-")
        ready = "[green]yes[/]" if r.ready else "[red]no[/]"
        table.add_row(r.service, pid, r.address, ready, _mib(r.rss_kib), _mib(r.peak_rss_kib))
    console.print(table)
    if not all(r.ready for r in rows):
        raise typer.Exit(1)


@app.command()
def logs(
    service: Annotated[str | None, typer.Argument(help=SERVICE_HELP + " (default: all)")] = None,
    lines: Annotated[int, typer.Option("--lines", "-n", help="how many lines")] = 40,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="keep printing new lines")] = False,
) -> None:
    """Print the last lines of a service's log (or both)."""
    names = _run(
        lambda: [sp.name for sp in stack.nodes(service)] if service else list(stack.specs())
    )
    paths = [stack.log_path(n) for n in names]
    for name, path in zip(names, paths, strict=True):
        if len(names) > 1:
            console.rule(f"{name}: {path}")
        print(tail(Path(path), lines) or f"(no log yet: {path})")
    if follow:
        _follow(paths)


def _follow(paths: list[str]) -> None:
    """Print lines appended to the files until Ctrl-C."""
    offsets = {p: os.path.getsize(p) if os.path.exists(p) else 0 for p in paths}
    try:
        while True:
            for p in paths:
                if not os.path.exists(p):
                    continue
                size = os.path.getsize(p)
                if size < offsets[p]:
                    offsets[p] = 0
                if size > offsets[p]:
                    with open(p, "rb") as fh:
                        fh.seek(offsets[p])
                        print(fh.read().decode(errors="replace"), end="", flush=True)
                    offsets[p] = size
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass


@app.command()
def reset() -> None:
    """Stop both services and delete their data and logs (the Maven cache stays)."""
    _run(lambda: stack.reset(echo=_echo))


def main() -> None:
    """Console entry point."""
    app()
