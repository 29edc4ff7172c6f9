"""One root error for everything c2hunt reports to a user, carrying where the problem is."""

from __future__ import annotations


class C2HuntError(Exception):
    """Root of c2hunt's errors. `where` names the file and, when known, the record or line."""

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class InputError(C2HuntError):
    """An input path cannot be opened or read at all."""


class RecordError(C2HuntError):
    """One record cannot be used; it is counted as rejected with this reason."""

    def __init__(self, reason: str, message: str, where: str | None = None) -> None:
        super().__init__(message, where)
        self.reason = reason


class RuleError(C2HuntError):
    """A rule, knowledge or tuning file is malformed; `where` is `path:line`."""


class ExportError(C2HuntError):
    """A detection cannot be written for the requested target."""
