"""`python -m codegen`: write the generated files.

python -m codegen            write frontend/src/api/*.gen.ts (and the tool models)
python -m codegen --check    exit 1 when a generated file would change or the layers disagree
python -m codegen --report   the cross-layer agreement report alone
python -m codegen --watch    regenerate whenever a server source file changes
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from watchfiles import PythonFilter


def _root() -> Path:
    # The project whose `server` package was imported: the current directory when run there.
    import server

    return Path(server.__file__).resolve().parent.parent


def write() -> list[Path]:
    from codegen.generate import generate

    root = _root()
    generated = generate()
    changed = []
    for relative, text in generated.files.items():
        path = root / relative
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(relative)
    return changed


def check(*, report_only: bool = False) -> int:
    from codegen.agreement import database_findings, drift_findings, format_report
    from codegen.drift import file_drift
    from codegen.generate import generate

    root = _root()
    generated = generate(include_tool_models=not report_only)
    drifts = []
    for relative, text in generated.files.items():
        path = root / relative
        committed = path.read_text(encoding="utf-8") if path.exists() else None
        drift = file_drift(relative, committed, text)
        if drift is not None:
            drifts.append(drift)
    out: list[str] = []
    if not report_only:
        for drift in drifts:
            breaking = sum(c.kind == "breaking" for c in drift.changes)
            out.append(
                f"{drift.path} is out of date ({len(drift.changes)} change{'s' if len(drift.changes) != 1 else ''}, "
                f"{breaking} breaking for the client):"
            )
            out.extend(f"  {change.line()}" for change in drift.changes)
            if not drift.changes and not drift.missing:
                out.append("  the text differs but every declaration agrees: edited by hand or reformatted")
            if drift.excerpt:
                out.append("  text diff (committed -> generated):")
                out.extend(f"    {line}" for line in drift.excerpt)
        if drifts:
            out.append("Run `python -m codegen` to regenerate, and commit the result.")
            out.append("")
    findings = database_findings(generated.modules) + drift_findings(drifts)
    out.extend(format_report(findings))
    print("\n".join(out))
    return 1 if drifts or findings else 0


def watch() -> int:
    from watchfiles import watch as watch_changes

    from codegen.generate import CLIENT_FILE, TYPES_FILE, tool_models_module

    root = _root()
    generated = {str((root / path).resolve()) for path in (TYPES_FILE, CLIENT_FILE)}
    tool_models = tool_models_module()
    if tool_models is not None:
        generated.add(str(Path(tool_models.OUTPUT).resolve()))
    print(f"watching {root / 'server'} and {root / 'codegen'} (Ctrl-C to stop)", flush=True)
    _regenerate_in_child()
    source_filter = _SourceFilter(ignore=generated)
    for changes in watch_changes(root / "server", root / "codegen", watch_filter=source_filter, raise_interrupt=False):
        names = sorted({Path(path).relative_to(root).as_posix() for _, path in changes})
        print(f"changed: {', '.join(names)}", flush=True)
        _regenerate_in_child()
    return 0


class _SourceFilter(PythonFilter):
    """Python sources and the tool specifications, but not the files the generator writes
    (which would wake it up again)."""

    def __init__(self, *, ignore: set[str]) -> None:
        super().__init__()
        self._generated = ignore

    def __call__(self, change, path: str) -> bool:  # type: ignore[no-untyped-def]
        if str(Path(path).resolve()) in self._generated:
            return False
        return path.endswith(".json") and "/specs/" in path or super().__call__(change, path)


def _regenerate_in_child() -> None:
    # A fresh interpreter each time: the edited modules are imported anew.
    import subprocess

    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "codegen"], cwd=_root(), capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode == 0:
        print(result.stdout.rstrip() or "no change", f"({elapsed:.2f} s)", flush=True)
    else:
        # Half-saved sources fail to import: say why and wait for the next save.
        print(
            result.stderr.rstrip().splitlines()[-1] if result.stderr.strip() else "failed",
            f"({elapsed:.2f} s)",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m codegen", description="Generate the TypeScript API types and client from the server."
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="exit 1 when a generated file is stale or the layers disagree"
    )
    mode.add_argument("--report", action="store_true", help="print the cross-layer agreement report")
    mode.add_argument("--watch", action="store_true", help="regenerate when a server source file changes")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.getcwd())
    if args.watch:
        return watch()
    from codegen.typescript import NameCollision, UnsupportedType

    try:
        if args.check or args.report:
            return check(report_only=args.report)
        changed = write()
    except (NameCollision, UnsupportedType) as error:
        # A schema the generator refuses: say which declaration, not a traceback.
        print(f"python -m codegen: {error}", file=sys.stderr)
        return 2
    print("\n".join(f"wrote {path}" for path in changed) or "generated files are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
