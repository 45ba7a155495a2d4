"""Benchmark: `python -m server import-legacy` of a generation-A database of 10,000 missions,
each with 5 hops of 3 tool steps and their assets, from the local MariaDB into a new
PostgreSQL database. Prints the rows read and written, the elapsed time of the import and
the peak memory (RSS) of the import process. Target: under 60 s, with memory bounded (the
source is read in batches of IMPORT_BATCH_SIZE missions).

    .venv/bin/python tests/bench/bench_import.py [--missions N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import asyncpg  # noqa: E402

from tests.legacy_builders import generation_a  # noqa: E402
from tests.legacy_fixtures import drop_mariadb, write_mariadb  # noqa: E402

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ROOT = Path(__file__).resolve().parents[2]


def cli(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run the command line; (result, elapsed seconds, peak RSS of the child in MiB)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "server", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result, elapsed, peak


async def main(missions: int) -> None:
    started = time.perf_counter()
    data = generation_a(seed=7, missions=missions, messy=False, hops=5, steps=3)
    rows = sum(len(table) for table in data.tables.values())
    source_db = f"legacy_bench_{uuid.uuid4().hex[:8]}"
    target_db = f"missions_bench_{uuid.uuid4().hex[:8]}"
    url = await write_mariadb(data, source_db)
    print(f"source: {missions} missions, {rows} rows in MariaDB ({time.perf_counter() - started:.1f} s to write)")
    del data
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
        await drop_mariadb(source_db)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missions", type=int, default=10_000)
    asyncio.run(main(parser.parse_args().missions))
