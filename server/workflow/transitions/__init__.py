"""The transition service: every change of status of the workflow, one function per row of
the transition table (`server/workflow/state_machine.py`, docs/state-machine.md), by stage.

Each transition is keyword-only, runs in one unit of work (`unit.transition`: one write
transaction, a rerun after a deadlock, events published after commit) and returns the API
Struct read inside its transaction, so it shows exactly what the transition wrote.
"""

from server.workflow.transitions.execution import (
    complete_hop,
    complete_tool_step,
    execute_hop,
    fail_tool_step,
    retry_hop,
)
from server.workflow.transitions.implementation import (
    InvalidConfiguration,
    accept_hop_implementation,
    configure_tool_step,
    propose_hop_implementation,
    reject_hop_implementation,
    revise_hop,
    start_hop_implementation,
    validate_hop_implementation,
)
from server.workflow.transitions.missions import (
    accept_mission,
    archive_session,
    cancel_mission,
    complete_mission,
    propose_mission,
)
from server.workflow.transitions.planning import accept_hop_plan, propose_hop_plan, reject_hop_plan, start_hop_plan
from server.workflow.transitions.recovery import STALE_STEP_MESSAGE, fail_stale_steps, renew_leases
from server.workflow.transitions.single import run_from_tool_step, run_tool_step
from server.workflow.transitions.unit import AFTER_COMMIT, Committed, acting_as

__all__ = [
    "AFTER_COMMIT",
    "STALE_STEP_MESSAGE",
    "Committed",
    "acting_as",
    "InvalidConfiguration",
    "accept_hop_implementation",
    "accept_hop_plan",
    "accept_mission",
    "archive_session",
    "cancel_mission",
    "complete_hop",
    "complete_mission",
    "complete_tool_step",
    "configure_tool_step",
    "execute_hop",
    "fail_stale_steps",
    "fail_tool_step",
    "propose_hop_implementation",
    "propose_hop_plan",
    "propose_mission",
    "reject_hop_implementation",
    "reject_hop_plan",
    "renew_leases",
    "retry_hop",
    "revise_hop",
    "run_from_tool_step",
    "run_tool_step",
    "start_hop_implementation",
    "start_hop_plan",
    "validate_hop_implementation",
]
