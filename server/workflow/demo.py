"""Demo data: a demo account with two sessions. The first holds a complete mission whose
final hop is implemented, accepted and ready to execute, using only tools that need no
external service. The second holds the daily newsletter recap (`server.workflow.templates`),
whose mailbox search step awaits its `mailbox` resource unless one is given.

`python -m server demo` creates them (again and again: each run adds new sessions and
missions to the same account); `--run` also executes the first mission's hop, so it
completes, and the recap's when its mailbox is configured.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from server.database import engine
from server.enums import AssetRole, ValueType
from server.errors import Conflict
from server.missions.schemas import (
    AssetProposal,
    ExistingAssetOutput,
    HopImplementationProposal,
    HopPlanProposal,
    MissionProposal,
    ToolStepProposal,
)
from server.missions.service import get_hop, get_mission
from server.schemas import AssetFieldMapping, DiscardMapping, LiteralMapping, SchemaDefinition
from server.sessions.schemas import UserSessionCreate
from server.sessions.service import create_session
from server.users.service import create_user, normalize_email
from server.users.tables import User as UserTable
from server.workflow import executor, transitions
from server.workflow.templates import create_recap_mission

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"

ARTICLES = [
    {
        "title": "Spring tides and the new moon",
        "section": "science",
        "words": 820,
        "published": "2026-03-02",
        "text": "Spring tides happen when the sun and the moon align. The pull adds up and high tides run higher.",
    },
    {
        "title": "Harbour budget approved",
        "section": "politics",
        "words": 640,
        "published": "2026-03-03",
        "text": "The council approved the harbour budget. Dredging starts in May.",
    },
    {
        "title": "Why comets have two tails",
        "section": "science",
        "words": 1150,
        "published": "2026-02-27",
        "text": "A comet's dust tail curves along its orbit. Its ion tail points straight away from the sun.",
    },
    {
        "title": "Kelp forests return to the bay",
        "section": "environment",
        "words": 930,
        "published": "2026-03-01",
        "text": "Divers counted twice as much kelp as last year. Sea urchins are fewer since otters came back.",
    },
    {
        "title": "Tide gauges go digital",
        "section": "science",
        "words": 410,
        "published": "2026-03-04",
        "text": "The old float gauges are replaced by radar sensors that report every minute.",
    },
    {
        "title": "Ferry timetable changes",
        "section": "local",
        "words": 300,
        "published": "2026-03-04",
        "text": "Ferries leave twenty minutes earlier on weekdays from April.",
    },
]

OBJECTS = SchemaDefinition(type=ValueType.OBJECT, is_array=True)
READING_LIST = MissionProposal(
    name="Science reading list",
    description="Pick this week's science articles, newest first, as a reading list.",
    goal="A reading list of the science articles",
    success_criteria=["only science articles", "newest first"],
    assets=[
        AssetProposal(
            name="Articles",
            description="This week's articles",
            schema_definition=OBJECTS,
            role=AssetRole.INPUT,
            content=ARTICLES,
        ),
        AssetProposal(
            name="Reading list",
            description="Science articles, newest first",
            schema_definition=OBJECTS,
            role=AssetRole.OUTPUT,
        ),
    ],
)

DEMO_SENDERS = ["editor@tides.example.org", "news@harbour.example.net"]
"""The senders the demo's newsletter recap reads."""


@dataclass(frozen=True, slots=True)
class DemoMission:
    user_id: UUID
    email: str
    password: str | None
    """The password of a newly created account; None when the account already existed."""
    session_id: UUID
    mission_id: UUID
    hop_id: UUID
    hop_status: str
    mission_status: str
    recap_session_id: UUID
    recap_mission_id: UUID
    recap_hop_id: UUID
    recap_hop_status: str


async def _demo_user(email: str, password: str) -> tuple[UUID, str | None]:
    try:
        user = await create_user(email=email, password=password)
        return user.id, password
    except Conflict:
        row = await UserTable.select(UserTable.id).where(UserTable.email == normalize_email(email)).first().run()
        assert row is not None
        return row["id"], None


def demo_chain(*, articles_id: UUID, reading_list_id: UUID) -> HopImplementationProposal:
    """filter (science) -> sort (newest first) -> extract (title, words, published) -> the
    reading list; and a word count per section, kept as a hop-scoped intermediate."""
    kept, ordered = uuid4(), uuid4()
    return HopImplementationProposal(
        steps=[
            ToolStepProposal(
                tool_id="filter",
                name="Keep science articles",
                parameter_mapping={
                    "items": AssetFieldMapping(state_asset=articles_id),
                    "conditions": LiteralMapping(value=[{"path": "section", "op": "eq", "value": "science"}]),
                },
                result_mapping={"items": AssetFieldMapping(state_asset=kept)},
            ),
            ToolStepProposal(
                tool_id="sort",
                name="Newest first",
                parameter_mapping={
                    "items": AssetFieldMapping(state_asset=kept),
                    "keys": LiteralMapping(value=[{"path": "published", "descending": True}]),
                },
                result_mapping={"items": AssetFieldMapping(state_asset=ordered)},
            ),
            ToolStepProposal(
                tool_id="extract",
                name="Reading list entries",
                parameter_mapping={
                    "items": AssetFieldMapping(state_asset=ordered),
                    "fields": LiteralMapping(value={"title": "title", "words": "words", "published": "published"}),
                },
                result_mapping={"items": AssetFieldMapping(state_asset=reading_list_id)},
            ),
            ToolStepProposal(
                tool_id="group_reduce",
                name="Words per section",
                parameter_mapping={
                    "items": AssetFieldMapping(state_asset=articles_id),
                    "key": LiteralMapping(value="section"),
                    "reductions": LiteralMapping(
                        value=[{"name": "articles", "op": "count"}, {"name": "words", "op": "sum", "path": "words"}]
                    ),
                },
                result_mapping={"groups": DiscardMapping()},
            ),
        ]
    )


