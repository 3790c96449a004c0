"""`python -m infra.run`: the whole system in the foreground, with demo data, until Ctrl-C."""

from __future__ import annotations

import secrets
import signal
import time

from rich.console import Console

from devstack import stack
from infra.bootstrap import bootstrap
from infra.demo import curl_examples, seed
from infra.launch import start_system
from infra.logs import configure_logging
from infra.settings import get_settings

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
    started_stack = stack.up(settings=settings)
    system = None
    try:
        with console.status("creating the schema and topics"):
            bootstrap(settings)
        with console.status("starting workers and the ingress"):
            system = start_system(settings, settings.devstack_dir / "logs" / "app", analytics=True)
        with console.status("seeding demo data"):
            demo = seed(system.base_url, settings.admin_token or "")
        console.print(f"\n[bold green]Evently is serving {system.base_url}[/]  (Ctrl-C stops it)")
        console.print(f"admin token: {settings.admin_token}")
        console.print(f"demo customer token: {demo['customers'][0]['token']}")
        console.print(f"dashboard: {system.base_url}/dashboard?token={settings.admin_token}")
        console.print(f"logs: {system.log_dir}\n\nTry:\n{curl_examples(system.base_url, demo)}\n")
        while all(p.poll() is None for p in system.processes.values()):
            time.sleep(1.0)
        dead = [n for n, p in system.processes.items() if p.poll() is not None]
        console.print(f"[red]stopped: {', '.join(dead)} exited[/]")
        raise SystemExit(1)
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
