"""validate_tool_chain (docs/tools.md): a table of broken chains, each with the exact errors
it must produce; every error names the step, the parameter or output, and the asset."""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID

import msgspec
import pytest

from server.enums import AssetRole, ValueType
from server.missions.schemas import ToolStepProposal
from server.schemas import SchemaDefinition
from server.tools.schemas import ToolOutput, ToolParameter, ToolSpec
from server.workflow.validation import ChainAsset, chain_errors, feeds, validate_tool_chain


def schema(kind: str, is_array: bool = False) -> SchemaDefinition:
    return SchemaDefinition(type=ValueType(kind), is_array=is_array)


def parameter(name: str, kind: str, is_array: bool = False, required: bool = True) -> ToolParameter:
    return ToolParameter(name=name, schema_definition=schema(kind, is_array), json_schema={}, required=required)


def output(name: str, kind: str, is_array: bool = False) -> ToolOutput:
    return ToolOutput(name=name, schema_definition=schema(kind, is_array), json_schema={})


TOOLS = {
    tool.id: tool
    for tool in (
        ToolSpec(
            id="fetch",
            name="Fetch",
            description="get pages",
            category="web",
            parameters=[parameter("urls", "string", True), parameter("timeout", "number", required=False)],
            outputs=[output("pages", "webpage", True)],
        ),
        ToolSpec(
            id="pick",
            name="Pick",
            description="pick fields",
            category="data",
            parameters=[parameter("items", "object", True), parameter("fields", "object", required=False)],
            outputs=[output("items", "object", True), output("count", "number")],
        ),
        ToolSpec(
            id="mail",
            name="Mail",
            description="send",
            category="mail",
            parameters=[parameter("message", "email")],
            outputs=[output("sent", "boolean")],
        ),
    )
}

LINKS = UUID("00000000-0000-4000-8000-000000000001")  # hop input, string[]
REPORT = UUID("00000000-0000-4000-8000-000000000002")  # hop output, object[]
NOTES = UUID("00000000-0000-4000-8000-000000000003")  # mission input the hop does not map, string
LATER = UUID("00000000-0000-4000-8000-000000000004")  # mission intermediate not produced yet, string[]
PAGES = UUID("00000000-0000-4000-8000-000000000005")  # a new hop-scoped intermediate
STRANGER = UUID("00000000-0000-4000-8000-000000000006")

ASSETS = {
    LINKS: ChainAsset(
        id=LINKS,
        name="Links",
        schema_definition=schema("string", True),
        hop_role=AssetRole.INPUT,
        available_at_start=True,
    ),
    REPORT: ChainAsset(
        id=REPORT,
        name="Report",
        schema_definition=schema("object", True),
        hop_role=AssetRole.OUTPUT,
        available_at_start=False,
    ),
    NOTES: ChainAsset(
        id=NOTES, name="Notes", schema_definition=schema("string"), hop_role=None, available_at_start=True
    ),
    LATER: ChainAsset(
        id=LATER, name="Later", schema_definition=schema("string", True), hop_role=None, available_at_start=False
    ),
}


def asset(asset_id: UUID) -> dict[str, Any]:
    return {"type": "asset_field", "state_asset": str(asset_id)}


VALID = [
    {
        "tool_id": "fetch",
        "name": "Fetch",
        "parameter_mapping": {"urls": asset(LINKS), "timeout": {"type": "literal", "value": 5}},
        "result_mapping": {"pages": asset(PAGES)},
    },
    {
        "tool_id": "pick",
        "name": "Pick",
        "parameter_mapping": {"items": asset(PAGES)},
        "result_mapping": {"items": asset(REPORT), "count": {"type": "discard"}},
    },
]


def chain(*edits) -> list[dict[str, Any]]:
    steps = copy.deepcopy(VALID)
    for edit in edits:
        edit(steps)
    return steps


def set_(step: int, *path_and_value):
    *path, value = path_and_value

    def edit(steps):
        target = steps[step]
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return edit


DELETE = object()

