"""One import, start to end: open the source, recognise its generation, and convert it into
the app's database inside one write transaction that is rolled back unless the run is a
real one that met no problem (or was told to skip them)."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator

from server.database import write_transaction
from server.importer.accounts import import_credentials, import_users
from server.importer.context import Context
from server.importer.generation_a import import_generation_a
from server.importer.generation_b import import_generation_b
from server.importer.ledger import Target, ledger_ready
from server.importer.report import ImportReport, Progress
from server.importer.sources import SourceError, detect_generation, open_source, parse_source_url
from server.settings import get_settings


class _RollBack(Exception):
    """Raised inside the transaction to undo everything (dry run, or problems)."""


class TargetNotReady(Exception):
    """The app's database cannot be reached, or lacks the tables an import needs (its
    migrations were not applied)."""


async def import_legacy(
    *, source_url: str, dry_run: bool = False, skip_invalid: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import an earlier database into the app's database; returns the report. Nothing is
    written when `dry_run` is set, or when a row cannot be converted and `skip_invalid` is
    not. Raises SourceError (bad URL, no connection, not an earlier database) and
    TargetNotReady before anything is read."""
    started = time.monotonic()
    url = parse_source_url(source_url)
    try:
        ready = await ledger_ready()
    except Exception as exc:
        text = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        raise TargetNotReady(f"cannot use the app's database: {text}") from None
    if not ready:
        raise TargetNotReady("the database is not migrated: run `python -m server migrate` first")
    source = open_source(url)
    await source.open()
    report = ImportReport(source=url.identity, dry_run=dry_run, skip_invalid=skip_invalid)
    progress = progress or Progress()
    try:
        report.generation = detect_generation(await source.tables())
        target = Target(source=url.identity, write=not dry_run)
        ctx = Context(
            source=source,
            target=target,
            report=report,
            skip_invalid=skip_invalid,
            batch_size=max(1, get_settings().importer.batch_size),
            progress=progress,
        )
        try:
            with _collector_paused():
                async with write_transaction():
                    await target.start()
                    await _convert(ctx)
                    if dry_run or not target.write:
                        raise _RollBack()
        except _RollBack:
            pass
    finally:
        progress.finish()
        await source.close()
    report.written = not dry_run and ctx.target.write and report.imported_rows > 0
    if report.problems and not skip_invalid:
        report.outcome = "refused"
    elif dry_run:
        report.outcome = "dry_run"
    elif report.imported_rows == 0:
        report.outcome = "nothing_new"
    else:
        report.outcome = "imported"
    report.elapsed_seconds = round(time.monotonic() - started, 3)
    return report


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the run: with a batch's many young containers
    alive it runs again and again and rescans them, a third of an import's time. Each batch
    collects the young generations itself instead (`Context.submit`), so memory stays bounded."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def _convert(ctx: Context) -> None:
    try:
        source_users = await import_users(ctx)
        await import_credentials(ctx, source_users)
        if ctx.report.generation == "A":
            await import_generation_a(ctx, source_users)
        else:
            await import_generation_b(ctx, source_users)
        await ctx.drain()
    except BaseException:
        await ctx.abandon()  # a batch still being written must stop before the rollback
        raise


__all__ = ["SourceError", "TargetNotReady", "import_legacy"]
