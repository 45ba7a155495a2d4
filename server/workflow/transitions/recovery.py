"""Recovery: steps left `executing` by a server process that stopped are failed (2.8b) with a
message saying so, and their hops with them; retrying the hop (2.8c) runs them again."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import timedelta
from uuid import UUID

from server.database import now
from server.errors import ApiError
from server.missions.tables import ToolStep as ToolStepTable
from server.workflow.state_machine import Transitions
from server.workflow.transitions.execution import fail_tool_step

logger = logging.getLogger("server.recovery")

STALE_STEP_MESSAGE = "The server stopped while this step was running; retry the hop to run it again."


async def fail_stale_steps(*, older_than: timedelta, running_hops: Collection[UUID] = ()) -> int:
    """Fail every step (of any user) still `executing` whose last change is older than
    `older_than`, except in `running_hops` (the hops this process is running); returns how
    many were failed. A step another process completes or fails meanwhile is left alone."""
    cutoff = now() - older_than
    rows = (
        await ToolStepTable.select(ToolStepTable.id, ToolStepTable.user_id, ToolStepTable.hop_id)
        .where(
            ToolStepTable.status.is_in(list(Transitions.FAIL_TOOL_STEP.requires)) & (ToolStepTable.updated_at < cutoff)
        )
        .run()
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
