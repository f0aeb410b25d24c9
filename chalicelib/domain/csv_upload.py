"""Reading an uploaded CSV (the SKM panel, the officer directory): the header checked, rows
numbered as a spreadsheet shows them (the header is row 1), names and values trimmed,
names lower-cased, and the file's size bounded. Problems are named by row in both
languages, so whoever uploads fixes the file once."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from chalicelib.domain.errors import FieldProblem, ValidationFailed


def row_problem(row: int, column: str, id_: str, en: str) -> FieldProblem:
    return FieldProblem(f"baris {row}: {column}", f"Baris {row}: {id_}", f"Row {row}: {en}")


def csv_rows(text: str, *, required: Iterable[str], columns: str, max_rows: int,
             too_long_id: str, too_long_en: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: value}) of each data row; ValidationFailed when the header
    lacks a `required` column (the message lists `columns`) or past `max_rows` rows."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if not header >= set(required):
        raise ValidationFailed.of([FieldProblem(
            "csv", f"Baris pertama CSV harus berisi kolom {columns}.",
            f"The CSV's first row must name the columns {columns}.")])
    for number, raw in enumerate(reader, start=2):
        if number - 1 > max_rows:
            raise ValidationFailed.of([FieldProblem("csv", too_long_id, too_long_en)])
        yield number, {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()
                       if isinstance(v, str)}
