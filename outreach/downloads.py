"""Files people download: CSV for organisers, safe to open in a spreadsheet program and read as UTF-8 there, and
JSON (a person's own data)."""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response

# Spreadsheet programs run cells starting with these as formulas (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def csv_response(text: str, filename: str) -> Response:
    return Response(
        "\ufeff" + text,  # a byte-order mark so that spreadsheet programs read the UTF-8 names right
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def json_response(data: Any, filename: str) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
