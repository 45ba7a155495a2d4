"""Tool chain validation predicts the run (docs/tools.md, "Parameter values", "Paths into
items"): for every registered tool, literals that the check refuses are exactly ones the
executor's own conversion refuses when the step runs; paths in literals are checked against
the fields the asset declares."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
import pytest

from server.enums import AssetRole
from server.missions.schemas import ToolStepProposal
from server.schemas import SchemaDefinition
from server.tools.base import ToolContext, ToolError
from server.tools.registry import get_registry, run_tool
from server.workflow.parameter_checks import path_problem
from server.workflow.validation import ChainAsset, chain_errors
from tests.workflow.flow import RECORDS, asset_id, hop_in, mission_in_progress, mission_proposal, new_session, ok

ITEMS_ID = UUID("00000000-0000-4000-8000-000000000001")
ITEMS = [{"name": "a", "score": 1}]

# Tool id -> (valid parameters, as plain JSON, with `items` read from an asset when the tool
# has it; then the literals, one per case, that a step must not be allowed to pass).
CASES: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {
    "extract": (
        {"items": ITEMS, "fields": {"who": "name"}},
        [{"fields": {"who": 5}}, {"ignore_case": "yes"}, {"described_fields": {"who": ""}}, {"pattern": 7}],
    ),
    "filter": (
        {"items": ITEMS, "conditions": [{"path": "score", "op": "gt", "value": 0}]},
        [
            {"conditions": []},
            {"conditions": [{"path": "score", "op": "bigger", "value": 0}]},
            {"conditions": [{"op": "eq", "value": 1}]},
            {"match": "some"},
            # Conditions the handler itself refuses before reading an item:
            {"conditions": [{"path": "name", "op": "matches", "value": "(unclosed"}]},
            {"conditions": [{"path": "name", "op": "matches", "value": 3}]},
            {"conditions": [{"path": "name", "op": "in", "value": "a"}]},
            {"conditions": [{"path": "score", "op": "eq"}]},
        ],
    ),
    "group_reduce": (
        {"items": ITEMS, "key": "name"},
        [{"key": 5}, {"reductions": [{"name": "n", "op": "median"}]}, {"reductions": [{"op": "count"}]}],
    ),
    "sort": (
        {"items": ITEMS, "keys": [{"path": "score"}]},
        [{"keys": []}, {"keys": [{"path": "score", "descending": "yes"}]}, {"keys": [{"descending": True}]}],
    ),
    "summarize": ({"text": "One. Two. Three."}, [{"max_sentences": 0}, {"max_sentences": 51}, {"max_sentences": "3"}]),
    "web_retrieve": (
        {"urls": ["http://127.0.0.1:9/"]},
        [{"urls": []}, {"urls": [""]}, {"timeout_seconds": 0}, {"max_bytes": 0}, {"max_bytes": 1.5}],
    ),
    "web_search": ({"query": "tides"}, [{"query": ""}, {"max_results": 0}, {"max_results": 51}, {"query": ["a"]}]),
    "email_search": (
        {"folder": "INBOX"},
        [
            {"max_messages": 0},
            {"max_messages": 501},
            {"since": "yesterday"},
            {"senders": [""]},
            {"newer_than_hours": 0},
        ],
    ),
    "pubmed_search": (
        {"query": "tides"},
        [{"query": ""}, {"sort": "newest"}, {"max_results": 201}, {"min_date": "last week"}],
    ),
    "group_by": ({"items": ITEMS, "key": "name"}, [{"key": 5}, {"case_insensitive": "yes"}]),
    "summarize_groups": (
        {"groups": [{"key": "a", "items": [{"body": "One. Two."}]}]},
        [{"groups": [{"key": "a"}]}, {"max_sentences": 0}, {"max_text_chars": 100}, {"text_path": 5}],
    ),
    "newsletter_recap": (
        {"newsletters": [{"key": "a", "summary": "One."}]},
        [{"newsletters": [{"key": "a"}]}, {"day": "today"}, {"max_links": 51}, {"title": ""}],
    ),
}
FLAT = [(tool_id, bad) for tool_id, (_, bads) in CASES.items() for bad in bads]


def item_schema(fields: dict[str, Any] | None = None) -> SchemaDefinition:
    return msgspec.convert({"type": "object", "is_array": True, "fields": fields}, SchemaDefinition)


def visible(schema: SchemaDefinition) -> dict[UUID, ChainAsset]:
    return {
        ITEMS_ID: ChainAsset(
            id=ITEMS_ID, name="Records", schema_definition=schema, hop_role=AssetRole.INPUT, available_at_start=True
        )
    }


def step(tool_id: str, parameters: dict[str, Any]) -> ToolStepProposal:
    mapping = {
        name: {"type": "asset_field", "state_asset": str(ITEMS_ID)}
        if name == "items"
        else {"type": "literal", "value": value}
        for name, value in parameters.items()
    }
    return msgspec.convert(
        {"tool_id": tool_id, "name": "Work", "parameter_mapping": mapping, "result_mapping": {}}, ToolStepProposal
    )


def errors_of(tool_id: str, parameters: dict[str, Any], schema: SchemaDefinition | None = None):
    tools = get_registry().specs()
    return chain_errors(steps=[step(tool_id, parameters)], tools=tools, assets=visible(schema or item_schema()))


def test_every_registered_tool_has_a_table_of_refused_literals():
    assert set(CASES) == set(get_registry().specs())


@pytest.mark.parametrize("tool_id", sorted(CASES))
def test_valid_literals_pass_the_check(tool_id):
    good, _ = CASES[tool_id]
    assert errors_of(tool_id, good) == []


@pytest.mark.parametrize(("tool_id", "bad"), FLAT, ids=[f"{t}-{'-'.join(b)}-{i}" for i, (t, b) in enumerate(FLAT)])
async def test_a_literal_the_check_refuses_would_have_failed_the_step(tool_id, bad):
    good, _ = CASES[tool_id]
    parameters = {**good, **bad}
    [name] = bad
    errors = errors_of(tool_id, parameters)
    assert [error.field for error in errors] == [f"body.steps[0].parameter_mapping.{name}.value"], errors
    reason = errors[0].reason
    assert reason.startswith(f'step 1 ("Work"): parameter "{name}" cannot take the value ')
    assert msgspec.json.encode(bad[name]).decode()[:40] in reason
    assert "Expected `" not in reason  # said in words, not in the decoder's terms
    # The executor's own path: the same conversion refuses the step before its handler runs.
    with pytest.raises(ToolError) as failed:
        await run_tool(get_registry().tool(tool_id), parameters, ToolContext())  # type: ignore[arg-type]
    assert reason.endswith(str(failed.value))


DECLARED = item_schema(
    {
        "name": {"type": "string"},
        "score": {"type": "number"},
        "tags": {"type": "string", "is_array": True},
        "author": {"type": "object", "fields": {"name": {"type": "string"}}},
        "extra": {"type": "object"},
    }
)


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("score", None),
        ("author.name", None),
        ("tags[0]", None),
        ("tags[-1]", None),
        ("extra.anything.at[2]", None),  # declared without fields: not checked further
        ("", None),
        ("scor", 'names the field "scor", which each item does not have'),
        ("author.nam", 'names the field "nam", which "author" does not have (its fields: "name")'),
        ("name[0]", 'indexes [0] into "name", which is not a list'),
        ("tags.first", 'reads "first" from "tags", which is a list'),
        ("score.value", 'reads "value" from "score", which is number with no fields'),
        ("a..b", "cannot be read (invalid path `a..b`"),
    ],
)
def test_paths_are_checked_against_the_declared_fields(path, problem):
    found = path_problem(path, msgspec.structs.replace(DECLARED, is_array=False))
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem), found


@pytest.mark.parametrize(
    ("tool_id", "parameters", "field"),
    [
        ("sort", {"items": ITEMS, "keys": [{"path": "score"}, {"path": "scor"}]}, "keys.value[1].path"),
        (
            "filter",
            {"items": ITEMS, "conditions": [{"path": "author.nam", "op": "exists"}]},
            "conditions.value[0].path",
        ),
        ("group_reduce", {"items": ITEMS, "key": "nme"}, "key.value"),
        (
            "group_reduce",
            {"items": ITEMS, "key": "name", "reductions": [{"name": "s", "op": "sum", "path": "scores"}]},
            "reductions.value[0].path",
        ),
        ("extract", {"items": ITEMS, "fields": {"who": "author.nam"}}, "fields.value.who"),
        ("extract", {"items": ITEMS, "pattern": "x", "source": "titel"}, "source.value"),
    ],
)
def test_a_path_naming_no_field_of_the_items_is_refused_naming_the_step_parameter_and_path(tool_id, parameters, field):
    errors = errors_of(tool_id, parameters, DECLARED)
    assert [error.field for error in errors] == [f"body.steps[0].parameter_mapping.{field}"], errors
    assert errors[0].reason.startswith('step 1 ("Work"): parameter "')
    assert 'has the path "' in errors[0].reason
    # Without declared fields, the same paths are not refused.
    assert errors_of(tool_id, parameters, item_schema()) == []


async def test_the_proposal_route_refuses_a_misspelt_sort_path_and_stores_nothing(user):
    mission = await mission_in_progress(user)
    hop = await hop_in(user, mission, "hop_impl_started")
    chain = {
        "steps": [
            {
                "tool_id": "sort",
                "name": "Sort by score",
                "parameter_mapping": {
                    "items": {"type": "asset_field", "state_asset": asset_id(mission, "inputs")},
                    "keys": {"type": "literal", "value": [{"path": "score", "descending": "no"}]},
                },
                "result_mapping": {"items": {"type": "asset_field", "state_asset": hop["asset_summary"]["outputs"][0]}},
            }
        ]
    }
    refused = await user.post(f"/api/hops/{hop['id']}/implementation", json=chain)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "body.steps[0].parameter_mapping.keys.value"
    assert error["reason"] == (
        'step 1 ("Sort by score"): parameter "keys" cannot take the value [{"path":"score","descending":"no"}]: '
        "parameter `keys[0].descending`: must be true or false, not text"
    )
    assert ok(await user.get(f"/api/hops/{hop['id']}"))["status"] == "hop_impl_started"


async def test_the_dry_run_refuses_a_sort_path_the_records_do_not_have(user):
    session = await new_session(user)
    proposal = mission_proposal()
    proposal["assets"][0]["schema_definition"] = {
        "type": "object",
        "is_array": True,
        "fields": {"name": {"type": "string"}, "score": {"type": "number"}},
    }
    proposal["assets"][0]["content"] = RECORDS
    mission = ok(await user.post(f"/api/sessions/{session['id']}/mission", json=proposal), 201)
    mission = ok(await user.post(f"/api/missions/{mission['id']}/accept"))
    hop = await hop_in(user, mission, "hop_impl_started")
    keys = [{"path": "scor", "descending": True}]
    chain = {
        "steps": [
            {
                "tool_id": "sort",
                "name": "Sort by score",
                "parameter_mapping": {
                    "items": {"type": "asset_field", "state_asset": asset_id(mission, "inputs")},
                    "keys": {"type": "literal", "value": keys},
                },
                "result_mapping": {"items": {"type": "asset_field", "state_asset": hop["asset_summary"]["outputs"][0]}},
            }
        ]
    }
    checked = ok(await user.post(f"/api/hops/{hop['id']}/validate-chain", json=chain))
    assert checked["valid"] is False
    assert checked["errors"] == [
        {
            "field": "body.steps[0].parameter_mapping.keys.value[0].path",
            "reason": 'step 1 ("Sort by score"): parameter "keys" has the path "scor", which names the field '
            '"scor", which each item of "items" does not have (its fields: "name", "score")',
        }
    ]
    keys[0]["path"] = "score"
    assert ok(await user.post(f"/api/hops/{hop['id']}/validate-chain", json=chain))["valid"] is True
