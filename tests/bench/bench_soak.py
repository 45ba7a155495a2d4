"""Benchmark: a 60 s mixed soak at 32 connections against one uvicorn process.

wrk drives a mix of 63% reads (a mission with 10 hops x 4 steps, its hops, the session list,
the asset list) and 37% writes (new sessions, chat messages, renames), every request signed in
with its CSRF header, through all the middleware (limits, security headers). Prints the
latency percentiles, the requests/s, any failed answer, and the server's resident memory
after the warm-up and at the end (it must not grow). Targets: p99 under 500 ms on SQLite; no
memory growth after warm-up on either engine. BENCH_PRIORITY=1 (as root) runs the server and
wrk ahead of other work on the machine.

    [BENCH_PRIORITY=1] .venv/bin/python tests/bench/bench_soak.py [--engine sqlite|postgres|both] [--seconds 60]
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import common

EMAIL = "bench-soak@example.com"
CONNECTIONS = 32
SECONDS = int(os.environ.get("SOAK_SECONDS", "60"))
WARMUP_SECONDS = int(os.environ.get("SOAK_WARMUP_SECONDS", "15"))
PRIORITY = -10
SCRIPT = """
local cookie = "{cookie}"
local csrf = "{csrf}"
local headers = {{["Cookie"] = cookie, ["X-CSRF-Token"] = csrf, ["Content-Type"] = "application/json"}}
local counter = 0
request = function()
  counter = counter + 1
  local r = counter % 100
  if r < 12 then
    return wrk.format("POST", "/api/sessions", headers, '{{"name": "soak"}}')
  elseif r < 27 then
    return wrk.format("POST", "/api/sessions/{session}/messages", headers, '{{"role": "user", "content": "soak"}}')
  elseif r < 37 then
    return wrk.format("PATCH", "/api/sessions/{session}", headers, '{{"name": "soak ' .. r .. '"}}')
  elseif r < 67 then
    return wrk.format("GET", "/api/missions/{mission}", headers)
  elseif r < 80 then
    return wrk.format("GET", "/api/missions/{mission}/hops?limit=20", headers)
  elseif r < 90 then
    return wrk.format("GET", "/api/sessions?limit=20", headers)
  else
    return wrk.format("GET", "/api/assets?mission_id={mission}&limit=50", headers)
  end
end
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def raise_priority(pid: int) -> None:
    for task in Path(f"/proc/{pid}/task").iterdir():
        os.setpriority(os.PRIO_PROCESS, int(task.name), PRIORITY)


def sample_memory(pid: int, samples: list[tuple[float, float]], stop: threading.Event) -> None:
    started = time.monotonic()
    while not stop.is_set():
        samples.append((time.monotonic() - started, rss_mb(pid)))
        stop.wait(1.0)


def run_wrk(base: str, script: Path, prioritized: bool) -> str:
    command = [common.ensure_wrk(), f"-c{CONNECTIONS}", "-t2", f"-d{SECONDS}s", "--timeout", "10s", "--latency"]
    command += ["-s", str(script), base]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if prioritized:
        raise_priority(process.pid)
    output, _ = process.communicate()
    return output


def figure(output: str, label: str) -> str:
    match = re.search(rf"^\s+{re.escape(label)}\s+(\S+)", output, re.M)
    return match.group(1) if match else "?"


async def main(engine_name: str) -> None:
    import httpx

    prioritized = os.environ.get("BENCH_PRIORITY") == "1"
    with common.bench_database(engine_name) as env:
        await common.migrate()
        user_id = await common.create_user(EMAIL)
        mission = await common.build_mission(user_id)
        with common.server_process(env) as base:
            pid = common._SERVER_PIDS[base]
            if prioritized:
                raise_priority(pid)
            with httpx.Client(base_url=base, timeout=30) as client:
                signed = client.post("/api/auth/sign-in", json={"email": EMAIL, "password": common.PASSWORD})
                signed.raise_for_status()
                csrf = signed.json()["csrf_token"]
                cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
                client.headers["x-csrf-token"] = csrf
                session = client.post("/api/sessions", json={"name": "soak"}).json()["id"]
            script = Path(tempfile.mkstemp(suffix=".lua")[1])
            script.write_text(SCRIPT.format(cookie=cookie, csrf=csrf, session=session, mission=mission.id))
            check = subprocess.run(
                [common.ensure_wrk(), "-c1", "-t1", "-d1s", "-s", str(script), base], capture_output=True
            )
            if check.returncode or b"Non-2xx" in check.stdout or check.stderr:
                raise SystemExit(f"the request script does not run cleanly: {check.stdout!r} {check.stderr!r}")
            samples: list[tuple[float, float]] = []
            stop = threading.Event()
            sampler = threading.Thread(target=sample_memory, args=(pid, samples, stop), daemon=True)
            sampler.start()
            try:
                output = run_wrk(base, script, prioritized)
            finally:
                stop.set()
                sampler.join()
                script.unlink(missing_ok=True)
            log = common.server_log(base, 20)
    after_warmup = [mb for at, mb in samples if at >= WARMUP_SECONDS]
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    print(
        f"Mixed soak on {engine_name}: {SECONDS} s, {CONNECTIONS} connections, 37% writes "
        f"(load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores{', nice ' + str(PRIORITY) if prioritized else ''})"
    )
    print(
        f"  latency p50 {figure(output, '50%')}  p90 {figure(output, '90%')}  p99 {figure(output, '99%')}   "
        f"{rate.group(1) if rate else '?'} requests/s   failed answers: {failed.group(1) if failed else 0}"
    )
    if after_warmup:
        growth = after_warmup[-1] - after_warmup[0]
        print(
            f"  server memory: {samples[0][1]:.0f} MB at start, {after_warmup[0]:.0f} MB after {WARMUP_SECONDS} s, "
            f"{after_warmup[-1]:.0f} MB at the end (growth after warm-up {growth:+.1f} MB, "
            f"peak {max(after_warmup):.0f} MB)"
        )
        # Growth in each third of the time after warm-up: a cache filling up grows less in each,
        # a leak the same in each.
        thirds = [after_warmup[len(after_warmup) * i // 3] for i in range(3)] + [after_warmup[-1]]
        steps = "  ".join(f"{b - a:+.1f}" for a, b in zip(thirds, thirds[1:], strict=False))
        print(f"  growth in each third after warm-up: {steps} MB")
    if "Socket errors" in output or failed:
        print(output)
        print(log)


if __name__ == "__main__":
    common.run_per_engine(__file__, common.engines_from_args(__doc__ or ""), main)
