"""Benchmark: the assistant's streaming latency and its own overhead per turn.

A real server process (uvicorn) talks to the local OpenAI-compatible model server of the
tests (in this process, on 127.0.0.1), and this process reads the page's event stream
(`GET /api/events`) like a browser does. Each turn streams 60 tokens, 4 ms apart (and, to
see the queueing, a set of turns whose 60 tokens come all at once).

- Token latency: from a token leaving the model server (written to its socket) to its
  `tokens` event arriving on the event stream. Target: median under 50 ms on localhost.
- Overhead per turn, model time excluded: from posting the user's message to the turn's
  `turn_ended` event, minus the time the model server spent on the request (from receiving
  it to its last byte). It covers the message's storage, the turn's slot, reading the
  session and building the context, passing every token on, storing the reply, and the
  HTTP and event-stream hops. Target: median under 20 ms. Measured for chatting turns, and
  for turns that propose a mission (the transition, its status message and card included).

    .venv/bin/python tests/bench/bench_assistant.py [--engine sqlite|postgres|both]
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import common

EMAIL = "bench-assistant@example.com"
TURNS = 30
TOKENS = 60
GAP_SECONDS = 0.004
PIECE = re.compile(r"t\d{4}-\d{3} ")


class EventReader:
    """The event stream of the signed-in user, with the arrival time of every chat event."""

    def __init__(self) -> None:
        self.token_arrivals: dict[str, float] = {}
        self.ended: dict[str, tuple[float, dict]] = {}
        self.changed = asyncio.Event()

    async def read(self, client) -> None:
        kind = None
        async with client.stream("GET", "/api/events", headers={"accept": "text/event-stream"}) as response:
            async for line in response.aiter_lines():
                now = time.perf_counter()
                if line.startswith("event:"):
                    kind = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and kind == "chat":
                    event = json.loads(line.split(":", 1)[1])
                    if event["type"] == "tokens":  # one event may carry several pieces (a burst)
                        for piece in PIECE.findall(event["text"]):
                            self.token_arrivals[piece] = now
                    elif event["type"] == "turn_ended":
                        self.ended[event["session_id"]] = (now, event)
                        self.changed.set()
                elif not line:
                    kind = None

    async def turn_end(self, session_id: str, timeout: float = 30.0) -> float:
        async with asyncio.timeout(timeout):
            while session_id not in self.ended:
                self.changed.clear()
                await self.changed.wait()
        return self.ended[session_id][0]


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def main(engine_name: str) -> None:
    import httpx

    from tests.assistant.designer import mission_arguments
    from tests.assistant.model_server import Call, ModelServer, Reply

    with common.bench_database(engine_name) as env:
        await common.migrate()
        from server.database import engine

        db = engine()
        await db.start_connection_pool()
        await common.create_user(EMAIL)
        await db.close_connection_pool()
        model = ModelServer().start()
        env = {**env, "LLM_BASE_URL": model.base_url, "LLM_API_KEY": "bench-key", "LLM_MODEL": "bench"}
        with common.server_process(env) as base:
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                signed = await client.post("/api/auth/sign-in", json={"email": EMAIL, "password": common.PASSWORD})
                signed.raise_for_status()
                client.headers["x-csrf-token"] = signed.json()["csrf_token"]
                reader = EventReader()
                reading = asyncio.create_task(reader.read(client))
                await asyncio.sleep(0.5)  # subscribed
                try:
                    chat = await turns(client, reader, model, lambda run: Reply(text=tokens(run), delay=GAP_SECONDS))
                    paced = latencies(model, reader)
                    model.sent.clear()
                    burst = await turns(client, reader, model, lambda run: Reply(text=tokens(run + 1000)))
                    bursts = latencies(model, reader)
                    arguments = mission_arguments({"messages": [{"role": "user", "content": "x"}]})
                    proposing = await turns(
                        client,
                        reader,
                        model,
                        lambda run: Reply(
                            text=tokens(run + 2000), calls=[Call("propose_mission", arguments)], delay=GAP_SECONDS
                        ),
                    )
                finally:
                    reading.cancel()
        model.stop()
    print(f"\n{engine_name}: {TURNS} turns of {TOKENS} tokens each per kind (a first turn of each kind not counted)")
    for label, values, note in (
        (f"tokens {GAP_SECONDS * 1000:g} ms apart", paced, "target < 50 ms"),
        ("tokens all at once (a burst)", bursts, "each waits for those before it"),
    ):
        print(
            f"  token, model server -> event stream, {label}: median {statistics.median(values):.2f} ms, "
            f"p90 {pct(values, 90):.2f} ms, max {max(values):.2f} ms ({len(values)} tokens)   {note}"
        )
    for label, overheads in (("chatting", chat), ("chatting, burst", burst), ("proposing a mission", proposing)):
        print(
            f"  overhead per turn, {label}: median {statistics.median(overheads):.2f} ms, "
            f"p90 {pct(overheads, 90):.2f} ms   target < 20 ms"
        )


def latencies(model, reader: EventReader) -> list[float]:
    """Per token (ms): written by the model server -> its event read from the stream."""
    arrivals = reader.token_arrivals
    return [(arrivals[text] - sent) * 1000 for text, sent in model.sent if text in arrivals]


def tokens(run: int) -> list[str]:
    return [f"t{run:04d}-{index:03d} " for index in range(TOKENS)]


async def turns(client, reader: EventReader, model, reply_for) -> list[float]:
    """Overheads (ms) of TURNS turns, each in a new session, after one warm-up turn."""
    overheads: list[float] = []
    for run in range(TURNS + 1):
        session = (await client.post("/api/sessions", json={"name": f"bench {run}"})).json()
        model.script(reply_for(run))
        done = len(model.timings)
        started = time.perf_counter()
        posted = await client.post(
            f"/api/sessions/{session['id']}/messages", json={"role": "user", "content": "rank my records"}
        )
        posted.raise_for_status()
        ended = await reader.turn_end(session["id"])
        assert reader.ended[session["id"]][1]["outcome"] == "answered", reader.ended[session["id"]]
        received, finished = model.timings[done]
        if run:
            overheads.append(((ended - started) - (finished - received)) * 1000)
    return overheads


if __name__ == "__main__":
    engines = common.engines_from_args(__doc__ or "")
    common.run_per_engine(__file__, engines, main)
