"""The archive schema, as an ordered list of named migrations.

New messages are added to the full-text index in bulk by the import writer
(a per-row trigger was measured 3x slower); deletes and text updates are kept
in sync by triggers, so the index is right even when rows are removed with a
plain SQLite client.

Append new migrations at the end with the next number (`m00N_what`); never
edit one that has shipped. Tables that hold derived data (summaries, answers,
index state) reference `conversations(id)` with ON DELETE CASCADE so that
forgetting a conversation removes everything derived from it.
"""

from __future__ import annotations

M001_CREATE_ARCHIVE = [
    """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        format TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        conversations INTEGER NOT NULL DEFAULT 0,
        participants INTEGER NOT NULL DEFAULT 0,
        messages_new INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        by_kind TEXT NOT NULL DEFAULT '{}',
        warnings TEXT NOT NULL DEFAULT '[]'
    )
    """,
    "CREATE INDEX sources_sha ON sources(sha256)",
    """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL,
        external_id TEXT,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        identity_key TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE participants (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL,
        identity TEXT NOT NULL,
        display_name TEXT NOT NULL,
        is_self INTEGER,
        UNIQUE(platform, identity)
    )
    """,
    """
    CREATE TABLE participant_names (
        participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        first_ts_ms INTEGER NOT NULL,
        last_ts_ms INTEGER NOT NULL,
        PRIMARY KEY (participant_id, name)
    )
    """,
    """
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        participant_id INTEGER REFERENCES participants(id),
        sender_name TEXT,
        ts_ms INTEGER NOT NULL,
        utc_offset_min INTEGER NOT NULL,
        offset_assumed INTEGER NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        media TEXT,
        external_id TEXT,
        reply_to_external_id TEXT,
        reply_to_id INTEGER,
        edited_ts_ms INTEGER,
        fingerprint INTEGER NOT NULL,
        source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL
    )
    """,
    "CREATE UNIQUE INDEX messages_fingerprint ON messages(conversation_id, fingerprint)",
    """CREATE UNIQUE INDEX messages_external ON messages(conversation_id, external_id)
       WHERE external_id IS NOT NULL""",
    "CREATE INDEX messages_conv_ts ON messages(conversation_id, ts_ms, id)",
    "CREATE VIRTUAL TABLE messages_fts USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')",
    """
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
    BEGIN
        DELETE FROM messages_fts WHERE rowid = old.id;
    END
    """,
    """
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
    BEGIN
        DELETE FROM messages_fts WHERE rowid = old.id;
        INSERT INTO messages_fts(rowid, body)
            SELECT new.id, chatsum_fts_body(new.text) WHERE new.text != '';
    END
    """,
    """
    CREATE TABLE source_conversations (
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        PRIMARY KEY (source_id, conversation_id)
    )
    """,
]

