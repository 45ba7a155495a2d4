"""The value maps and the pieces around them: stored names and values both read, anything else
refused; timestamps, source addresses, generations; progress only on a terminal."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.enums import AssetStatus, HopStatus, MissionStatus, ToolExecutionStatus
from server.importer.accounts import resource_configs
from server.importer.context import Context
from server.importer.report import Progress
from server.importer.sources import SourceError, detect_generation, parse_source_url
from server.importer.values import (
    ASSET_STATUS,
    HOP_STATUS_A,
    HOP_STATUS_B,
    MISSION_STATUS,
    STEP_STATUS_A,
    STEP_STATUS_B,
    ValueProblem,
    convert,
    parse_time,
    user_uuid,
)
from server.tools.registry import get_registry
from server.workflow.secrets import decrypt_value


@pytest.mark.parametrize(
    ("raw", "table", "expected"),
    [
        ("PENDING", MISSION_STATUS, MissionStatus.AWAITING_APPROVAL),
        ("active", MISSION_STATUS, MissionStatus.IN_PROGRESS),
        ("complete", MISSION_STATUS, MissionStatus.COMPLETED),
        ("hop_ready_to_resolve", HOP_STATUS_A, HopStatus.HOP_PLAN_READY),
        ("hop_running", HOP_STATUS_A, HopStatus.FAILED),
        ("EXECUTING", HOP_STATUS_B, HopStatus.FAILED),
        ("HOP_IMPL_STARTED", HOP_STATUS_B, HopStatus.HOP_IMPL_STARTED),
        ("pending", STEP_STATUS_A, ToolExecutionStatus.AWAITING_CONFIGURATION),
        ("READY_TO_CONFIGURE", STEP_STATUS_B, ToolExecutionStatus.AWAITING_CONFIGURATION),
        ("proposed", ASSET_STATUS, AssetStatus.AWAITING_APPROVAL),
        ("IN_PROGRESS", ASSET_STATUS, AssetStatus.PROCESSING),
    ],
)
def test_stored_names_and_values_map_as_the_table_says(raw, table, expected):
    assert convert("status", raw, table) is expected


@pytest.mark.parametrize("raw", ["Active", "on_hold", "", None, 3, "awaiting_configuration"])
def test_anything_else_is_refused_not_guessed(raw):
    with pytest.raises(ValueProblem):
        convert("status", raw, STEP_STATUS_B if raw == "awaiting_configuration" else MISSION_STATUS)


def test_timestamps_empty_naive_and_aware():
    assert parse_time("", "t") is None and parse_time(None, "t") is None
    assert parse_time("0000-00-00 00:00:00", "t") is None
    assert parse_time("2024-05-01 10:00:00", "t") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert parse_time("2024-05-01T12:00:00+02:00", "t") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    with pytest.raises(ValueProblem):
        parse_time("yesterday", "t")


def test_user_ids_are_the_same_on_every_run():
    assert user_uuid(7) == user_uuid(7) != user_uuid(8)


def test_source_addresses_and_their_identity_without_credentials():
    url = parse_source_url("mysql://admin:s3cret@db.internal:3307/legacy")
    assert (url.scheme, url.host, url.port, url.user, url.password, url.database) == (
        "mysql",
        "db.internal",
        3307,
        "admin",
        "s3cret",
        "legacy",
    )
    assert url.identity == "mysql://db.internal:3307/legacy" and "s3cret" not in url.identity
    assert parse_source_url("postgresql://u@h/db").port == 5432
    assert parse_source_url("sqlite:////tmp/old.db").identity == "sqlite:////tmp/old.db"
    assert parse_source_url("sqlite:///old.db").path == str(Path("old.db").resolve())
    for bad in ("ftp://x/y", "mysql://host", "sqlite://"):
        with pytest.raises(SourceError):
            parse_source_url(bad)


def test_generations_are_told_apart_by_their_tables():
    a = {"users", "assets", "resource_credentials", "missions", "tool_executions"}
    b = a - {"tool_executions"} | {"mission_assets", "hop_assets", "hops", "tool_steps", "chats"}
    b |= {"user_sessions", "chat_messages"}
    assert detect_generation(a) == "A" and detect_generation(b) == "B"
    with pytest.raises(SourceError, match="found invoices, users"):
        detect_generation({"users", "invoices"})


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_only():
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = Progress(stream, interval=0)
        progress.update("missions", 5, 10)
        progress.finish()
    assert "importing missions: 5/10" in terminal.getvalue()
    assert pipe.getvalue() == ""


def test_a_step_configuration_takes_the_credential_with_secrets_encrypted():
    ctx = Context.__new__(Context)
    ctx.credentials = {7: {"search_provider": {"base_url": "http://127.0.0.1:9", "api_key": "k-1", "extra": "x"}}}
    ctx.encrypted = {}
    ctx.connections = {}
    tool = get_registry().get("web_search")
    stored = {"search_provider": {"values": {"timeout_seconds": 5}, "secrets": {}}}
    configs = resource_configs(ctx, 7, tool, ["search_provider"], stored)
    entry = configs["search_provider"]
    assert entry["values"] == {"base_url": "http://127.0.0.1:9", "timeout_seconds": 5}
    assert set(entry["secrets"]) == {"api_key", "extra"}  # undeclared fields are kept secret
    assert decrypt_value(entry["secrets"]["api_key"]) == "k-1" and "k-1" not in str(configs)
    assert resource_configs(ctx, 8, tool, ["search_provider"]) == {}
