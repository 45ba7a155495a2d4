"""Writing a completed step's outputs through its result mapping (docs/tools.md, "Execution"):
an output mapped to an asset the hop can see updates that asset; one mapped to an id the hop
cannot see creates a hop-scoped intermediate; `discard` drops it."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from server.assets.service import asset_row, summarize_content
from server.assets.tables import Asset as AssetTable
from server.assets.tables import HopAsset as HopAssetTable
from server.database import from_json, to_json
from server.enums import AssetRole, AssetScopeType, AssetStatus, WorkflowEntity
from server.workflow.transitions.unit import Work
from server.workflow.visibility import Visibility, tool_specs, visibility


def targets(result_mapping: dict[str, Any]) -> list[UUID]:
    """Asset ids a step writes, in mapping order."""
    ids = []
    for mapping in result_mapping.values():
        if isinstance(mapping, dict) and mapping.get("type") == "asset_field":
            ids.append(UUID(str(mapping["state_asset"])))
    return list(dict.fromkeys(ids))


def _written_by(step_id: UUID, step: dict[str, Any], at: Any) -> dict[str, Any]:
    return {
        "tool_id": step["tool_id"],
        "step_id": str(step_id),
        "step_name": step["name"],
        "hop_id": str(step["hop_id"]),
        "at": at.isoformat(),
    }


async def write_outputs(
    work: Work, step_id: UUID, step: dict[str, Any], result_mapping: dict[str, Any], outputs: dict[str, Any]
) -> Visibility:
    """Write the outputs through the result mapping; returns the hop's visibility, including
    the intermediates just created. A written asset becomes `ready`, except a hop output,
    which stays `processing` until the hop completes."""
    hop_id, mission_id = step["hop_id"], step["mission_id"]
    seen = await visibility(user_id=work.user_id, hop_id=hop_id, mission_id=mission_id)
    visible_ids = [asset_id for asset_id in targets(result_mapping) if asset_id in seen]
    metadata = {}
    if visible_ids:
        rows = (
            await AssetTable.select(AssetTable.id, AssetTable.asset_metadata)
            .where((AssetTable.user_id == work.user_id) & AssetTable.id.is_in(visible_ids))
            .run()
        )
        metadata = {row["id"]: from_json(row["asset_metadata"]) or {} for row in rows}
    written_by = _written_by(step_id, step, work.at)
    for name, mapping in result_mapping.items():
        if mapping.get("type") != "asset_field":
            continue
        asset_id = UUID(str(mapping["state_asset"]))
        value = outputs.get(name)
        if asset_id in metadata:
            status = AssetStatus.PROCESSING if seen.hop_map.get(asset_id) is AssetRole.OUTPUT else AssetStatus.READY
            await (
                AssetTable.update(
                    {
                        AssetTable.content: (encoded := to_json(value)),
                        AssetTable.content_bytes: len(encoded.encode()),
                        AssetTable.content_summary: summarize_content(value),
                        AssetTable.status: status,
                        AssetTable.asset_metadata: to_json({**metadata[asset_id], "written_by": written_by}),
                        AssetTable.updated_at: work.at,
                    }
                )
                .where((AssetTable.id == asset_id) & (AssetTable.user_id == work.user_id))
                .run()
            )
            work.events.add(WorkflowEntity.ASSET, asset_id, status, mission_id=mission_id, hop_id=hop_id)
        else:
            await _create_intermediate(work, step, name, asset_id, value, written_by)
            # A second output of the same step to the same new id updates what was just created.
            metadata[asset_id] = {"written_by": written_by}
            seen.hop_map[asset_id] = AssetRole.INTERMEDIATE
    return seen


async def _create_intermediate(
    work: Work, step: dict[str, Any], name: str, asset_id: UUID, value: Any, written_by: dict[str, Any]
) -> None:
    """A new hop-scoped intermediate asset holding an output, typed by the tool's output."""
    hop_id = step["hop_id"]
    tool = tool_specs().get(step["tool_id"])
    output = next((o for o in tool.outputs if o.name == name), None) if tool else None
    row = asset_row(
        user_id=work.user_id,
        name=f"{step['name']}: {name}",
        description=output.description if output else None,
        schema_definition=output.schema_definition if output else {"type": "object", "is_array": False},
        role=AssetRole.INTERMEDIATE,
        scope_type=AssetScopeType.HOP,
        scope_id=hop_id,
        content=value,
        status=AssetStatus.READY,
        asset_metadata={"written_by": written_by},
    )
    row.id = asset_id
    await AssetTable.insert(row).run()
    await HopAssetTable.insert(
        HopAssetTable(
            id=uuid4(),
            user_id=work.user_id,
            hop_id=hop_id,
            asset_id=asset_id,
            role=AssetRole.INTERMEDIATE,
            created_at=work.at,
        )
    ).run()
    work.events.add(WorkflowEntity.ASSET, asset_id, AssetStatus.READY, mission_id=step["mission_id"], hop_id=hop_id)
