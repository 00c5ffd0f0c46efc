"""The mapping seeds, checked before a run: attribution keys, teams, key types and gateway identities.

These CSVs decide who pays for what. A mistake in them (a key type misspelt, a team that does not exist, two
rows of one key valid on the same day) would otherwise show up after the loads as a failed dbt test, or not
at all: spend moved to ``Unallocated`` or counted under two teams. ``aicost run`` checks them first and stops
with every error found, each naming the file, the line and the row's values. The dbt tests of the seeds
(``seeds/_seeds.yml``) state the same rules for runs started elsewhere (the Dagster UI, a schedule).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.config import DBT_PROJECT_DIR

KEYS = "attribution_keys.csv"
TEAMS = "teams.csv"
KEY_TYPES = "attribution_key_types.csv"
GATEWAY_IDENTITIES = "gateway_identities.csv"
APPLIES_TO = ("bill", "request", "both")
# Key types whose values are written name=value (the name of a field, attribute or cost category, its value).
NAME_VALUE_KEY_TYPES = frozenset({"litellm_metadata", "otel_resource_attribute", "aws_cost_category"})
OPEN = "open"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AWS_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True)
class _Layout:
    """The columns of one seed: those the models read (required), those they may lack, and those never empty."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    not_empty: tuple[str, ...]


_LAYOUTS = {
    KEY_TYPES: _Layout(
        ("key_type", "precedence", "applies_to"), ("description",), ("key_type", "precedence", "applies_to")
    ),
    TEAMS: _Layout(
        ("team", "team_name", "cost_centre_id", "cost_centre_name", "valid_from", "valid_to"),
        (),
        ("team", "cost_centre_id", "valid_from"),
    ),
    KEYS: _Layout(
        ("key_type", "key_value", "team", "application", "environment", "cost_centre_id", "valid_from", "valid_to"),
        ("description",),
        ("key_type", "key_value", "team", "valid_from"),
    ),
    GATEWAY_IDENTITIES: _Layout(
        ("gateway", "aws_account_id", "iam_role_name"), ("description",), ("gateway", "iam_role_name")
    ),
}


@dataclass(frozen=True)
class MappingError:
    """One thing wrong in a mapping seed.

    Attributes:
        file: The seed, as ``<seeds folder name>/<file name>``.
        line: 1-based line of the file (1 is the header); None when the file itself is missing.
        message: What is wrong, ending with the row's values.
    """

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def shown(self) -> str:
        """The row's values (the free-text description left out), as errors quote them."""
        return "(" + ", ".join(f"{k}={v}" for k, v in self.values.items() if k != "description") + ")"


def seeds_dir() -> Path:
    """The folder dbt reads seeds from: the first ``seed-paths`` entry of ``dbt_project.yml``."""
    import yaml  # dbt-core's own dependency

    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return (DBT_PROJECT_DIR / project.get("seed-paths", ["seeds"])[0]).resolve()


def validate_mappings(folder: Path | None = None) -> list[MappingError]:
    """Checks the mapping seeds and returns every error found (none when they are valid).

    Args:
        folder: Seeds folder; defaults to the dbt project's (``seeds_dir()``).

    Returns:
        The errors, file by file in the order the files are read (key types, teams, keys, gateway identities).
    """
    checker = _Checker(folder or seeds_dir())
    return checker.run()


def render_errors(errors: list[MappingError]) -> str:
    """A report of the errors: a heading, one line each, and what to do (last, where a log tail shows it)."""
    files = sorted({e.file for e in errors})
    return "\n".join(
        [
            f"The mapping seeds are invalid ({len(errors)} error(s)); nothing was loaded or built:",
            *(f"  {e}" for e in errors),
            f"Fix {', '.join(files)} and run again (`aicost run` checks them before every run).",
        ]
    )