BROKEN: list[tuple[str, list[dict[str, Any]], list[str]]] = [
    (
        "an unregistered tool",
        chain(set_(0, "tool_id", "fetcher")),
        ['step 1 ("Fetch"): tool "fetcher" is not registered'],
    ),
    (
        "an unknown parameter and a required one left out",
        chain(set_(0, "parameter_mapping", {"url": asset(LINKS)})),
        [
            'step 1 ("Fetch"): parameter "url" is not a parameter of tool "fetch"',
            'step 1 ("Fetch"): required parameter "urls" of tool "fetch" is not mapped',
        ],
    ),
    (
        "a parameter reading an asset the hop cannot see",
        chain(set_(0, "parameter_mapping", "urls", asset(STRANGER))),
        [f'step 1 ("Fetch"): parameter "urls" reads asset {STRANGER}, which this hop cannot see'],
    ),
    (
        "a parameter reading the hop's output before a step writes it",
        chain(set_(1, "parameter_mapping", "items", asset(REPORT))),
        [f'step 2 ("Pick"): parameter "items" reads asset "Report" ({REPORT}) before any earlier step writes it'],
    ),
    (
        "a parameter reading an intermediate before the step that creates it",
        [VALID[1] | {"parameter_mapping": {"items": asset(PAGES)}}, VALID[0]],
        [f'step 1 ("Pick"): parameter "items" reads asset {PAGES} before any earlier step writes it'],
    ),
    (
        "a parameter reading a mission asset no hop has produced yet",
        chain(set_(0, "parameter_mapping", "urls", asset(LATER))),
        [f'step 1 ("Fetch"): parameter "urls" reads asset "Later" ({LATER}) before any earlier step writes it'],
    ),
    (
        "a parameter whose asset is not an array",
        chain(set_(0, "parameter_mapping", "urls", asset(NOTES))),
        [f'step 1 ("Fetch"): parameter "urls" expects string[] but asset "Notes" ({NOTES}) holds string'],
    ),
    (
        "a number where a canonical type is expected",
        chain(
            set_(1, "result_mapping", "count", asset(STRANGER)),
            lambda steps: steps.append(
                {
                    "tool_id": "mail",
                    "name": "Mail",
                    "parameter_mapping": {"message": asset(STRANGER)},
                    "result_mapping": {},
                }
            ),
        ),
        [f'step 3 ("Mail"): parameter "message" expects email but asset "Pick: count" ({STRANGER}) holds number'],
    ),
    (
        "a result that is not an output of the tool",
        chain(set_(1, "result_mapping", {"itemz": asset(REPORT)})),
        [
            'step 2 ("Pick"): result "itemz" is not an output of tool "pick"',
            f'hop output asset "Report" ({REPORT}) is not written by any step',
        ],
    ),
    (
        "a result whose type does not fit its asset",
        chain(set_(1, "result_mapping", {"count": asset(REPORT), "items": {"type": "discard"}})),
        [f'step 2 ("Pick"): result "count" is number but asset "Report" ({REPORT}) holds object[]'],
    ),
    (
        "a hop output no step writes",
        chain(set_(1, "result_mapping", "items", {"type": "discard"})),
        [f'hop output asset "Report" ({REPORT}) is not written by any step'],
    ),
    (
        "several mistakes at once, all reported in step order",
        chain(
            set_(0, "tool_id", "fetcher"),
            set_(1, "parameter_mapping", "fields", asset(LINKS)),
            set_(1, "result_mapping", "items", {"type": "discard"}),
        ),
        [
            'step 1 ("Fetch"): tool "fetcher" is not registered',
            f'step 2 ("Pick"): parameter "fields" expects object but asset "Links" ({LINKS}) holds string[]',
            f'hop output asset "Report" ({REPORT}) is not written by any step',
        ],
    ),
]


def steps_of(raw: list[dict[str, Any]]) -> list[ToolStepProposal]:
    return msgspec.convert(raw, list[ToolStepProposal])


def test_a_valid_chain_has_no_errors():
    assert validate_tool_chain(steps=steps_of(VALID), tools=TOOLS, assets=ASSETS) == []


@pytest.mark.parametrize(("case", "raw", "expected"), BROKEN, ids=[case for case, _, _ in BROKEN])
def test_a_broken_chain_reports_every_error(case, raw, expected):
    assert validate_tool_chain(steps=steps_of(raw), tools=TOOLS, assets=ASSETS) == expected


def test_errors_carry_the_path_of_the_field_at_fault():
    raw = chain(set_(0, "parameter_mapping", "urls", asset(NOTES)), set_(1, "result_mapping", {"count": asset(REPORT)}))
    fields = [error.field for error in chain_errors(steps=steps_of(raw), tools=TOOLS, assets=ASSETS)]
    assert fields == ["body.steps[0].parameter_mapping.urls", "body.steps[1].result_mapping.count"]


@pytest.mark.parametrize(
    ("source", "target", "fits"),
    [
        (schema("string"), schema("string"), True),
        (schema("string"), schema("email"), True),
        (schema("object", True), schema("webpage", True), True),
        (schema("webpage", True), schema("object", True), True),
        (schema("number"), schema("email"), False),
        (schema("email"), schema("webpage"), False),
        (schema("webpage"), schema("string"), False),
        (schema("string"), schema("string", True), False),
        (schema("number"), schema("string"), False),
    ],
)
def test_data_types_fit_by_value_type_and_arrayness(source, target, fits):
    assert feeds(source, target) is fits


def test_a_result_naming_an_existing_asset_outside_the_hop_is_not_a_new_intermediate():
    raw = chain(
        set_(0, "result_mapping", "pages", asset(STRANGER)), set_(1, "parameter_mapping", "items", asset(STRANGER))
    )
    assert validate_tool_chain(steps=steps_of(raw), tools=TOOLS, assets=ASSETS, taken={STRANGER}) == [
        f'step 1 ("Fetch"): result "pages" writes asset {STRANGER}, which this hop cannot see',
        f'step 2 ("Pick"): parameter "items" reads asset {STRANGER} before any earlier step writes it',
    ]
