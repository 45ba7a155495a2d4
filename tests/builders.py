"""Test data inserted straight through the Piccolo tables, like Piccolo's ModelBuilder.

The transitions that create missions, hops and tool steps live in `server.workflow`; these
builders let the read, update and delete routes be tested on their own. Every row is
written with the same enums and JSON encoding as the services use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from piccolo.columns import UUID as UUIDColumn

from server.assets.tables import Asset, HopAsset, MissionAsset
from server.database import now, to_json, write_transaction
from server.enums import (
    AssetRole,
    AssetScopeType,
    AssetStatus,
    HopStatus,
    MissionStatus,
    ToolExecutionStatus,
    ValueType,
)
from server.missions.tables import Hop, Mission, ToolStep
from server.piccolo_app import TABLES


@dataclass
class HopTree:
    """Ids of one built hop and what hangs under it."""

    id: UUID
    step_ids: list[UUID] = field(default_factory=list)
    asset_ids: list[UUID] = field(default_factory=list)
    """Hop-scoped assets."""


@dataclass
class MissionTree:
    """Ids of one built mission and its whole tree."""

    id: UUID
    user_id: UUID
    hops: list[HopTree] = field(default_factory=list)
    asset_ids: list[UUID] = field(default_factory=list)
    """Mission-scoped assets (each with a MissionAsset row)."""

    @property
    def hop_ids(self) -> list[UUID]:
        return [hop.id for hop in self.hops]

    @property
    def step_ids(self) -> list[UUID]:
        return [step for hop in self.hops for step in hop.step_ids]

    @property
    def all_asset_ids(self) -> list[UUID]:
        return self.asset_ids + [asset for hop in self.hops for asset in hop.asset_ids]


def asset(
    *,
    user_id: UUID,
    scope_type: AssetScopeType,
    scope_id: UUID,
    role: AssetRole,
    name: str = "asset",
    content: Any = "some text",
    status: AssetStatus = AssetStatus.READY,
    created_at=None,
) -> Asset:
    created = created_at or now()
    return Asset(
        id=uuid4(),
        user_id=user_id,
        name=name,
        description=f"{name} described",
        schema_definition=to_json({"type": ValueType.STRING, "description": None, "is_array": False, "fields": None}),
        subtype=None,
        scope_type=scope_type,
        scope_id=scope_id,
        status=status,
        role=role,
        content=to_json(content),
        content_summary=str(content)[:200],
        asset_metadata=to_json({"built": True}),
        created_at=created,
        updated_at=created,
    )


async def build_mission(
    user_id: UUID | str,
    *,
    name: str = "Mission",
    hops: int = 2,
    steps_per_hop: int = 2,
    mission_assets: int = 2,
    hop_assets_per_hop: int = 1,
    status: MissionStatus = MissionStatus.IN_PROGRESS,
    created_at=None,
) -> MissionTree:
    """A mission with `hops` hops of `steps_per_hop` tool steps, `mission_assets`
    mission-scoped assets (inputs and outputs, mapped to the mission) and
    `hop_assets_per_hop` hop-scoped intermediates per hop (mapped to their hop). Every hop
    also maps the first mission asset as its input. The first hop is the current one."""
    user_id = UUID(str(user_id))
    created = created_at or now()
    tree = MissionTree(id=uuid4(), user_id=user_id)
    mission_rows: list[Asset] = []
    mission_maps: list[MissionAsset] = []
    for index in range(mission_assets):
        role = AssetRole.INPUT if index % 2 == 0 else AssetRole.OUTPUT
        row = asset(
            user_id=user_id,
            scope_type=AssetScopeType.MISSION,
            scope_id=tree.id,
            role=role,
            name=f"{name} asset {index}",
            created_at=created + timedelta(microseconds=index),
        )
        mission_rows.append(row)
        mission_maps.append(
            MissionAsset(
                id=uuid4(), user_id=user_id, mission_id=tree.id, asset_id=row.id, role=role, created_at=row.created_at
            )
        )
        tree.asset_ids.append(row.id)

    hop_rows: list[Hop] = []
    step_rows: list[ToolStep] = []
    hop_asset_rows: list[Asset] = []
    hop_maps: list[HopAsset] = []
    for h in range(hops):
        hop = HopTree(id=uuid4())
        hop_rows.append(
            Hop(
                id=hop.id,
                user_id=user_id,
                mission_id=tree.id,
                sequence_order=h,
                name=f"{name} hop {h}",
                description="a hop",
                goal="reach the next point",
                success_criteria=to_json(["done"]),
                rationale=None,
                status=HopStatus.HOP_IMPL_READY,
                is_final=h == hops - 1,
                is_resolved=False,
                error_message=None,
                hop_metadata=to_json({}),
                intended_input_asset_ids=to_json(tree.asset_ids[:1]),
                intended_output_asset_ids=to_json([]),
                intended_output_asset_specs=to_json([]),
                created_at=created,
                updated_at=created,
            )
        )
        if tree.asset_ids:
            hop_maps.append(
                HopAsset(
                    id=uuid4(),
                    user_id=user_id,
                    hop_id=hop.id,
                    asset_id=tree.asset_ids[0],
                    role=AssetRole.INPUT,
                    created_at=created,
                )
            )
        for a in range(hop_assets_per_hop):
            row = asset(
                user_id=user_id,
                scope_type=AssetScopeType.HOP,
                scope_id=hop.id,
                role=AssetRole.INTERMEDIATE,
                name=f"{name} hop {h} asset {a}",
                created_at=created + timedelta(microseconds=100 + a),
            )
            hop_asset_rows.append(row)
            hop_maps.append(
                HopAsset(
                    id=uuid4(),
                    user_id=user_id,
                    hop_id=hop.id,
                    asset_id=row.id,
                    role=AssetRole.INTERMEDIATE,
                    created_at=row.created_at,
                )
            )
            hop.asset_ids.append(row.id)
        for s in range(steps_per_hop):
            step_id = uuid4()
            source = tree.asset_ids[0] if tree.asset_ids else None
            target = hop.asset_ids[0] if hop.asset_ids else None
            step_rows.append(
                ToolStep(
                    id=step_id,
                    user_id=user_id,
                    hop_id=hop.id,
                    tool_id="summarize_text",
                    sequence_order=s,
                    name=f"step {s}",
                    description=None,
                    status=ToolExecutionStatus.READY_TO_EXECUTE,
                    parameter_mapping=to_json(
                        {"text": {"type": "asset_field", "state_asset": source}}
                        if source
                        else {"text": {"type": "literal", "value": "hi"}}
                    ),
                    result_mapping=to_json(
                        {"summary": {"type": "asset_field", "state_asset": target}}
                        if target
                        else {"summary": {"type": "discard"}}
                    ),
                    resource_configs=to_json({"llm": {"values": {"model": "small"}, "secrets": {"api_key": "sealed"}}}),
                    validation_errors=to_json([]),
                    execution_result=None,
                    error_message=None,
                    created_at=created,
                    updated_at=created,
                    started_at=None,
                    completed_at=None,
                )
            )
            hop.step_ids.append(step_id)
        tree.hops.append(hop)

    mission = Mission(
        id=tree.id,
        user_id=user_id,
        name=name,
        description="what it is for",
        goal="a goal",
        success_criteria=to_json(["it works"]),
        status=status,
        current_hop_id=tree.hops[0].id if tree.hops else None,
        mission_metadata=to_json({"source": "builder"}),
        created_at=created,
        updated_at=created,
    )
    async with write_transaction():
        await Mission.insert(mission).run()
        for table, rows in (
            (Asset, mission_rows + hop_asset_rows),
            (MissionAsset, mission_maps),
            (Hop, hop_rows),
            (ToolStep, step_rows),
            (HopAsset, hop_maps),
        ):
            if rows:
                await table.insert(*rows).run()
    return tree


async def count_rows() -> dict[str, int]:
    """Row count of every application table: compare before and after a refused request."""
    return {table._meta.tablename: await table.count().run() for table in TABLES}


async def count_user_rows(user_id: UUID | str) -> dict[str, int]:
    """Row count of every table holding a user id, restricted to that user."""
    user_id = UUID(str(user_id))
    counts: dict[str, int] = {}
    for table in TABLES:
        owner = getattr(table, "user_id", None)
        if owner is None:
            owner = table._meta.primary_key  # the users table: its own id
            if not isinstance(owner, UUIDColumn):
                continue  # keyed by something else (the rate-limit counts hold no user's data)
        counts[table._meta.tablename] = await table.count().where(owner == user_id).run()
    return counts


def at(timestamp: str) -> datetime:
    """A response timestamp as a datetime, for ordering (ISO strings drop a zero fraction)."""
    return datetime.fromisoformat(timestamp)
