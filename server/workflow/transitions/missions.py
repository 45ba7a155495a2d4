"""Transitions of a mission as a whole: propose (1.1), accept (1.2), cancel (1.3), complete
(2.10), and the session that completes with its mission (docs/state-machine.md)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from server.assets.service import asset_row, check_storage
from server.assets.tables import Asset as AssetTable
from server.assets.tables import HopAsset as HopAssetTable
from server.assets.tables import MissionAsset as MissionAssetTable
from server.database import to_json
from server.enums import AssetRole, AssetScopeType, AssetStatus, WorkflowEntity, label
from server.errors import Conflict, NotFound
from server.missions import service as missions
from server.missions.schemas import Mission, MissionProposal
from server.missions.tables import Hop as HopTable
from server.missions.tables import Mission as MissionTable
from server.missions.tables import ToolStep as ToolStepTable
from server.schemas import FieldError
from server.sessions import service as sessions
from server.sessions.schemas import MissionProposalCard, UserSession
from server.sessions.tables import UserSession as UserSessionTable
from server.workflow.refusals import refused
from server.workflow.state_machine import FINISHED_MISSION, Transitions
from server.workflow.transitions.unit import Work, transition

_MISSION_ASSETS, _PENDING_REPLACED = Transitions.PROPOSE_MISSION.effects
_ASSETS_ACCEPTED = Transitions.ACCEPT_MISSION.effects[0]
_HOPS_CANCELLED, _STEPS_CANCELLED, _ASSETS_STOPPED = Transitions.CANCEL_MISSION.effects
_SESSION_COMPLETES = Transitions.COMPLETE_MISSION.effects[0]


@transition
async def archive_session(work: Work, *, user_id: UUID, session_id: UUID) -> UserSession:
    """0.1: the session goes `archived` (from any other status)."""
    await work.move(UserSessionTable, Transitions.ARCHIVE_SESSION, session_id)
    work.events.add(WorkflowEntity.SESSION, session_id, Transitions.ARCHIVE_SESSION.target)
    return await sessions.get_session(user_id=user_id, session_id=session_id)


@transition
async def propose_mission(
    work: Work, *, user_id: UUID, session_id: UUID, data: MissionProposal, replace_pending: bool = False
) -> Mission:
    """1.1: create the session's mission `awaiting_approval` with its input and output assets
    (mission-scoped, `awaiting_approval`, mapped with their role). The session must be active
    and hold no mission, or only one that is finished; with `replace_pending` (the assistant
    revising its proposal) a mission still awaiting approval is cancelled and replaced."""
    mission_id = uuid4()
    session = await _session(work, session_id)
    replaced = await _replace_pending(work, session) if replace_pending else None
    await _check_session_open(work, session_id, session)
    await MissionTable.insert(
        MissionTable(
            id=mission_id,
            user_id=user_id,
            name=data.name,
            description=data.description,
            goal=data.goal,
            success_criteria=to_json(data.success_criteria),
            status=Transitions.PROPOSE_MISSION.target,
            current_hop_id=None,
            mission_metadata=to_json({}),
            created_at=work.at,
            updated_at=work.at,
        )
    ).run()
    rows = [
        asset_row(
            user_id=user_id,
            name=proposal.name,
            description=proposal.description,
            schema_definition=proposal.schema_definition,
            role=proposal.role,
            scope_type=AssetScopeType.MISSION,
            scope_id=mission_id,
            content=proposal.content,
            status=AssetStatus(_MISSION_ASSETS.target),
        )
        for proposal in data.assets
    ]
    if rows:
        await check_storage(user_id=user_id, adding=sum(row.content_bytes for row in rows))
        await AssetTable.insert(*rows).run()
        await MissionAssetTable.insert(
            *[
                MissionAssetTable(
                    id=uuid4(),
                    user_id=user_id,
                    mission_id=mission_id,
                    asset_id=row.id,
                    role=row.role,
                    created_at=work.at,
                )
                for row in rows
            ]
        ).run()
    await _attach_to_session(work, session_id, session, mission_id)
    work.proposal = MissionProposalCard(mission_id=mission_id, proposal=data, replaces_mission_id=replaced)
    result = await missions.get_mission(user_id=user_id, mission_id=mission_id)
    work.events.add(WorkflowEntity.MISSION, mission_id, Transitions.PROPOSE_MISSION.target, mission_id=mission_id)
    work.events.add_many(WorkflowEntity.ASSET, [row.id for row in rows], _MISSION_ASSETS.target, mission_id=mission_id)
    return result


async def _session(work: Work, session_id: UUID) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await UserSessionTable.select(UserSessionTable.status, UserSessionTable.mission_id)
        .where((UserSessionTable.id == session_id) & (UserSessionTable.user_id == work.user_id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("session", session_id)
    return row


async def _replace_pending(work: Work, session: dict[str, Any]) -> UUID | None:
    """Cancel the session's mission when it still awaits approval (a revised proposal takes
    its place); returns its id, or None when there is nothing to replace."""
    pending = session["mission_id"]
    if pending is None:
        return None
    await work.lock_mission_of(WorkflowEntity.MISSION, pending)
    current = (
        await MissionTable.select(MissionTable.status)
        .where((MissionTable.id == pending) & (MissionTable.user_id == work.user_id))
        .first()
        .run()
    )
    if current is None or current["status"] not in _PENDING_REPLACED.requires:
        return None
    await work.apply(MissionTable, _PENDING_REPLACED, pending, action="replace the pending mission")
    work.events.add(WorkflowEntity.MISSION, pending, _PENDING_REPLACED.target, mission_id=pending)
    return UUID(str(pending))


async def _attach_to_session(work: Work, session_id: UUID, session: dict[str, Any], mission_id: UUID) -> None:
    """Compare-and-set on the session: of two proposals racing for one session, one wins."""
    table = UserSessionTable
    previous = (
        table.mission_id.is_null() if session["mission_id"] is None else table.mission_id == session["mission_id"]
    )
    changed = (
        await table.update({table.mission_id: mission_id, table.updated_at: work.at, table.last_activity_at: work.at})
        .where(
            (table.id == session_id)
            & (table.user_id == work.user_id)
            & table.status.is_in(list(Transitions.PROPOSE_MISSION.requires))
            & previous
        )
        .returning(table.id)
        .run()
    )
    if not changed:
        session = await _session(work, session_id)
        await _check_session_open(work, session_id, session)
        raise refused(
            WorkflowEntity.SESSION,
            session_id,
            session["status"],
            Transitions.PROPOSE_MISSION.requires,
            Transitions.PROPOSE_MISSION.action,
        )


async def _check_session_open(work: Work, session_id: UUID, session: dict[str, Any]) -> None:
    rule = Transitions.PROPOSE_MISSION
    if session["status"] not in rule.requires:
        raise refused(WorkflowEntity.SESSION, session_id, session["status"], rule.requires, rule.action)
    if session["mission_id"] is None:
        return
    current = (
        await MissionTable.select(MissionTable.status)
        .where((MissionTable.id == session["mission_id"]) & (MissionTable.user_id == work.user_id))
        .first()
        .run()
    )
    if current is not None and current["status"] not in FINISHED_MISSION:
        raise refused(
            WorkflowEntity.MISSION,
            session["mission_id"],
            current["status"],
            FINISHED_MISSION,
            rule.action,
            hint="This session already has a mission that is not finished; complete or cancel it first.",
        )


@transition
async def accept_mission(work: Work, *, user_id: UUID, mission_id: UUID) -> Mission:
    """1.2: the mission goes `in_progress`; its assets become `ready_for_processing`."""
    await work.move(MissionTable, Transitions.ACCEPT_MISSION, mission_id)
    work.events.add(WorkflowEntity.MISSION, mission_id, Transitions.ACCEPT_MISSION.target, mission_id=mission_id)
    rows = (
        await AssetTable.update({AssetTable.status: _ASSETS_ACCEPTED.target, AssetTable.updated_at: work.at})
        .where(
            (AssetTable.user_id == user_id)
            & AssetTable.status.is_in(list(_ASSETS_ACCEPTED.requires))
            & AssetTable.id.is_in(
                MissionAssetTable.select(MissionAssetTable.asset_id).where(
                    (MissionAssetTable.mission_id == mission_id) & (MissionAssetTable.user_id == user_id)
                )
            )
        )
        .returning(AssetTable.id)
        .run()
    )
    work.events.add_many(WorkflowEntity.ASSET, [r["id"] for r in rows], _ASSETS_ACCEPTED.target, mission_id=mission_id)
    return await missions.get_mission(user_id=user_id, mission_id=mission_id)


@transition
async def cancel_mission(work: Work, *, user_id: UUID, mission_id: UUID) -> Mission:
    """1.3: the mission goes `cancelled`, with every unfinished hop and its unfinished steps
    (a hop that failed is cancelled too, so it cannot be retried)."""
    await work.move(MissionTable, Transitions.CANCEL_MISSION, mission_id)
    work.events.add(WorkflowEntity.MISSION, mission_id, Transitions.CANCEL_MISSION.target, mission_id=mission_id)
    hops = (
        await HopTable.update({HopTable.status: _HOPS_CANCELLED.target, HopTable.updated_at: work.at})
        .where(
            (HopTable.mission_id == mission_id)
            & (HopTable.user_id == user_id)
            & HopTable.status.is_in(list(_HOPS_CANCELLED.requires))
        )
        .returning(HopTable.id)
        .run()
    )
    hop_ids = [r["id"] for r in hops]
    work.events.add_many(WorkflowEntity.HOP, hop_ids, _HOPS_CANCELLED.target, mission_id=mission_id)
    if hop_ids:
        steps = (
            await ToolStepTable.update(
                {ToolStepTable.status: _STEPS_CANCELLED.target, ToolStepTable.updated_at: work.at}
            )
            .where(
                ToolStepTable.hop_id.is_in(hop_ids)
                & (ToolStepTable.user_id == user_id)
                & ToolStepTable.status.is_in(list(_STEPS_CANCELLED.requires))
            )
            .returning(ToolStepTable.id, ToolStepTable.hop_id)
            .run()
        )
        for step in steps:
            work.events.add(
                WorkflowEntity.TOOL_STEP,
                step["id"],
                _STEPS_CANCELLED.target,
                mission_id=mission_id,
                hop_id=step["hop_id"],
            )
    await _stop_processing_assets(work, mission_id)
    return await missions.get_mission(user_id=user_id, mission_id=mission_id)


async def _stop_processing_assets(work: Work, mission_id: UUID) -> None:
    """The assets running steps were writing (the mission's, and its hops' own) stop being
    `processing`: the executor's later report is refused, so nothing else would move them."""
    of_mission = MissionAssetTable.select(MissionAssetTable.asset_id).where(
        (MissionAssetTable.mission_id == mission_id) & (MissionAssetTable.user_id == work.user_id)
    )
    of_hops = HopAssetTable.select(HopAssetTable.asset_id).where(
        (HopAssetTable.user_id == work.user_id)
        & HopAssetTable.hop_id.is_in(
            HopTable.select(HopTable.id).where((HopTable.mission_id == mission_id) & (HopTable.user_id == work.user_id))
        )
    )
    rows = (
        await AssetTable.update({AssetTable.status: _ASSETS_STOPPED.target, AssetTable.updated_at: work.at})
        .where(
            (AssetTable.user_id == work.user_id)
            & AssetTable.status.is_in(list(_ASSETS_STOPPED.requires))
            & (AssetTable.id.is_in(of_mission) | AssetTable.id.is_in(of_hops))
        )
        .returning(AssetTable.id)
        .run()
    )
    work.events.add_many(WorkflowEntity.ASSET, [r["id"] for r in rows], _ASSETS_STOPPED.target, mission_id=mission_id)


