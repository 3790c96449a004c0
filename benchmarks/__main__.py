"""`python -m benchmarks run`: the load benchmarks of issue 8, written to benchmarks/results/."""

from __future__ import annotations

import dataclasses
import signal
import time
from pathlib import Path
from typing import Annotated

import orjson
import typer

from benchmarks import report, runner

HERE = Path(__file__).resolve().parent
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False)


@app.callback()
def main() -> None:
    """Evently load benchmarks (flash sale, mixed load, partner path, baselines)."""


@app.command()
def run(
    quick: Annotated[bool, typer.Option(help="Smoke scale: 1,000 seats, 5,000 attempts.")] = False,
    attempts: Annotated[int | None, typer.Option(help="Flash-sale hold attempts.")] = None,
    buyers: Annotated[int | None, typer.Option(help="Concurrent buyers (connections).")] = None,
    rate: Annotated[float | None, typer.Option(help="Open loop: attempts a second.")] = None,
    flash_seconds: Annotated[float | None, typer.Option(help="Cap per flash-sale target.")] = None,
    mixed_seconds: Annotated[float | None, typer.Option(help="Mixed-load length.")] = None,
    mixed_rate: Annotated[float | None, typer.Option(help="Mixed load: requests a second.")] = None,
    partner_commands: Annotated[int | None, typer.Option(help="Partner-path commands.")] = None,
    pretix_clients: Annotated[
        list[int] | None, typer.Option(help="Pretix-shaped sale: clients (once per value).")
    ] = None,
    pretix_seconds: Annotated[float | None, typer.Option(help="Cap per pretix sale.")] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option(help="Leave out: noop flash pretix pretix-naive mixed partner kafka."),
    ] = None,
    workers: Annotated[int, typer.Option(help="Seat worker processes.")] = 2,
    ingresses: Annotated[int, typer.Option(help="Ingress processes on one port.")] = 1,
    out: Annotated[Path | None, typer.Option(help="Result folder.")] = None,
    write_results: Annotated[bool, typer.Option(help="Update benchmarks/RESULTS.md.")] = True,
) -> None:
    """Run the benchmarks; write result.json, chart.png and (unless told not to) RESULTS.md."""
    scale = runner.QUICK if quick else runner.FULL
    scale = dataclasses.replace(
        scale,
        attempts=scale.attempts if attempts is None else attempts,
        buyers=scale.buyers if buyers is None else buyers,
        rate=scale.rate if rate is None else rate,
        mixed_seconds=scale.mixed_seconds if mixed_seconds is None else mixed_seconds,
        mixed_rate=scale.mixed_rate if mixed_rate is None else mixed_rate,
        flash_seconds=scale.flash_seconds if flash_seconds is None else flash_seconds,
        partner_commands=scale.partner_commands if partner_commands is None else partner_commands,
        pretix_clients=tuple(pretix_clients) if pretix_clients else scale.pretix_clients,
        pretix_seconds=scale.pretix_seconds if pretix_seconds is None else pretix_seconds,
    )
    out_dir = out or HERE / "results" / time.strftime("%Y%m%d-%H%M%S")
    # SIGTERM unwinds like Ctrl-C, so the processes stop and the keyspace and topics are dropped
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    result = runner.run(scale, set(skip or ()), out_dir, workers, ingresses)
    result["quick"] = quick
    (out_dir / "result.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    report.chart(result, out_dir / "chart.png")
    runner.console.print(report.table(result))
    if write_results:
        report.update_results(result, out_dir, HERE / "RESULTS.md")
    runner.console.print(f"written to {out_dir}")


if __name__ == "__main__":
    app()
