"""Extraction results as JSON and CSV, for the CLI and the app's export button.

Both keep provenance: JSON gives every field its value and the message ids it
came from (per item for lists); CSV puts a "message ids" column after each
field, since a spreadsheet has no other place for it. Headers use the schema's
field names, or their English display names; values are never translated.
List values are joined with "; " in CSV. Files meant for spreadsheets are
written with a UTF-8 byte order mark so Excel reads Chinese correctly.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, TextIO

from chatsum.core.pipelines.extracting.records import ExtractionResult
from chatsum.core.pipelines.extracting.schema import FieldKind

LIST_SEPARATOR = "; "


def result_as_dict(result: ExtractionResult, english: bool = False) -> dict[str, Any]:
    schema = result.schema
    records = []
    for record in result.records:
        fields: dict[str, Any] = {}
        for item in schema.fields:
            cell = record.cell(item.name)
            entry: dict[str, Any]
            if item.kind == FieldKind.LIST:
                entry = {"value": cell.texts, "message_ids": list(cell.message_ids)}
                entry["item_message_ids"] = [list(v.message_ids) for v in cell.values]
            else:
                value = cell.texts[0] if cell.texts else ""
                entry = {"value": value, "message_ids": list(cell.message_ids)}
            fields[item.display_en if english else item.name] = entry
        records.append(
            {"customer": record.customer, "participant_id": record.participant_id, "fields": fields}
        )
    return {
        "conversation_id": result.conversation_id,
        "schema": {
            "id": schema.id,
            "title": schema.title_en if english and schema.title_en else schema.title,
        },
        "model_id": result.model_id,
        "created_at": result.created_at,
        "since_ms": result.since_ms,
        "until_ms": result.until_ms,
        "roles": [role.as_dict() for role in result.roles],
        "records": records,
        "dropped": [d.__dict__ for d in result.dropped],
        "stats": result.stats.as_dict(),
    }


def csv_headers(result: ExtractionResult, english: bool = False) -> list[str]:
    headers = ["Customer" if english else "客户"]
    suffix = " (message ids)" if english else "（来源消息）"
    for item in result.schema.fields:
        name = item.display_en if english else item.name
        headers += [name, name + suffix]
    return headers


def csv_rows(result: ExtractionResult) -> list[list[str]]:
    rows = []
    for record in result.records:
        row = [record.customer]
        for item in result.schema.fields:
            cell = record.cell(item.name)
            row += [cell.display(LIST_SEPARATOR), " ".join(str(i) for i in cell.message_ids)]
        rows.append(row)
    return rows


def write_csv(result: ExtractionResult, stream: TextIO, english: bool = False) -> None:
    writer = csv.writer(stream)
    writer.writerow(csv_headers(result, english))
    writer.writerows(csv_rows(result))


def write_file(result: ExtractionResult, path: Path, fmt: str, english: bool = False) -> None:
    """Write `result` to `path` as "json" or "csv" (CSV with a BOM for spreadsheets)."""
    if fmt == "json":
        data = result_as_dict(result, english=english)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        write_csv(result, stream, english=english)
