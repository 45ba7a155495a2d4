"""Missions, their hops and the hops' tool steps, with the proposal shapes that create them."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta

from server.enums import (
    DEFAULT_HOP_STATUS,
    DEFAULT_MISSION_STATUS,
    DEFAULT_TOOL_EXECUTION_STATUS,
    AssetRole,
    HopStatus,
    MissionStatus,
    ToolExecutionStatus,
)
from server.schemas import (
    AssetIdsByRole,
    Criterion,
    Input,
    Metadata,
    Name,
    Output,
    ParameterMapping,
    ResultMapping,
    SchemaDefinition,
    ShortText,
    Text,
    Timestamp,
)

ToolId = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_]*$")]
SuccessCriteria = Annotated[list[Criterion], Meta(max_length=50)]


# Tool steps ---------------------------------------------------------------------------------


class ResourceConfigState(Output, kw_only=True):
    """What a step holds for one resource: the saved connection it uses, or its own plain
    values and for each secret whether it is set."""

    connection_id: UUID | None = None
    """The saved connection whose values the step uses (read when it runs), if any."""
    values: dict[str, Any]
    """Values of the resource's non-secret fields."""
    secrets: dict[str, bool]
    """Secret fields: true when a value is stored. Secret values are never returned."""


class ExecutionResult(Output, kw_only=True):
    """What running a step produced."""

    outputs: dict[str, Any]
    """The tool's outputs by name."""
    written_asset_ids: list[UUID]
    """Assets written through the result mapping, in mapping order."""
    duration_ms: float
    stubbed: bool = False
    """True when the outputs came from the tool's sample responses, not its service."""


class ToolStep(Output, kw_only=True):
    """One call of a tool within a hop."""

    id: UUID
    hop_id: UUID
    tool_id: str
    sequence_order: int
    name: str
    description: str | None
    status: ToolExecutionStatus = DEFAULT_TOOL_EXECUTION_STATUS
    parameter_mapping: dict[str, ParameterMapping]
    """Tool parameter name -> where its value comes from."""
    result_mapping: dict[str, ResultMapping]
    """Tool output name -> where it goes."""
    resource_configs: dict[str, ResourceConfigState]
    """Resource id -> its configuration (secret values hidden)."""
    validation_errors: list[str]
    execution_result: ExecutionResult | None
    error_message: str | None
    created_at: Timestamp
    updated_at: Timestamp
    started_at: Timestamp | None
    completed_at: Timestamp | None


class ToolStepUpdate(Input, kw_only=True):
    """Change a step's descriptive fields; absent fields are left as they are."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: ShortText | None | msgspec.UnsetType = msgspec.UNSET


class ToolStepPage(Output, kw_only=True):
    """The steps of a hop, in order."""

    items: list[ToolStep]
    total: int
    limit: int
    offset: int


# Hops ---------------------------------------------------------------------------------------


class HopInfo(Output, kw_only=True):
    """A hop without its tool steps and asset map."""

    id: UUID
    mission_id: UUID
    sequence_order: int
    name: str
    description: str | None
    goal: str | None
    success_criteria: list[str]
    rationale: str | None
    status: HopStatus = DEFAULT_HOP_STATUS
    is_final: bool
    is_resolved: bool
    error_message: str | None
    hop_metadata: Metadata
    intended_input_asset_ids: list[UUID]
    intended_output_asset_ids: list[UUID]
    intended_output_asset_specs: list[dict[str, Any]]
    created_at: Timestamp
    updated_at: Timestamp


class Hop(HopInfo, kw_only=True):
    """A hop with its ordered tool steps and its assets."""

    tool_steps: list[ToolStep]
    hop_asset_map: dict[UUID, AssetRole]
    """Asset id -> the asset's role in this hop."""
    asset_summary: AssetIdsByRole


