"""A room's runs as a table, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import pandas as pd

from core.rooms.settings import SETTINGS
from core.rooms.store import RunRecord


def run_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """One flat dict per run: who, which round, every setting, the progress figures."""
    rows = []
    for r in records:
        row: dict[str, Any] = {"run": r.id, "student": r.student_id, "nickname": r.nickname,
                               "round": r.round_name}
        row.update({name: r.settings.get(name) for name in SETTINGS})
        row.update({"episodes": r.episodes, "last-100 mean": round(r.mean_last100, 1),
                    "episodes to 195": r.to_195, "episodes to 475": r.to_475,
                    "finished": r.finished})
        rows.append(row)
    return rows


def run_table(records: list[RunRecord]) -> pd.DataFrame:
    """The runs as a data frame (nullable integers for 'not reached')."""
    frame = pd.DataFrame(run_rows(records), columns=_columns())
    for column in ("episodes to 195", "episodes to 475"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _columns() -> list[str]:
    return ["run", "student", "nickname", "round", *SETTINGS, "episodes", "last-100 mean",
            "episodes to 195", "episodes to 475", "finished"]


def to_csv(records: list[RunRecord]) -> str:
    """The runs table as CSV (empty cells: not reached). Text a spreadsheet would run as a
    formula (starting with = + - @) is prefixed with a quote."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_columns())
    for row in run_rows(records):
        writer.writerow([_cell(row[column]) for column in _columns()])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    text = str(value)
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def to_json(code: str, records: list[RunRecord]) -> str:
    """The room's runs with their thinned curves, as JSON."""
    return json.dumps({
        "room": code,
        "runs": [{**row, "curve": [[e, v] for e, v in r.curve]}
                 for row, r in zip(run_rows(records), records, strict=True)],
    }, indent=1)