@transition
async def complete_mission(work: Work, *, user_id: UUID, mission_id: UUID) -> Mission:
    """2.10: the mission goes `completed`, and so does its session. Every mission output must
    be `ready`, else 409 `outputs_not_ready` naming those that are not."""
    await work.move(MissionTable, Transitions.COMPLETE_MISSION, mission_id)
    unready = await unready_outputs(work, mission_id)
    if unready:
        raise OutputsNotReady(unready)
    work.events.add(WorkflowEntity.MISSION, mission_id, Transitions.COMPLETE_MISSION.target, mission_id=mission_id)
    await complete_sessions(work, mission_id)
    return await missions.get_mission(user_id=user_id, mission_id=mission_id)


async def unready_outputs(work: Work, mission_id: UUID) -> list[dict[str, Any]]:
    """The mission's output assets that are not `ready` (id, name, status), in name order."""
    rows: list[dict[str, Any]] = (
        await MissionAssetTable.select(
            MissionAssetTable.asset_id.as_alias("id"),
            MissionAssetTable.asset_id.name.as_alias("name"),
            MissionAssetTable.asset_id.status.as_alias("status"),
        )
        .where(
            (MissionAssetTable.mission_id == mission_id)
            & (MissionAssetTable.user_id == work.user_id)
            & (MissionAssetTable.role == AssetRole.OUTPUT)
            & (MissionAssetTable.asset_id.status != AssetStatus.READY)
        )
        .order_by(MissionAssetTable.asset_id.name)
        .run()
    )
    return rows


