"""All or nothing: problems without --skip-invalid, a dry run and a failure halfway write
nothing; a second run writes nothing and says so; imported users sign in with their earlier
password, whose bcrypt hash is then replaced by this project's own."""

from __future__ import annotations

from typing import Any

import pytest

from server.importer.ledger import Target
from server.importer.run import import_legacy
from server.importer.tables import ImportLedgerEntry
from server.users.tables import User
from tests.builders import count_rows
from tests.importer.test_generation_a import signed_in
from tests.legacy_builders import PASSWORD, generation_a, generation_b
from tests.legacy_fixtures import LegacyData


async def everything() -> dict[str, int]:
    return {**await count_rows(), "ledger": await ImportLedgerEntry.count().run()}


@pytest.mark.parametrize("make", [generation_a, generation_b], ids=["A", "B"])
async def test_problems_without_skip_invalid_write_nothing(app, sqlite_source, make: Any):
    data: LegacyData = make()
    before = await everything()
    report = await import_legacy(source_url=sqlite_source(data))
    assert report.outcome == "refused" and not report.written
    assert {(p.table, p.id) for p in report.problems} == data.expect["problems"]
    assert await everything() == before


async def test_a_dry_run_reports_everything_and_writes_nothing(app, sqlite_source):
    data = generation_a(missions=4)
    url = sqlite_source(data)
    before = await everything()
    dry = await import_legacy(source_url=url, dry_run=True, skip_invalid=True)
    assert dry.outcome == "dry_run" and await everything() == before
    real = await import_legacy(source_url=url, skip_invalid=True)
    assert real.outcome == "imported"
    assert {k: v.imported for k, v in dry.counts.items()} == {k: v.imported for k, v in real.counts.items()}


async def test_a_second_run_writes_nothing_and_says_so(app, sqlite_source):
    url = sqlite_source(generation_b())
    first = await import_legacy(source_url=url, skip_invalid=True)
    after_first = await everything()
    second = await import_legacy(source_url=url, skip_invalid=True)
    assert second.outcome == "nothing_new" and second.imported_rows == 0
    assert await everything() == after_first
    assert {k: v.already_present for k, v in second.counts.items()} == {k: v.imported for k, v in first.counts.items()}


async def test_a_failure_halfway_leaves_the_database_unchanged(app, sqlite_source, monkeypatch, settings_env):
    url = sqlite_source(generation_a(missions=12, messy=False))
    settings_env(IMPORT_BATCH_SIZE="3")
    calls = {"n": 0}
    original = Target.insert

    async def failing(self: Target, table: Any, rows: list[dict[str, Any]]) -> None:
        calls["n"] += 1
        if calls["n"] == 25:  # the third batch of missions, its rows half written
            raise RuntimeError("disk full")
        await original(self, table, rows)

    monkeypatch.setattr(Target, "insert", failing)
    before = await everything()
    with pytest.raises(RuntimeError, match="disk full"):
        await import_legacy(source_url=url)
    assert calls["n"] == 25
    assert await everything() == before


async def test_an_imported_user_signs_in_with_the_old_password_and_the_hash_is_upgraded(app, anon, sqlite_source):
    data = generation_b()
    await import_legacy(source_url=sqlite_source(data), skip_invalid=True)
    email = data.expect["users"][min(data.expect["users"])]
    stored = await User.select(User.password_hash).where(User.email == email).first().run()
    assert stored["password_hash"].startswith("$2b$")
    wrong = await anon.post("/api/auth/sign-in", json={"email": email, "password": "not it at all"})
    assert wrong.status_code == 401
    client = await signed_in(app, email)
    await client.aclose()
    upgraded = await User.select(User.password_hash).where(User.email == email).first().run()
    assert upgraded["password_hash"].startswith("$argon2")
    again = await anon.post("/api/auth/sign-in", json={"email": email, "password": PASSWORD})
    assert again.status_code == 200
    unknown = await anon.post("/api/auth/sign-in", json={"email": "nobody-here@example.com", "password": PASSWORD})
    assert unknown.status_code == 401
