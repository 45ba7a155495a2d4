"""Generation A, its assets: what a batch of missions reads besides the missions (their
executions and assets), the hop objects of a mission, and the Asset, MissionAsset and HopAsset
rows made from `assets` rows and `hop_state` objects."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from server.enums import AssetRole, AssetScopeType, AssetStatus
from server.importer.context import Batch, Context
from server.importer.rows import asset_row, link_row, schema_definition, simple_schema
from server.importer.values import (
    ASSET_ROLE,
    ASSET_STATUS,
    SCOPE_TYPE,
    ValueProblem,
    convert,
    json_list,
    json_object,
    legacy_key,
    parse_json,
    parse_time,
    parse_user_id,
    parse_uuid,
)


@dataclass
class Scope:
    """What one batch read besides its missions, indexed for the conversion."""

    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Asset rows by id."""
    by_scope: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    """Asset rows by scope_id (a mission or hop id)."""
    executions: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    """Tool executions by mission id."""
    hops: dict[str, list[tuple[dict[str, Any], bool]]] = field(default_factory=dict)
    """The hop objects of each mission (decoded once)."""
    hop_errors: dict[str, str] = field(default_factory=dict)
    """Why a mission's hops cannot be read, by mission id."""


@dataclass
class MissionState:
    """A mission being converted: its ids, owner and the assets it may link."""

    key: str
    id: UUID
    legacy_user: int
    user_id: UUID
    created_at: datetime
    updated_at: datetime
    row: dict[str, Any] = field(default_factory=dict)
    """The Mission row (its current hop is set once the hops are converted)."""
    assets: dict[str, UUID] = field(default_factory=dict)
    """Assets converted with this mission: source id -> id."""
    invalid_assets: set[str] = field(default_factory=set)
    """Source ids of assets reported as problems (reported once)."""


