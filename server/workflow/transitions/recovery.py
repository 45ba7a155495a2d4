"""Recovery: a running step holds a lease that the server running it renews
(`ToolStep.lease_expires_at`, docs/security.md, "Leases"). A step still `executing` whose lease
lapsed was left by a server process that stopped: any process's sweep fails it (2.8b) with a
message saying so, and its hop with it; retrying the hop (2.8c) runs it again."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import timedelta
from uuid import UUID

from server.database import now
from server.errors import ApiError
from server.missions.tables import ToolStep as ToolStepTable
from server.settings import get_settings
from server.workflow.state_machine import Transitions
from server.workflow.transitions.execution import fail_tool_step

logger = logging.getLogger("server.recovery")

STALE_STEP_MESSAGE = (
    "The server running this step stopped before it finished (its lease lapsed); retry the hop to run it again."
)
_EXECUTING = list(Transitions.FAIL_TOOL_STEP.requires)


def lease_duration() -> timedelta:
    return timedelta(seconds=get_settings().execution.step_lease_seconds)


async def renew_leases(hop_ids: Collection[UUID]) -> int:
    """Extend the lease of the executing steps of these hops (the ones this process runs);
    returns how many. Not a change of status: only the hold on it is moved on."""
    if not hop_ids:
        return 0
    rows = (
        await ToolStepTable.update({ToolStepTable.lease_expires_at: now() + lease_duration()})
        .where(ToolStepTable.hop_id.is_in(list(hop_ids)) & ToolStepTable.status.is_in(_EXECUTING))
        .returning(ToolStepTable.id)
        .run()
    )
    return len(rows)


async def fail_stale_steps(*, older_than: timedelta | None = None, running_hops: Collection[UUID] = ()) -> int:
    """Fail every step (of any user) still `executing` whose lease lapsed, except in
    `running_hops` (the hops this process runs); returns how many were failed. With
    `older_than`, fail instead those whose last change is older than that, leased or not. A step
    another process completes or fails meanwhile is left alone."""
    at = now()
    executing = ToolStepTable.status.is_in(_EXECUTING)
    if older_than is not None:
        condition = executing & (ToolStepTable.updated_at < at - older_than)
    else:
        # No step runs past its time limit (the executor stops it), so one unchanged for longer
        # than that and a lease is stale too, whatever its lease says (or a row with no lease).
        overdue = at - timedelta(seconds=get_settings().execution.step_timeout_seconds) - lease_duration()
        condition = executing & ((ToolStepTable.lease_expires_at < at) | (ToolStepTable.updated_at < overdue))
    rows = (
        await ToolStepTable.select(ToolStepTable.id, ToolStepTable.user_id, ToolStepTable.hop_id).where(condition).run()
    )
    failed = 0
    for row in rows:
        if row["hop_id"] in running_hops:
            continue
        try:
            await fail_tool_step(user_id=row["user_id"], step_id=row["id"], error=STALE_STEP_MESSAGE)
            failed += 1
        except ApiError:
            pass  # it finished or was failed meanwhile
    if failed:
        logger.warning("failed %d tool step(s) left executing by a stopped server", failed)
    return failed
