"""Benchmark: `python -m server import-legacy` of a generation-A database of 10,000 missions,
each with 5 hops of 3 tool steps and their assets, from the local MariaDB into a new
PostgreSQL database. Prints the rows read and written, the elapsed time of the import and
the peak memory (RSS) of the import process. Target: under 60 s, with memory bounded (the
source is read in batches of IMPORT_BATCH_SIZE missions).

    .venv/bin/python tests/bench/bench_import.py [--missions N] [--source URL]

`--source` imports an existing database instead of generating one (it is kept).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import asyncpg  # noqa: E402

from tests.legacy_fixtures import drop_mariadb  # noqa: E402

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ROOT = Path(__file__).resolve().parents[2]


def _peak_kib(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), 0 once it has exited."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cli(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run the command line; (result, elapsed seconds, peak RSS of that process in MiB). The
    peak is read from the process itself while it runs: the parent's own memory (the
    generated source) must not count, as it would in `getrusage` of a forked child."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen([sys.executable, "-m", "server", *args], env=env, cwd=ROOT, stdout=out, stderr=err)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _peak_kib(process.pid))
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(process.args, process.returncode, out.read(), err.read())
    return result, elapsed, peak / 1024


def make_source(missions: int, database: str) -> str:
    """Generate and write the source in a process of its own, so this one stays small."""
    code = (
        "import asyncio, sys; sys.path.insert(0, sys.argv[3]); "
        "from tests.legacy_builders import generation_a; from tests.legacy_fixtures import write_mariadb; "
        "data = generation_a(seed=7, missions=int(sys.argv[1]), messy=False, hops=5, steps=3, "
        "scenarios=('hop_ready_to_execute', 'hop_running', 'all_hops_complete')); "
        "print(sum(len(t) for t in data.tables.values())); asyncio.run(write_mariadb(data, sys.argv[2]))"
    )
    made = subprocess.run(
        [sys.executable, "-c", code, str(missions), database, str(ROOT)], capture_output=True, text=True, check=True
    )
    return made.stdout.split()[0]


async def main(missions: int, source: str | None) -> None:
    started = time.perf_counter()
    source_db = None if source else f"legacy_bench_{uuid.uuid4().hex[:8]}"
    target_db = f"missions_bench_{uuid.uuid4().hex[:8]}"
    if source_db is not None:
        rows = make_source(missions, source_db)
        url = f"mysql://root:@127.0.0.1:3306/{source_db}"
        print(f"source: {missions} missions, {rows} rows in MariaDB ({time.perf_counter() - started:.1f} s to write)")
    else:
        url = str(source)
    admin = await asyncpg.connect(ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{target_db}"')
    env = {**os.environ, "DATABASE_URL": ADMIN_URL.rsplit("/", 1)[0] + f"/{target_db}"}
    env["DATA_DIR"] = tempfile.mkdtemp(prefix="bench-import-")
    try:
        migrate, _, _ = cli(env, "migrate")
        assert migrate.returncode == 0, migrate.stderr
        result, elapsed, peak = cli(env, "import-legacy", url)
        print(result.stdout.strip())
        if result.returncode != 0:
            print(result.stderr.strip())
            raise SystemExit(result.returncode)
        target = await asyncpg.connect(env["DATABASE_URL"])
        counts = {
            table: await target.fetchval(f'SELECT count(*) FROM "{table}"')
            for table in ("missions", "hops", "tool_steps", "assets", "mission_assets", "hop_assets", "import_ledger")
        }
        await target.close()
        print("target rows:", ", ".join(f"{table} {count}" for table, count in counts.items()))
        verdict = "meets" if elapsed < 60 else "MISSES"
        print(f"import: {elapsed:.1f} s, peak RSS {peak:.0f} MiB ({verdict} the 60 s target)")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{target_db}" WITH (FORCE)')
        await admin.close()
        if source_db is not None:
            await drop_mariadb(source_db)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missions", type=int, default=10_000)
    parser.add_argument("--source", help="an existing earlier database to import instead")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.missions, arguments.source))