async def _recap(user_id: UUID, mailbox: dict[str, Any] | None, run: bool) -> tuple[UUID, UUID, UUID, str]:
    """The second session: the daily newsletter recap, run with `run` when it can run."""
    session = await create_session(
        user_id=user_id, data=UserSessionCreate(name="Demo: daily newsletter recap", chat_title="Newsletters")
    )
    mission, hop = await create_recap_mission(
        user_id=user_id, session_id=session.id, senders=DEMO_SENDERS, mailbox=mailbox
    )
    if run and all(step.status == "ready_to_execute" for step in hop.tool_steps):
        await transitions.execute_hop(user_id=user_id, hop_id=hop.id)
        await executor.run_hop(user_id=user_id, hop_id=hop.id)
        hop = await get_hop(user_id=user_id, hop_id=hop.id)
    return session.id, mission.id, hop.id, str(hop.status)


async def create_demo(
    *,
    email: str = DEMO_EMAIL,
    password: str = DEMO_PASSWORD,
    run: bool = False,
    mailbox: dict[str, Any] | None = None,
) -> DemoMission:
    """Create (or reuse) the demo account and give it a new session with a runnable mission,
    brought through the transitions up to a hop ready to execute, and a session with the
    newsletter recap (`mailbox`: its `mailbox` resource values); with `run`, execute them."""
    user_id, new_password = await _demo_user(email, password)
    session = await create_session(
        user_id=user_id, data=UserSessionCreate(name="Demo: science reading list", chat_title="Demo")
    )
    mission = await transitions.propose_mission(
        user_id=user_id,
        session_id=session.id,
        data=READING_LIST,
    )
    mission = await transitions.accept_mission(user_id=user_id, mission_id=mission.id)
    (articles_id,) = mission.asset_summary.inputs
    (reading_list_id,) = mission.asset_summary.outputs
    hop = await transitions.start_hop_plan(user_id=user_id, mission_id=mission.id)
    hop = await transitions.propose_hop_plan(
        user_id=user_id,
        hop_id=hop.id,
        data=HopPlanProposal(
            name="Build the reading list",
            description="Filter, order and trim the articles",
            goal="The reading list",
            rationale="Three data tools do it without any external service",
            success_criteria=["reading list written"],
            is_final=True,
            inputs=[articles_id],
            output=ExistingAssetOutput(mission_asset_id=reading_list_id),
        ),
    )
    await transitions.accept_hop_plan(user_id=user_id, hop_id=hop.id)
    await transitions.start_hop_implementation(user_id=user_id, hop_id=hop.id)
    await transitions.propose_hop_implementation(
        user_id=user_id, hop_id=hop.id, data=demo_chain(articles_id=articles_id, reading_list_id=reading_list_id)
    )
    hop = await transitions.accept_hop_implementation(user_id=user_id, hop_id=hop.id)
    if run:
        await transitions.execute_hop(user_id=user_id, hop_id=hop.id)
        await executor.run_hop(user_id=user_id, hop_id=hop.id)
        hop = await get_hop(user_id=user_id, hop_id=hop.id)
    mission = await get_mission(user_id=user_id, mission_id=mission.id)
    recap_session, recap_mission, recap_hop, recap_status = await _recap(user_id, mailbox, run)
    return DemoMission(
        user_id=user_id,
        email=normalize_email(email),
        password=new_password,
        session_id=session.id,
        mission_id=mission.id,
        hop_id=hop.id,
        hop_status=str(hop.status),
        mission_status=str(mission.status),
        recap_session_id=recap_session,
        recap_mission_id=recap_mission,
        recap_hop_id=recap_hop,
        recap_hop_status=recap_status,
    )


def main(*, email: str, password: str, run: bool, mailbox: dict[str, Any] | None = None) -> DemoMission:
    """Run `create_demo` with the database pool open (for the command line)."""

    async def go() -> DemoMission:
        db = engine()
        await db.start_connection_pool()
        try:
            return await create_demo(email=email, password=password, run=run, mailbox=mailbox)
        finally:
            await db.close_connection_pool()

    return asyncio.run(go())
