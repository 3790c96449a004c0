"""`python -m system.run`: the whole system in the foreground, with demo data, until Ctrl-C or
SIGTERM. A process that exits is restarted (system/supervise.py); one that keeps crashing stops
the run with its log tail and exit status 1."""

from __future__ import annotations

import secrets
import signal

from rich.console import Console

from devstack import stack
from infra.bootstrap import bootstrap
from infra.logs import configure_logging
from infra.settings import get_settings
from system.demo import curl_examples, seed
from system.launch import start_system
from system.supervise import CrashLoop, Supervisor

console = Console(soft_wrap=True)


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    # Ctrl-C and SIGTERM stop everything, even when started where SIGINT was ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    settings = get_settings()
    configure_logging(settings.log_level)
    if settings.admin_token is None:
        settings = settings.model_copy(update={"admin_token": f"adm_{secrets.token_urlsafe(24)}"})
    if settings.queue_pass_secret is None:  # every ingress process must sign with the same one
        settings = settings.model_copy(update={"queue_pass_secret": secrets.token_urlsafe(32)})
    log_dir = settings.devstack_dir / "logs" / "app"
    state_file = log_dir / "restarts.json"
    state_file.unlink(missing_ok=True)  # counts of an earlier run
    settings = settings.model_copy(update={"supervisor_state_file": state_file})
    started_stack = stack.up(settings=settings)
    system = None
    try:
        with console.status("creating the schema and topics"):
            bootstrap(settings)
        with console.status("starting workers and the ingress"):
            system = start_system(settings, log_dir, analytics=True)
            supervisor = Supervisor(system, state_file)
        with console.status("seeding demo data"):
            demo = seed(system.base_url, settings.admin_token or "")
        console.print(f"\n[bold green]Evently is serving {system.base_url}[/]  (Ctrl-C stops it)")
        console.print(f"admin token: {settings.admin_token}")
        console.print(f"demo customer token: {demo['customers'][0]['token']}")
        console.print(f"dashboard: {system.base_url}/dashboard?token={settings.admin_token}")
        console.print(f"logs: {log_dir}\n\nTry:\n{curl_examples(system.base_url, demo)}\n")
        supervisor.run()
    except CrashLoop as loop:
        console.print(f"[red]stopping: {loop}; the end of {log_dir / loop.name}.log:[/]")
        console.print(loop.tail, markup=False, highlight=False)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        console.print("\nstopping")
    finally:
        # A second Ctrl-C (or SIGTERM) must not cut the stop short and orphan the processes.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if system is not None:
            system.stop()
        if started_stack:
            stack.down(started_stack, settings=settings)


if __name__ == "__main__":
    main()
