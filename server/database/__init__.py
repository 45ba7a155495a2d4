"""The database layer beneath the domains: engines (`engines`), the engine in use and its
transactions (`transactions`), row values (`rows`) and JSON documents built in SQL
(`documents`). Services import what they need from here."""

from server.database.documents import JsonSql, Statement, json_statement
from server.database.rows import (
    decode_json_fields,
    from_json,
    is_unique_violation,
    json_columns,
    now,
    to_json,
    to_struct,
)
from server.database.transactions import engine, for_update, is_sqlite, read_transaction, write_transaction

__all__ = [
    "JsonSql",
    "Statement",
    "decode_json_fields",
    "engine",
    "for_update",
    "from_json",
    "is_sqlite",
    "is_unique_violation",
    "json_columns",
    "json_statement",
    "now",
    "read_transaction",
    "to_json",
    "to_struct",
    "write_transaction",
]
