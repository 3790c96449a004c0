"""Errors the dev stack reports to its user, each with its CLI exit code."""

from __future__ import annotations


class DevstackError(Exception):
    """A failure with a message meant for the user and a process exit code."""

    exit_code: int = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        """The user-facing text."""
        return str(self.args[0])


class ToolMissingError(DevstackError):
    """A required program (java, mvn) is not installed."""

    exit_code = 2


class PortBusyError(DevstackError):
    """A port the service needs is held by a process that is not ours."""

    exit_code = 3


class StartError(DevstackError):
    """A JVM died during start or was not ready in time."""

    exit_code = 4


class NotReachableError(DevstackError):
    """A service configured on another host does not answer (we never start remote ones)."""

    exit_code = 5
