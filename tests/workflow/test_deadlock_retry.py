"""A transition that PostgreSQL aborted to break a deadlock runs again; other errors do not."""

from __future__ import annotations

import pytest

from server.workflow.transitions.unit import RETRIES_AFTER_DEADLOCK, retry_on_deadlock


class Aborted(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


async def test_a_deadlocked_transition_runs_again_until_it_commits():
    calls = []

    @retry_on_deadlock
    async def transition(*, value: int) -> int:
        calls.append(value)
        if len(calls) < 3:
            raise Aborted("40P01")
        return value * 2

    assert await transition(value=21) == 42
    assert calls == [21, 21, 21]


async def test_retries_are_bounded_and_other_errors_pass_through():
    calls = 0

    @retry_on_deadlock
    async def always_deadlocked() -> None:
        nonlocal calls
        calls += 1
        raise Aborted("40001")

    with pytest.raises(Aborted):
        await always_deadlocked()
    assert calls == RETRIES_AFTER_DEADLOCK + 1

    @retry_on_deadlock
    async def refused() -> None:
        nonlocal calls
        calls += 1
        raise Aborted("23505")  # a unique violation is an answer, not a reason to retry

    calls = 0
    with pytest.raises(Aborted):
        await refused()
    assert calls == 1
