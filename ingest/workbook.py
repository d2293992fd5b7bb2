"""Reading a worksheet's rows, the one way every XLSX reader does (sheets, lists, registers, systems).

A workbook's ``<dimension ref="A1:D2"/>`` claims the used range of a sheet. Excel keeps it
right, but a workbook written by another tool (or edited by a script) may leave it stale, and
openpyxl's read-only mode trusts it: the rows past the claimed end were silently lost (issue 14:
5 of 6 rows, exit 0). :func:`worksheet_rows` forgets the claim and reads to the sheet's real end.
"""
from __future__ import annotations

import warnings
from typing import Any, Iterator


def worksheet_rows(sheet, max_rows: int | None = None) -> Iterator[tuple[int, list[Any]]]:
    """(row number from 1, cell values) for every row of a read-only worksheet, to its real end.

    ``max_rows`` stops after that many rows. openpyxl's warnings about features it drops (data
    validation, default styles: nothing we read) are silenced while each row is read, never
    while the caller holds a row.
    """
    if hasattr(sheet, "reset_dimensions"):  # read-only worksheets; a normal one measures itself
        sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    number = 0
    while max_rows is None or number < max_rows:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = next(rows, None)
        if values is None:
            return
        number += 1
        yield number, list(values)
