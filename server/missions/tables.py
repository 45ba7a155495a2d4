"""Missions, hops and tool steps. Deleting a mission removes its hops and their steps
(cascade on the mission, never on the user)."""

from piccolo.columns import UUID, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from server.columns import created_column, enum_check, enum_column, json_column
from server.enums import (
    DEFAULT_HOP_STATUS,
    DEFAULT_MISSION_STATUS,
    DEFAULT_TOOL_EXECUTION_STATUS,
    HopStatus,
    MissionStatus,
    ToolExecutionStatus,
)
from server.users.tables import User


class Mission(Table, tablename="missions"):
    id = UUID(primary_key=True)
    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    name = Varchar(length=255, null=False)
    description = Text(null=True, default=None)
    goal = Text(null=True, default=None)
    success_criteria = json_column(default=[])
    status = enum_column(MissionStatus, DEFAULT_MISSION_STATUS)
    # No foreign key: hops reference their mission, and a cycle would block table creation.
    current_hop_id = UUID(null=True, default=None)
    mission_metadata = json_column()
    created_at = created_column()
    updated_at = created_column()

    ck_missions_status = enum_check("missions", "status", MissionStatus)


class Hop(Table, tablename="hops"):
    id = UUID(primary_key=True)
    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    mission_id = ForeignKey(Mission, on_delete=OnDelete.cascade, null=False)
    sequence_order = Integer(null=False)
    name = Varchar(length=255, null=False)
    description = Text(null=True, default=None)
    goal = Text(null=True, default=None)
    success_criteria = json_column(default=[])
    rationale = Text(null=True, default=None)
    status = enum_column(HopStatus, DEFAULT_HOP_STATUS)
    is_final = Boolean(default=False, null=False)
    is_resolved = Boolean(default=False, null=False)
    error_message = Text(null=True, default=None)
    hop_metadata = json_column()
    intended_input_asset_ids = json_column(default=[])
    intended_output_asset_ids = json_column(default=[])
    intended_output_asset_specs = json_column(default=[])
    created_at = created_column()
    updated_at = created_column()

    uq_hops_sequence = Unique(["mission_id", "sequence_order"])
    ck_hops_status = enum_check("hops", "status", HopStatus)


class ToolStep(Table, tablename="tool_steps"):
    id = UUID(primary_key=True)
    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    hop_id = ForeignKey(Hop, on_delete=OnDelete.cascade, null=False)
    tool_id = Varchar(length=100, null=False)
    sequence_order = Integer(null=False)
    name = Varchar(length=255, null=False)
    description = Text(null=True, default=None)
    status = enum_column(ToolExecutionStatus, DEFAULT_TOOL_EXECUTION_STATUS, index=True)
    """Indexed: every server's sweep looks for the `executing` steps every few seconds."""
    parameter_mapping = json_column()
    result_mapping = json_column()
    resource_configs = json_column()
    validation_errors = json_column(default=[])
    execution_result = json_column(null=True)
    error_message = Text(null=True, default=None)
    created_at = created_column()
    updated_at = created_column()
    started_at = Timestamptz(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    lease_expires_at = Timestamptz(null=True, default=None)
    """While `executing`: until when the server running the step holds it (renewed as it runs)."""

    uq_tool_steps_sequence = Unique(["hop_id", "sequence_order"])
    ck_tool_steps_status = enum_check("tool_steps", "status", ToolExecutionStatus)