class _Checker:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.errors: list[MappingError] = []
        self.cost_centres: set[str] = set()

    def run(self) -> list[MappingError]:
        key_types = self._key_types(self._read(KEY_TYPES))
        teams = self._teams(self._read(TEAMS))
        self._keys(self._read(KEYS), key_types, teams)
        if (self.folder / GATEWAY_IDENTITIES).exists():
            self._gateway_identities(self._read(GATEWAY_IDENTITIES))
        return self.errors

    # --- reading ---

    def _name(self, file: str) -> str:
        return f"{self.folder.name}/{file}"

    def _error(self, file: str, line: int | None, message: str) -> None:
        self.errors.append(MappingError(self._name(file), line, message))

    def _read(self, file: str) -> list[_Row]:
        """The file's rows with their line numbers; header and row-shape errors are recorded on the way."""
        path = self.folder / file
        if not path.is_file():
            self._error(file, None, "file not found")
            return []
        layout = _LAYOUTS[file]
        with path.open(encoding="utf-8-sig", newline="") as handle:  # a BOM (Excel) is not part of a name
            reader = csv.reader(handle)
            header = next(reader, [])
            unknown = [c for c in header if c not in layout.required + layout.optional]
            missing = [c for c in layout.required if c not in header]
            if unknown:
                expected = ", ".join(layout.required + layout.optional)
                self._error(file, 1, f"unknown column(s) {', '.join(unknown)} (the columns are {expected})")
            if missing:
                self._error(file, 1, f"missing column(s) {', '.join(missing)}")
            if unknown or missing:
                return []
            rows = []
            for values in reader:
                if not any(v.strip() for v in values):
                    continue
                row = _Row(reader.line_num, dict(zip(header, values, strict=False)))
                if len(values) != len(header):
                    self._error(file, row.line, f"{len(values)} values for {len(header)} columns {row.shown()}")
                    continue
                if self._cells_ok(file, row, layout):
                    rows.append(row)
        return rows

    def _cells_ok(self, file: str, row: _Row, layout: _Layout) -> bool:
        ok = True
        for column, value in row.values.items():
            if column in layout.not_empty and not value.strip():
                self._error(file, row.line, f"{column} is empty {row.shown()}")
                ok = False
            elif column != "description" and value != value.strip():
                self._error(file, row.line, f"{column} '{value}' has leading or trailing spaces {row.shown()}")
                ok = False
        return ok

    def _validity(self, file: str, row: _Row) -> tuple[date, date | None] | None:
        """The row's [valid_from, valid_to) (None for an open end), or None after recording why it is bad."""
        bounds = []
        for column in ("valid_from", "valid_to"):
            text = row[column]
            if column == "valid_to" and text == "":
                bounds.append(None)
                continue
            try:
                if not _DATE.fullmatch(text):
                    raise ValueError
                bounds.append(date.fromisoformat(text))
            except ValueError:
                self._error(file, row.line, f"{column} '{text}' is not a date (YYYY-MM-DD) {row.shown()}")
                return None
        valid_from, valid_to = bounds
        if valid_to is not None and valid_to <= valid_from:
            self._error(file, row.line, f"valid_to {valid_to} is not after valid_from {valid_from} {row.shown()}")
            return None
        return valid_from, valid_to

    def _no_overlaps(self, file: str, dated: list[tuple[_Row, tuple[date, date | None]]], key: tuple[str, ...]) -> None:
        """Records rows of the same key whose validity overlaps an earlier row's (a duplicate when they start together)."""
        by_key: dict[tuple[str, ...], list[tuple[_Row, tuple[date, date | None]]]] = {}
        for row, validity in dated:
            by_key.setdefault(tuple(row[c] for c in key), []).append((row, validity))
        names = ", ".join(key)
        for rows in by_key.values():
            for i, (row, (start, end)) in enumerate(rows):
                for other, (other_start, other_end) in rows[:i]:
                    if start == other_start:
                        message = f"duplicate of line {other.line} (same {names} and valid_from)"
                    elif (end is None or other_start < end) and (other_end is None or start < other_end):
                        message = (
                            f"valid {start} to {end or OPEN} overlaps line {other.line} "
                            f"(valid {other_start} to {other_end or OPEN}) for the same {names}"
                        )
                    else:
                        continue
                    self._error(file, row.line, f"{message} {row.shown()}")
                    break

    # --- the files ---

    def _key_types(self, rows: list[_Row]) -> set[str]:
        seen: dict[str, _Row] = {}
        ranks: dict[int, _Row] = {}
        for row in rows:
            key_type, precedence = row["key_type"], row["precedence"]
            if key_type in seen:
                self._error(
                    KEY_TYPES, row.line, f"duplicate of line {seen[key_type].line} (same key_type) {row.shown()}"
                )
                continue
            seen[key_type] = row
            if row["applies_to"] not in APPLIES_TO:
                self._error(
                    KEY_TYPES, row.line, f"applies_to '{row['applies_to']}' is not bill, request or both {row.shown()}"
                )
            if not precedence.isdigit() or int(precedence) < 1:
                self._error(KEY_TYPES, row.line, f"precedence '{precedence}' is not a whole number >= 1 {row.shown()}")
            elif int(precedence) in ranks:
                other = ranks[int(precedence)]
                self._error(
                    KEY_TYPES,
                    row.line,
                    f"precedence {precedence} is also that of line {other.line} ({other['key_type']}): "
                    f"each key type needs its own rank {row.shown()}",
                )
            else:
                ranks[int(precedence)] = row
        return set(seen)

    def _teams(self, rows: list[_Row]) -> dict[str, list[tuple[date, date | None]]]:
        dated = [(row, validity) for row in rows if (validity := self._validity(TEAMS, row)) is not None]
        self._no_overlaps(TEAMS, dated, ("team",))
        teams: dict[str, list[tuple[date, date | None]]] = {row["team"]: [] for row in rows}
        for row, validity in dated:
            teams[row["team"]].append(validity)
        self.cost_centres = {row["cost_centre_id"] for row in rows}
        return teams

    def _keys(self, rows: list[_Row], key_types: set[str], teams: dict[str, list[tuple[date, date | None]]]) -> None:
        dated = []
        for row in rows:
            validity = self._validity(KEYS, row)
            for message in self._key_problems(row, validity, key_types, teams):
                self._error(KEYS, row.line, f"{message} {row.shown()}")
            if validity is not None:
                dated.append((row, validity))
        self._no_overlaps(KEYS, dated, ("key_type", "key_value"))

    def _key_problems(
        self,
        row: _Row,
        validity: tuple[date, date | None] | None,
        key_types: set[str],
        teams: dict[str, list[tuple[date, date | None]]],
    ) -> Iterator[str]:
        key_type, key_value, team = row["key_type"], row["key_value"], row["team"]
        if key_types and key_type not in key_types:
            yield f"unknown key_type '{key_type}' (not in {KEY_TYPES})"
        elif key_type in NAME_VALUE_KEY_TYPES and not re.fullmatch(r"[^=]+=.+", key_value):
            yield f"key_value '{key_value}' of key_type {key_type} is not written name=value"
        elif key_type == "aws_account" and not _AWS_ACCOUNT.fullmatch(key_value):
            yield f"key_value '{key_value}' of key_type aws_account is not 12 digits"
        elif key_type == "team" and key_value in teams:
            yield f"key_value '{key_value}' is a team of {TEAMS}, already a key of itself"
        if teams and team not in teams:
            yield f"team '{team}' is not in {TEAMS}"
        elif validity and team in teams and (uncovered := _first_uncovered_day(validity, teams[team])) is not None:
            yield f"team '{team}' has no row in {TEAMS} valid on {uncovered}"
        if row["cost_centre_id"] and self.cost_centres and row["cost_centre_id"] not in self.cost_centres:
            yield f"cost_centre_id '{row['cost_centre_id']}' is not a cost centre of {TEAMS}"

    def _gateway_identities(self, rows: list[_Row]) -> None:
        seen: dict[tuple[str, str], _Row] = {}
        for row in rows:
            account = row["aws_account_id"]
            if account and not _AWS_ACCOUNT.fullmatch(account):
                self._error(GATEWAY_IDENTITIES, row.line, f"aws_account_id '{account}' is not 12 digits {row.shown()}")
            key = (account, row["iam_role_name"])
            if key in seen:
                self._error(
                    GATEWAY_IDENTITIES,
                    row.line,
                    f"duplicate of line {seen[key].line} (same aws_account_id and iam_role_name) {row.shown()}",
                )
            seen.setdefault(key, row)


def _first_uncovered_day(validity: tuple[date, date | None], team_rows: list[tuple[date, date | None]]) -> date | None:
    """The first day of ``validity`` on which no team row applies, or None when they cover it all."""
    day, end = validity
    for start, stop in sorted(team_rows, key=lambda r: r[0]):
        if start > day:
            break
        if stop is None:
            return None
        day = max(day, stop)
        if end is not None and day >= end:
            return None
    return day