class HopUpdate(Input, kw_only=True):
    """Change a hop's descriptive fields; absent fields are left as they are."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: ShortText | None | msgspec.UnsetType = msgspec.UNSET
    goal: ShortText | None | msgspec.UnsetType = msgspec.UNSET
    rationale: ShortText | None | msgspec.UnsetType = msgspec.UNSET
    success_criteria: SuccessCriteria | msgspec.UnsetType = msgspec.UNSET
    hop_metadata: Metadata | msgspec.UnsetType = msgspec.UNSET


class HopPage(Output, kw_only=True):
    """The hops of a mission, in order."""

    items: list[Hop]
    total: int
    limit: int
    offset: int


# Missions -----------------------------------------------------------------------------------


class MissionInfo(Output, kw_only=True):
    """A mission without its hops and asset map, as lists show it."""

    id: UUID
    name: str
    description: str | None
    goal: str | None
    success_criteria: list[str]
    status: MissionStatus = DEFAULT_MISSION_STATUS
    current_hop_id: UUID | None
    mission_metadata: Metadata
    created_at: Timestamp
    updated_at: Timestamp


class Mission(MissionInfo, kw_only=True):
    """A mission with its hops, its current hop and its assets."""

    hops: list[Hop]
    """Every hop, ordered by sequence_order."""
    current_hop: Hop | None
    mission_asset_map: dict[UUID, AssetRole]
    """Asset id -> the asset's role in this mission."""
    asset_summary: AssetIdsByRole


class MissionUpdate(Input, kw_only=True):
    """Change a mission's descriptive fields; absent fields are left as they are."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Text | None | msgspec.UnsetType = msgspec.UNSET
    goal: ShortText | None | msgspec.UnsetType = msgspec.UNSET
    success_criteria: SuccessCriteria | msgspec.UnsetType = msgspec.UNSET
    mission_metadata: Metadata | msgspec.UnsetType = msgspec.UNSET


class MissionPage(Output, kw_only=True):
    """A page of missions, newest first."""

    items: list[MissionInfo]
    total: int
    limit: int
    offset: int


# Proposals ----------------------------------------------------------------------------------


class AssetProposal(Input, kw_only=True):
    """An asset that a mission or hop plan asks for."""

    name: Name
    description: ShortText | None = None
    schema_definition: SchemaDefinition
    role: AssetRole
    """`input` or `output`."""
    content: Any = None

    def __post_init__(self) -> None:
        if self.role is AssetRole.INTERMEDIATE:
            raise ValueError("role must be `input` or `output`")


class MissionProposal(Input, kw_only=True):
    """What a person or an agent submits to start a mission in a session."""

    name: Name
    description: Text | None = None
    goal: ShortText | None = None
    success_criteria: SuccessCriteria = []
    assets: Annotated[list[AssetProposal], Meta(max_length=100)] = []


class NewAssetOutput(Input, kw_only=True, tag="new_asset", tag_field="type"):
    """The hop produces a new asset, created mission-scoped as an intermediate."""

    asset: AssetProposal


class ExistingAssetOutput(Input, kw_only=True, tag="existing_asset", tag_field="type"):
    """The hop produces (writes) an existing mission asset."""

    mission_asset_id: UUID


HopOutput = NewAssetOutput | ExistingAssetOutput


class HopPlanProposal(Input, kw_only=True):
    """The plan of a hop: what it is for, what it reads and what it produces."""

    name: Name
    description: ShortText | None = None
    goal: ShortText | None = None
    rationale: ShortText | None = None
    success_criteria: SuccessCriteria = []
    is_final: bool = False
    inputs: Annotated[list[UUID], Meta(max_length=100)] = []
    """Ids of existing mission assets the hop reads."""
    output: HopOutput


class ToolStepProposal(Input, kw_only=True):
    """One step of a proposed hop implementation."""

    tool_id: ToolId
    name: Name
    description: ShortText | None = None
    parameter_mapping: dict[str, ParameterMapping] = {}
    result_mapping: dict[str, ResultMapping] = {}
    resource_configs: dict[str, dict[str, Any]] = {}
    """Resource id -> configuration values (secrets included; they are stored encrypted)."""


class HopImplementationProposal(Input, kw_only=True):
    """The ordered tool chain that implements a hop."""

    steps: Annotated[list[ToolStepProposal], Meta(min_length=1, max_length=50)]