# (name, statements) in the order they are applied.
MIGRATIONS: list[tuple[str, list[str]]] = [
    ("m001_create_archive", M001_CREATE_ARCHIVE),
    (
        "m002_summaries",
        [
            # One cached summary per (conversation, scope, range, model, prompt,
            # options); `messages_hash` says which messages it was made from, so a
            # re-import that changes a day misses only the entries covering it.
            """
            CREATE TABLE summaries (
                id INTEGER PRIMARY KEY,
                conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                scope TEXT NOT NULL,
                since_ms INTEGER,
                until_ms INTEGER,
                model_id TEXT NOT NULL,
                prompt_version TEXT NOT NULL,
                options_key TEXT NOT NULL,
                messages_hash TEXT NOT NULL,
                created_at TEXT NOT NULL,
                body TEXT NOT NULL
            )
            """,
            """CREATE UNIQUE INDEX summaries_key ON summaries(
                   conversation_id, scope, IFNULL(since_ms, -1), IFNULL(until_ms, -1),
                   model_id, prompt_version, options_key)""",
        ],
    ),
    (
        "m003_index_state",
        [
            # The semantic index lives in Chroma; what it holds is recorded here.
            # `index_state` says which embedder built it (a different one means
            # a rebuild); chunks and their messages let indexing resume and stay
            # incremental; a message's home chunk is where a full-text hit lands.
            """
            CREATE TABLE index_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                archive_id TEXT NOT NULL,
                embedder_id TEXT,
                collection TEXT,
                chunking TEXT,
                updated_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE index_conversations (
                conversation_id INTEGER PRIMARY KEY
                    REFERENCES conversations(id) ON DELETE CASCADE,
                signature TEXT NOT NULL,
                chunk_count INTEGER NOT NULL,
                indexed_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE index_chunks (
                chunk_id TEXT PRIMARY KEY,
                conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                first_ts_ms INTEGER NOT NULL,
                last_ts_ms INTEGER NOT NULL,
                message_ids TEXT NOT NULL
            )
            """,
            "CREATE INDEX index_chunks_conversation ON index_chunks(conversation_id)",
            """
            CREATE TABLE index_chunk_messages (
                message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
                chunk_id TEXT NOT NULL REFERENCES index_chunks(chunk_id) ON DELETE CASCADE
            )
            """,
            "CREATE INDEX index_chunk_messages_chunk ON index_chunk_messages(chunk_id)",
            # Q&A sessions. A turn that cited a message disappears with it (the
            # trigger), so forgetting a conversation leaves no answer quoting it.
            """
            CREATE TABLE qa_sessions (
                id INTEGER PRIMARY KEY,
                title TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE qa_turns (
                id INTEGER PRIMARY KEY,
                session_id INTEGER NOT NULL REFERENCES qa_sessions(id) ON DELETE CASCADE,
                question TEXT NOT NULL,
                rewritten TEXT NOT NULL,
                outcome TEXT NOT NULL,
                answer TEXT NOT NULL,
                language TEXT NOT NULL,
                model_id TEXT NOT NULL,
                top_score REAL,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX qa_turns_session ON qa_turns(session_id, id)",
            """
            CREATE TABLE qa_citations (
                turn_id INTEGER NOT NULL REFERENCES qa_turns(id) ON DELETE CASCADE,
                message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                PRIMARY KEY (turn_id, message_id)
            )
            """,
            "CREATE INDEX qa_citations_message ON qa_citations(message_id)",
            """
            CREATE TRIGGER qa_citations_forget AFTER DELETE ON qa_citations
            BEGIN
                DELETE FROM qa_turns WHERE id = old.turn_id;
            END
            """,
        ],
    ),
    (
        "m004_extraction",
        [
            # Roles the user set per conversation (staff / customer / other);
            # detected roles are recomputed, only overrides are stored.
            """
            CREATE TABLE extraction_roles (
                conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('staff', 'customer', 'other')),
                updated_at TEXT NOT NULL,
                PRIMARY KEY (conversation_id, participant_id)
            )
            """,
            # The latest extraction per (conversation, schema): the schema is
            # stored with it so records stay readable if the schema file goes;
            # run ids are never reused, so a view holding one cannot be fooled.
            """
            CREATE TABLE extraction_runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                schema_id TEXT NOT NULL,
                schema_json TEXT NOT NULL,
                model_id TEXT NOT NULL,
                since_ms INTEGER,
                until_ms INTEGER,
                roles_json TEXT NOT NULL,
                stats_json TEXT NOT NULL,
                dropped_json TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX extraction_runs_conversation ON extraction_runs(conversation_id, schema_id)",
            # One row per customer; `cells_json` maps each field to its values,
            # every value with the message ids it came from.
            """
            CREATE TABLE extraction_records (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES extraction_runs(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                customer TEXT NOT NULL,
                participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
                cells_json TEXT NOT NULL
            )
            """,
            "CREATE INDEX extraction_records_run ON extraction_records(run_id, position)",
        ],
    ),
]