class OutputsNotReady(Conflict):
    """Completing the mission refused (409): some of its outputs are not ready; `errors` names
    each (field `outputs.<asset id>`)."""

    code = "outputs_not_ready"

    def __init__(self, unready: list[dict[str, Any]]) -> None:
        names = ", ".join(f'"{row["name"]}"' for row in unready)
        plural = "s are" if len(unready) != 1 else " is"
        super().__init__(
            f"Cannot complete mission: its output{plural} not ready yet ({names}); run a hop that writes "
            f"{'them' if len(unready) != 1 else 'it'} first",
            errors=[
                FieldError(
                    field=f"outputs.{row['id']}",
                    reason=f'output "{row["name"]}" is not ready ({label(row["status"], AssetStatus).lower()})',
                )
                for row in unready
            ],
        )


async def complete_sessions(work: Work, mission_id: UUID) -> None:
    """A session whose mission completes becomes completed (2.9 on a final hop, and 2.10)."""
    table = UserSessionTable
    rows = (
        await table.update(
            {table.status: _SESSION_COMPLETES.target, table.updated_at: work.at, table.last_activity_at: work.at}
        )
        .where(
            (table.mission_id == mission_id)
            & (table.user_id == work.user_id)
            & table.status.is_in(list(_SESSION_COMPLETES.requires))
        )
        .returning(table.id)
        .run()
    )
    work.events.add_many(
        WorkflowEntity.SESSION, [r["id"] for r in rows], _SESSION_COMPLETES.target, mission_id=mission_id
    )