def hop_objects(row: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """The mission's hop objects in order, each with whether it is the current hop; a current
    hop that is also the last of the history is taken once, as the current one."""
    history = json_list(row.get("hop_history"), "hop_history")
    current = parse_json(row.get("current_hop"), "current_hop")
    if current is not None and not isinstance(current, dict):
        raise ValueProblem("current_hop is not a hop object")
    hops: list[tuple[dict[str, Any], bool]] = [(hop, False) for hop in history if isinstance(hop, dict)]
    if isinstance(current, dict):
        hops = [(hop, False) for hop, _ in hops if hop.get("id") != current.get("id") or not current.get("id")]
        hops.append((current, True))
    return hops


async def read_scope(ctx: Context, rows: list[dict[str, Any]]) -> Scope:
    scope = Scope()
    mission_keys = [legacy_key(row.get("id")) for row in rows]
    for execution in await ctx.source.fetch_in(
        "SELECT * FROM tool_executions WHERE mission_id IN ({in})", mission_keys
    ):
        with contextlib.suppress(ValueProblem):  # decoded once; a broken value is ignored where it is read
            execution["hop_state_asset_ids"] = parse_json(execution.get("hop_state_asset_ids"), "hop_state_asset_ids")
        scope.executions[legacy_key(execution.get("mission_id"))].append(execution)
    scope_ids = list(mission_keys)
    referenced: list[str] = []
    for row in rows:
        for name in ("input_asset_ids", "output_asset_ids"):
            try:
                referenced.extend(legacy_key(value) for value in json_list(row.get(name), name))
            except ValueProblem:
                pass
        key = legacy_key(row.get("id"))
        try:
            hops = scope.hops[key] = hop_objects(row)
        except ValueProblem as exc:
            scope.hop_errors[key] = str(exc)
            continue
        for hop, _ in hops:
            scope_ids.append(legacy_key(hop.get("id")))
            for name in ("input_mapping", "output_mapping"):
                mapping = hop.get(name)
                if isinstance(mapping, dict):
                    referenced.extend(legacy_key(value) for value in mapping.values())
    for asset in await ctx.source.fetch_in("SELECT * FROM assets WHERE scope_id IN ({in})", scope_ids):
        scope.assets[legacy_key(asset.get("id"))] = asset
    missing = [key for key in referenced if key and key not in scope.assets]
    for asset in await ctx.source.fetch_in("SELECT * FROM assets WHERE id IN ({in})", missing):
        scope.assets[legacy_key(asset.get("id"))] = asset
    for asset in scope.assets.values():
        scope.by_scope[legacy_key(asset.get("scope_id"))].append(asset)
    return scope


def asset_from_row(
    ctx: Context, batch: Batch, mission: MissionState, asset: dict[str, Any], default_role: AssetRole
) -> UUID | None:
    """An `assets` row of the mission or one of its hops as an Asset item; None when invalid."""
    key = legacy_key(asset.get("id"))
    if key in mission.assets:
        return mission.assets[key]
    if key in mission.invalid_assets:
        return None
    try:
        asset_id = parse_uuid(asset.get("id"), "id")
        if batch.holds("assets", asset_id):
            raise ValueProblem("the id appears twice")
        if parse_user_id(asset.get("user_id")) != mission.legacy_user:
            raise ValueProblem(f"belongs to another user than mission {mission.key}")
        content = parse_json(asset.get("content"), "content")
        role = default_role if asset.get("role") in (None, "") else convert("role", asset.get("role"), ASSET_ROLE)
        metadata = json_object(asset.get("asset_metadata"), "asset_metadata")
        if asset.get("asset_key"):
            metadata = {**metadata, "legacy_asset_key": str(asset["asset_key"])}
        created = parse_time(asset.get("created_at"), "created_at") or mission.created_at
        batch.add(
            "assets",
            key,
            asset_id,
            asset_row(
                asset_id=asset_id,
                user_id=mission.user_id,
                name=asset.get("name"),
                description=asset.get("description"),
                schema=simple_schema(asset.get("type"), content, "type"),
                subtype=asset.get("subtype"),
                scope_type=convert("scope_type", asset.get("scope_type"), SCOPE_TYPE),
                scope_id=parse_uuid(asset.get("scope_id"), "scope_id"),
                status=AssetStatus.READY if content is not None else AssetStatus.PENDING,
                role=role,
                content=content,
                metadata=metadata,
                created_at=created,
                updated_at=parse_time(asset.get("updated_at"), "updated_at") or created,
            ),
            (("missions", mission.key),),
        )
    except ValueProblem as exc:
        mission.invalid_assets.add(key)
        ctx.problem("assets", "assets", key, str(exc))
        return None
    mission.assets[key] = asset_id
    return asset_id


def mission_assets(ctx: Context, batch: Batch, mission: MissionState, row: dict[str, Any], scope: Scope) -> None:
    """The mission-scoped assets and the MissionAsset rows: `input_asset_ids`, then
    `output_asset_ids`, then the other assets scoped to the mission (intermediate)."""
    wanted: dict[str, AssetRole] = {}
    for name, role in (("input_asset_ids", AssetRole.INPUT), ("output_asset_ids", AssetRole.OUTPUT)):
        try:
            values = json_list(row.get(name), name)
        except ValueProblem as exc:
            ctx.problem("mission_assets", "missions", mission.key, str(exc))
            continue
        for value in values:
            wanted.setdefault(legacy_key(value), role)
    for asset in scope.by_scope.get(mission.key, []):
        wanted.setdefault(legacy_key(asset.get("id")), AssetRole.INTERMEDIATE)
    for asset_key, role in wanted.items():
        link = f"{mission.key}/{asset_key}"
        found = scope.assets.get(asset_key)
        if found is None:
            ctx.problem("mission_assets", "missions", mission.key, f"asset {asset_key} does not exist")
            continue
        asset = found
        if legacy_key(asset.get("scope_id")) != mission.key:
            ctx.problem("mission_assets", "missions", mission.key, f"asset {asset_key} is scoped to another mission")
            continue
        asset_id = asset_from_row(ctx, batch, mission, asset, role)
        if asset_id is None:
            ctx.skipped("mission_assets")
            continue
        link_id, link_values = link_row(
            "mission_assets",
            owner_column="mission_id",
            owner_id=mission.id,
            asset_id=asset_id,
            user_id=mission.user_id,
            role=role,
            at=mission.created_at,
        )
        needs = (("missions", mission.key), ("assets", asset_key))
        batch.add("mission_assets", link, link_id, link_values, needs, derived=True)


def state_asset(
    ctx: Context, batch: Batch, mission: MissionState, hop_id: UUID, obj: dict[str, Any], scope: Scope
) -> UUID | None:
    """The asset a `hop_state` object stands for: its `assets` row when there is one, else a
    hop-scoped asset made from the object."""
    key = legacy_key(obj.get("id"))
    if key in mission.assets:
        return mission.assets[key]
    if key in scope.assets:
        return asset_from_row(ctx, batch, mission, scope.assets[key], AssetRole.INTERMEDIATE)
    if key in mission.invalid_assets:
        return None
    try:
        asset_id = parse_uuid(obj.get("id"), "id")
        if batch.holds("assets", asset_id):
            raise ValueProblem("the id appears twice")
        content = obj.get("value")
        raw_status, raw_schema = obj.get("status"), obj.get("schema_definition")
        status = (
            convert("status", raw_status, ASSET_STATUS)
            if raw_status not in (None, "")
            else (AssetStatus.READY if content is not None else AssetStatus.PENDING)
        )
        schema = (
            schema_definition(raw_schema, "schema_definition")
            if raw_schema
            else simple_schema("object", content, "type")
        )
        role = AssetRole.INTERMEDIATE if obj.get("role") in (None, "") else convert("role", obj["role"], ASSET_ROLE)
        raw_metadata = obj.get("asset_metadata")
        metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
        row = asset_row(
            asset_id=asset_id,
            user_id=mission.user_id,
            name=obj.get("name"),
            description=obj.get("description"),
            schema=schema,
            subtype=obj.get("subtype"),
            scope_type=AssetScopeType.HOP,
            scope_id=hop_id,
            status=status,
            role=role,
            content=content,
            metadata=metadata or {},
            created_at=mission.created_at,
            updated_at=mission.updated_at,
        )
    except ValueProblem as exc:
        mission.invalid_assets.add(key)
        ctx.problem("assets", "hops.hop_state", key, str(exc))
        return None
    batch.add("assets", key, asset_id, row, (("missions", mission.key),))
    mission.assets[key] = asset_id
    return asset_id


def hop_links(
    ctx: Context, batch: Batch, mission: MissionState, key: str, hop_id: UUID, roles: dict[str, AssetRole], at: datetime
) -> None:
    for asset_key, role in roles.items():
        asset_id = mission.assets.get(asset_key)
        if asset_id is None:
            if asset_key not in mission.invalid_assets:
                ctx.problem("hop_assets", "hops", key, f"asset {asset_key} does not exist among the mission's assets")
            else:
                ctx.skipped("hop_assets")
            continue
        link_id, row = link_row(
            "hop_assets",
            owner_column="hop_id",
            owner_id=hop_id,
            asset_id=asset_id,
            user_id=mission.user_id,
            role=role,
            at=at,
        )
        needs = (("hops", key), ("assets", asset_key))
        batch.add("hop_assets", f"{key}/{asset_key}", link_id, row, needs, derived=True)
