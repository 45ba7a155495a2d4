"""What an import did: counts per entity, every problem row, notes, and progress on a terminal.

The report never holds a secret value: problems and notes name resource ids and field
names only.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

import msgspec

ENTITIES = (
    "users",
    "resource_credentials",
    "chats",
    "chat_messages",
    "missions",
    "hops",
    "tool_steps",
    "tool_executions",
    "assets",
    "mission_assets",
    "hop_assets",
    "user_sessions",
)
"""Every entity an import counts, in the order the report lists them."""


class EntityCounts(msgspec.Struct, kw_only=True):
    """Rows of one entity: read from the source, imported, found already imported by an
    earlier run, skipped (invalid, or depending on a skipped row)."""

    read: int = 0
    imported: int = 0
    already_present: int = 0
    skipped: int = 0


class Problem(msgspec.Struct, kw_only=True):
    """A source row that cannot be converted (it fails the run unless `--skip-invalid`)."""

    table: str
    id: str
    reason: str


class Note(msgspec.Struct, kw_only=True):
    """A source row converted with a change worth knowing (an empty timestamp replaced, a
    dangling reference dropped)."""

    table: str
    id: str
    note: str


class ImportReport(msgspec.Struct, kw_only=True):
    """The whole report, as `--report FILE` writes it."""

    source: str
    generation: str | None = None
    dry_run: bool = False
    skip_invalid: bool = False
    outcome: str = ""
    """`imported`, `nothing_new`, `dry_run` or `refused` (problems; nothing written)."""
    written: bool = False
    counts: dict[str, EntityCounts] = {}
    problems: list[Problem] = []
    notes: list[Note] = []
    elapsed_seconds: float = 0.0

    def entity(self, name: str) -> EntityCounts:
        counts = self.counts.get(name)
        if counts is None:
            counts = self.counts[name] = EntityCounts()
        return counts

    def problem(self, table: str, row_id: object, reason: str) -> None:
        self.problems.append(Problem(table=table, id=str(row_id), reason=reason))

    def note(self, table: str, row_id: object, text: str) -> None:
        self.notes.append(Note(table=table, id=str(row_id), note=text))

    @property
    def imported_rows(self) -> int:
        return sum(c.imported for c in self.counts.values())

    @property
    def present_rows(self) -> int:
        return sum(c.already_present for c in self.counts.values())


_OUTCOMES = {
    "imported": "Imported: {imported} rows written.",
    "nothing_new": "Nothing new: every row was already imported from this source; nothing written.",
    "dry_run": "Dry run: {imported} rows would be written; nothing written.",
    "refused": "Problems found: nothing written. Fix the rows above or run again with --skip-invalid.",
}


def render(report: ImportReport) -> str:
    """The report as text for the terminal."""
    lines = [f"Source: {report.source} (generation {report.generation or '?'})"]
    width = max((len(name) for name in report.counts), default=8)
    lines.append(f"  {'entity':<{width}}  {'read':>8}  {'imported':>8}  {'present':>8}  {'skipped':>8}")
    for name in ENTITIES:
        c = report.counts.get(name)
        if c is None:
            continue
        lines.append(f"  {name:<{width}}  {c.read:>8}  {c.imported:>8}  {c.already_present:>8}  {c.skipped:>8}")
    if report.problems:
        lines.append(f"Problems ({len(report.problems)}):")
        lines.extend(f"  {p.table} {p.id}: {p.reason}" for p in report.problems)
    if report.notes:
        lines.append(f"Notes ({len(report.notes)}):")
        lines.extend(f"  {n.table} {n.id}: {n.note}" for n in report.notes)
    if report.skip_invalid and report.problems and report.outcome in ("imported", "dry_run", "nothing_new"):
        lines.append(f"Skipped the {len(report.problems)} problem rows above and the rows that depend on them.")
    template = _OUTCOMES.get(report.outcome)
    if template:
        lines.append(template.format(imported=report.imported_rows))
    lines.append(f"Took {report.elapsed_seconds:.1f} s.")
    return "\n".join(lines)


def to_json(report: ImportReport) -> bytes:
    """The report as JSON (`--report FILE`)."""
    return msgspec.json.format(msgspec.json.encode(report), indent=2) + b"\n"


class Progress:
    """A one-line progress counter on standard error, only when it is a terminal."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.2) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = self._stream.isatty()
        self._interval = interval
        self._last = 0.0
        self._shown = False

    def update(self, what: str, done: int, total: int | None) -> None:
        if not self._enabled:
            return
        at = time.monotonic()
        if at - self._last < self._interval and (total is None or done < total):
            return
        self._last = at
        of = f"/{total}" if total is not None else ""
        self._stream.write(f"\r\x1b[2K  importing {what}: {done}{of}")
        self._stream.flush()
        self._shown = True

    def finish(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[2K")
            self._stream.flush()
            self._shown = False
