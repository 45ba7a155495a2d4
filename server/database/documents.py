"""Reading a whole document in one statement.

The read paths that return a tree of Structs (a mission with its hops and steps) ask the
database for one JSON document built by the database's own JSON functions, and decode it
with msgspec straight into Structs: one round trip, no row objects, no per-cell
conversion in Python. The SQL is written once per engine from the Table classes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from piccolo.columns import JSON, JSONB, Boolean, Column, Float, Integer, Timestamptz
from piccolo.engine.base import Engine
from piccolo.querystring import QueryString
from piccolo.table import Table

_NAMED_PARAMETER = re.compile(r"(?<![:\w]):([a-z_]+)\b")


class Statement:
    """A raw SQL statement per engine with named parameters (`:name`), run through the
    engine (so inside the current transaction, if any, and counted by query logging)."""

    def __init__(self, sql: dict[str, str]) -> None:
        self._compiled: dict[str, tuple[str, tuple[str, ...]]] = {}
        for engine_type, text in sql.items():
            if "{" in text or "}" in text:
                raise ValueError("Piccolo's query strings take every brace for a parameter")
            names = tuple(_NAMED_PARAMETER.findall(text))
            template = _NAMED_PARAMETER.sub("{}", text)
            self._compiled[engine_type] = (template, names)

    def sql(self, engine_type: str) -> str:
        return self._compiled[engine_type][0]

    async def fetch_value(self, db: Engine[Any], **parameters: Any) -> Any:
        """The first column of the first row (None when there is no row)."""
        template, names = self._compiled[db.engine_type]
        rows = await db.run_querystring(QueryString(template, *[parameters[name] for name in names]))
        if not rows:
            return None
        row = rows[0]
        return next(iter(row.values())) if isinstance(row, dict) else row[0]


class JsonSql:
    """SQL expressions that build JSON text in the database, for one engine (`sqlite` or
    `postgres`).

    Values come out as msgspec decodes them into the Structs: UUIDs and enum values as
    strings, JSON columns embedded as JSON, booleans as true/false, timestamps as RFC 3339
    text with their UTC offset. On PostgreSQL the JSON functions build the document. On
    SQLite (3.40: JSON functions re-parse their JSON arguments at every level) it is
    concatenated as text: every piece is JSON text already (JSON columns hold what msgspec
    wrote), so nothing is parsed twice, and no piece may be NULL.
    """

    def __init__(self, engine_type: str) -> None:
        self.sqlite = engine_type == "sqlite"

    def column(self, column: Column, alias: str) -> str:
        """A column's value as JSON."""
        name = f'{alias}."{column._meta.db_column_name}"'
        if not self.sqlite:
            return name
        if isinstance(column, (JSON, JSONB)):
            return f"coalesce({name}, 'null')"
        if isinstance(column, Boolean):
            return f"CASE {name} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END"
        if isinstance(column, (Integer, Float)):
            return f"coalesce({name}, 'null')"
        if isinstance(column, Timestamptz):
            # Stored as text in UTC; rows written by a database default lack the offset.
            return (
                f"json_quote(CASE WHEN {name} LIKE '%+__:__' OR {name} LIKE '%Z' THEN {name} ELSE {name} || "
                "'+00:00' END)"
            )
        return f"json_quote({name})"

    def filter_column(self, column: str) -> str:
        """A column compared in a WHERE clause without offering its index to SQLite's planner
        (unary +), for a condition that only re-checks rows found through another index."""
        return f"+{column}" if self.sqlite else column

    def object(self, items: dict[str, str]) -> str:
        """A JSON object from names (plain identifiers) to JSON-valued SQL expressions."""
        if not self.sqlite:
            return "json_build_object(" + ", ".join(f"'{key}', {value}" for key, value in items.items()) + ")"
        if not items:
            return "json_object()"
        parts = " || ',' || ".join(f"'\"{key}\":' || {value}" for key, value in items.items())
        return f"(char(123) || {parts} || char(125))"  # braces spelled out: Piccolo reads {} as a parameter

    def row(
        self,
        table: type[Table],
        alias: str,
        *,
        exclude: Iterable[str] = ("user_id",),
        replace: dict[str, str] | None = None,
    ) -> str:
        """A JSON object of a row's columns by name, leaving out `exclude`; `replace` gives
        some keys another JSON-valued SQL expression."""
        replace = replace or {}
        skipped = set(exclude)
        items = {
            c._meta.name: replace.get(c._meta.name) or self.column(c, alias)
            for c in table._meta.columns
            if c._meta.name not in skipped
        }
        return self.object(items)

    def array(self, *values: str) -> str:
        """A JSON array of JSON-valued SQL expressions (a tuple on the Python side)."""
        if not self.sqlite:
            return f"json_build_array({', '.join(values)})"
        return "('[' || " + " || ',' || ".join(values) + " || ']')"

    def empty_object(self) -> str:
        return "json_object()" if self.sqlite else "json_build_object()"

    def aggregate(self, element: str, from_where: str, order_by: list[str]) -> str:
        """A JSON array of `element` over the rows of `from_where` (`FROM ... WHERE ...`), in
        the order of `order_by` (expressions, each optionally followed by ASC or DESC)."""
        order = ", ".join(order_by)
        if self.sqlite:
            # An aggregate over an ordered subquery takes its rows in that order (SQLite never
            # flattens an ordered subquery into an aggregate).
            return (
                f"(SELECT '[' || coalesce(group_concat(e, ','), '') || ']' FROM (SELECT {element} AS e "
                f"{from_where} ORDER BY {order}))"
            )
        return f"(SELECT coalesce(json_agg({element} ORDER BY {order}), '[]'::json) {from_where})"

    def scalar(self, select: str) -> str:
        """A JSON value from a scalar subquery (`SELECT x FROM ...`); null when it finds no row."""
        return f"coalesce(({select}), 'null')" if self.sqlite else f"({select})"

    def document(self, items: dict[str, str]) -> str:
        """The statement returning one row with one column: the JSON document as text."""
        if self.sqlite:
            return f"SELECT {self.object(items)} AS doc"
        return f"SELECT {self.object(items)}::text AS doc"


def json_statement(build: Callable[[JsonSql], str]) -> Statement:
    """A Statement written once for both engines: `build(JsonSql)` returns its SQL."""
    return Statement({engine_type: build(JsonSql(engine_type)) for engine_type in ("sqlite", "postgres")})
