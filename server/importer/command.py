"""`python -m server import-legacy SOURCE_URL [--dry-run] [--skip-invalid] [--report FILE]`.

Exit codes: 0 done (or nothing new), 1 problems (nothing written), 2 usage or connection
error. Every failure is one line on standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from server.importer.report import ImportReport, render, to_json
from server.importer.run import SourceError, TargetNotReady, import_legacy

DONE, PROBLEMS, USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source_url", metavar="SOURCE_URL", help="mysql://user:password@host:port/db, ...")
    parser.add_argument("--dry-run", action="store_true", help="print the full report and write nothing")
    parser.add_argument(
        "--skip-invalid", action="store_true", help="skip rows that cannot be converted (and what depends on them)"
    )
    parser.add_argument("--report", metavar="FILE", type=Path, help="also write the report as JSON to FILE")


async def _run(args: argparse.Namespace) -> ImportReport:
    # No connection pool: the import holds one connection, its transaction's, from start to end.
    return await import_legacy(source_url=args.source_url, dry_run=args.dry_run, skip_invalid=args.skip_invalid)


def run(args: argparse.Namespace) -> int:
    """Run the command; the exit code."""
    try:
        report = asyncio.run(_run(args))
    except (SourceError, TargetNotReady) as exc:
        print(f"import-legacy: {exc}", file=sys.stderr)
        return USAGE
    except OSError as exc:
        print(f"import-legacy: cannot reach a database: {exc}", file=sys.stderr)
        return USAGE
    except Exception as exc:
        text = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        print(f"import-legacy: the import failed and nothing was written: {text}", file=sys.stderr)
        return PROBLEMS
    print(render(report))
    if args.report is not None:
        try:
            args.report.write_bytes(to_json(report))
        except OSError as exc:
            print(f"import-legacy: cannot write the report: {exc}", file=sys.stderr)
            return USAGE
    return PROBLEMS if report.outcome == "refused" else DONE
