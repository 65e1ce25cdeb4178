"""Role-aware structured extraction from customer-service group chats.

Sales and support groups mix staff and customers; this package turns each
customer into a record of a schema (the built-in 客户线索 / customer lead, or a
user's JSON Schema / YAML field list), every value tied to the messages that
say it. The steps live in small modules, in the order a run uses them:

    roles.py         who is staff, who is a customer (heuristics, then the model)
    pieces.py        long chats cut by tokens; local message numbers [n]
    prompting.py     the prompt and the JSON schema each reply is held to
    grounding.py     citations → stored ids; unsupported values dropped;
                     contact.py checks phones and e-mails verbatim
    merging.py       one record per customer (later wins, lists union)
    saved.py         results and role overrides in SQLite (m004_extraction)
    export.py        JSON and CSV with message ids
    evaluation.py    `chatsum eval extract`: scores against expected records

Public API (what the CLI and the desktop app use):

    extract_records(db_path, generator, conversation_id, schema="lead",
                    roles_override=None, since_ms=None, until_ms=None, cancel=None)
        -> Generator[Progress, None, ExtractionResult]
        Progress generator (drive it in a worker; every yield is a cancel
        point). `schema` is a Schema or "lead" or a schema file path;
        `roles_override` maps participant names to "staff" / "customer" /
        "other" for this run. The result is stored (replacing the previous
        run of the same schema on the conversation) and returned, `run_id` set.

    detect_roles(db_path, conversation_id, generator=None, roles_override=None,
                 since_ms=None, until_ms=None, cancel=None) -> list[RoleAssignment]
        Roles with score, reasons and source (heuristic / model / user), most
        staff-like first. Without a generator it is instant (heuristics only).

    save_roles(db_path, conversation_id, {name: "staff" | "customer" | "other" | None})
        Store the user's roles for the conversation (None clears one); later
        detection and extraction use them.

    load_extraction(db_path, conversation_id, schema_id="lead") -> ExtractionResult | None
        The stored result, for showing without running the model.

    resolve_schema("lead" | path) -> Schema;  lead_schema() -> Schema
    result_as_dict(result, english=False) -> dict;  write_csv(result, stream, english=False)
    write_file(result, path, "json" | "csv", english=False)  (the app's and CLI's files)

An `ExtractionResult` holds `records` (one `CustomerRecord` per customer, its
`cells` in schema order; each `Cell` has `values`, each `Value` a `text` and the
`message_ids` it came from — `Store.messages_by_ids` resolves them), `roles`,
`dropped` (values that failed a check, with the reason), and `stats` (pieces,
model calls, schema-valid rate, tokens, seconds). Field display names for the
English interface are `Field.display_en`; values are never translated.
"""

from chatsum.core.pipelines.extracting.export import (
    csv_headers,
    result_as_dict,
    write_csv,
    write_file,
)
from chatsum.core.pipelines.extracting.lead import LEAD_SCHEMA_ID, lead_schema
from chatsum.core.pipelines.extracting.pipeline import (
    detect_roles,
    extract_records,
    load_extraction,
    save_roles,
)
from chatsum.core.pipelines.extracting.records import (
    Cell,
    CustomerRecord,
    DroppedValue,
    ExtractionResult,
    ExtractionStats,
    Role,
    RoleAssignment,
    RoleSource,
    Value,
)
from chatsum.core.pipelines.extracting.schema import Field, FieldKind, Grounding, Schema
from chatsum.core.pipelines.extracting.schema_files import resolve_schema

__all__ = [
    "LEAD_SCHEMA_ID",
    "Cell",
    "CustomerRecord",
    "DroppedValue",
    "ExtractionResult",
    "ExtractionStats",
    "Field",
    "FieldKind",
    "Grounding",
    "Role",
    "RoleAssignment",
    "RoleSource",
    "Schema",
    "Value",
    "csv_headers",
    "detect_roles",
    "extract_records",
    "lead_schema",
    "load_extraction",
    "resolve_schema",
    "result_as_dict",
    "save_roles",
    "write_csv",
    "write_file",
]
