"""Errors raised while reading landing files."""

from __future__ import annotations


class BadFileError(Exception):
    """A file that cannot be loaded as it stands; the loader quarantines it.

    Attributes:
        file: Landing key of the file.
        reason: What is wrong.
        line: 1-based line of the file (text formats) or record number (Parquet, JSON), when known.
        column: The offending column or JSON field, when known.
    """

    def __init__(self, file: str, reason: str, line: int | None = None, column: str | None = None) -> None:
        self.file = file
        self.reason = reason
        self.line = line
        self.column = column
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """``<file>: line N, column C: reason``, leaving out what is not known."""
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return ": ".join([", ".join(where), self.reason])
