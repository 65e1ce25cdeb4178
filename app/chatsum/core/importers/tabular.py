"""Streaming CSV reading shared by the WeChat CSV importers and generic CSV.

Every CSV importer needs the same care: find the header, give each row the
line it starts on (rows may span lines), skip rows whose width does not match
the header with a counted warning, and tell a malformed or truncated file from
a merely untidy one. A broken quote anywhere, or a last row cut short, means
the file is not a complete export: that raises `ImportFormatError` naming the
line. Rows are read one at a time with a one-row lookahead so the last row can
be recognised.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass

from chatsum.core.importers.base import Entry, ParseReport, format_error, open_text

csv.field_size_limit(64 * 1024 * 1024)

DELIMITERS = (",", "\t", ";", "|")


def normalize_header(name: str) -> str:
    """`Created At`, `created_at` and `CreatedAt` compare equal."""
    return "".join(ch for ch in name.strip().lstrip("\ufeff").lower() if ch not in " _-.")


def sniff_header(text: str) -> tuple[list[str], str] | None:
    """The header row of a CSV sample and its delimiter, or None.

    The delimiter that splits the first non-empty line into the most fields wins.
    """
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        return None
    best: tuple[list[str], str] | None = None
    for delimiter in DELIMITERS:
        try:
            fields = next(csv.reader([first], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        if len(fields) >= 2 and (best is None or len(fields) > len(best[0])):
            best = ([field.strip() for field in fields], delimiter)
    return best


@dataclass(frozen=True)
class TableRow:
    line: int
    fields: list[str]


class CsvTable:
    """A CSV file read row by row after its header (read eagerly on creation)."""

    def __init__(self, entry: Entry, report: ParseReport, delimiter: str = ",") -> None:
        self.entry = entry
        self.report = report
        self.delimiter = delimiter
        first = next(self._raw_rows(), None)
        if first is None:
            raise format_error(entry, "line 1", "expected a CSV header row")
        self.header = [field.strip().lstrip("\ufeff") for field in first.fields]

    def rows(self) -> Iterator[TableRow]:
        """Data rows of the right width; raises when the file is cut short."""
        pending: TableRow | None = None
        raw = self._raw_rows()
        next(raw, None)  # the header
        for row in raw:
            if pending is not None:
                yield from self._checked(pending)
            pending = row
        if pending is not None:
            if len(pending.fields) < len(self.header):
                raise format_error(
                    self.entry,
                    f"line {pending.line}",
                    f"the last row has {len(pending.fields)} of {len(self.header)} columns; "
                    "the file looks truncated",
                )
            yield from self._checked(pending)

    def _raw_rows(self) -> Iterator[TableRow]:
        start = 1
        with open_text(self.entry) as handle:
            reader = csv.reader(handle, delimiter=self.delimiter, strict=True)
            try:
                for fields in reader:
                    row = TableRow(start, fields)
                    start = reader.line_num + 1
                    if any(field.strip() for field in fields):
                        yield row
            except csv.Error as exc:
                problem = (
                    "the file ends inside a quoted field; it looks truncated"
                    if "end of data" in str(exc)
                    else f"malformed CSV ({exc}); expected quoted fields to be closed"
                )
                raise format_error(self.entry, f"line {start}", problem) from exc

    def _checked(self, row: TableRow) -> Iterator[TableRow]:
        if len(row.fields) == len(self.header):
            yield row
            return
        self.report.warn(
            "csv-row-width",
            "rows whose number of columns differs from the header were skipped",
            f"line {row.line}: {len(row.fields)} columns, expected {len(self.header)}",
        )

    def column(self, *names: str) -> int | None:
        """Index of the first header matching any of `names` (normalized), or None."""
        wanted = [normalize_header(name) for name in names]
        normalized = [normalize_header(name) for name in self.header]
        for name in wanted:
            if name in normalized:
                return normalized.index(name)
        return None
