"""Mission templates: missions whose plan and tool chain are known in advance, brought through
the same transitions a person or the assistant uses (docs/tools.md, "The daily newsletter
recap").

The daily newsletter recap: the e-mails of the last day from chosen senders
(`email_search`), grouped by sender (`group_by`), each group summarized (`summarize_groups`,
by the model when one is configured), and a Markdown recap (`newsletter_recap`) as the
mission's output, of type `daily_newsletter_recap`. The senders are the mission's input
asset; the mailbox is the `email_search` step's `mailbox` resource (host, port, username,
password, security, folder), configured when the mission is made or later on the step.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from server.connections import service as connections
from server.enums import AssetRole, ValueType
from server.errors import InvalidInput, NotFound
from server.missions import service as missions
from server.missions.schemas import (
    AssetProposal,
    ExistingAssetOutput,
    Hop,
    HopImplementationProposal,
    HopPlanProposal,
    Mission,
    MissionProposal,
    ToolStepProposal,
)
from server.schemas import AssetFieldMapping, DiscardMapping, LiteralMapping, SchemaDefinition
from server.workflow import transitions
from server.workflow.schemas import (
    MissionTemplateInfo,
    MissionTemplateList,
    RecapTemplateParameters,
    TemplateMission,
    TemplateParameter,
    ToolStepConfiguration,
)

RECAP_TEMPLATE_ID = "daily_newsletter_recap"
SENDERS = SchemaDefinition(type=ValueType.STRING, is_array=True, description="Newsletter senders (addresses)")
RECAP = SchemaDefinition(type=ValueType.DAILY_NEWSLETTER_RECAP, description="The day's recap, in Markdown")


TEMPLATES = (
    MissionTemplateInfo(
        id=RECAP_TEMPLATE_ID,
        name="Daily newsletter recap",
        description="The last day's e-mails from chosen senders, grouped by sender, each sender's summarized, "
        "as one Markdown recap.",
        parameters=[
            TemplateParameter(
                name="senders",
                label="Senders",
                description="The newsletters' sender addresses (or a part of the sender's name or address).",
                kind="text_list",
                required=True,
            ),
            TemplateParameter(
                name="hours",
                label="Hours to look back",
                description="E-mails received within this many hours before the recap runs.",
                kind="number",
                required=False,
                default=24,
            ),
            TemplateParameter(
                name="mailbox_connection_id",
                label="Mailbox",
                description="A saved mailbox connection; without one, set the mailbox on the search step later.",
                kind="connection",
                required=False,
                resource_type="imap",
            ),
        ],
    ),
)


def recap_mission(senders: list[str]) -> MissionProposal:
    return MissionProposal(
        name="Daily newsletter recap",
        description="Read the last day's newsletters from the chosen senders and recap them, sender by sender.",
        goal="A Markdown recap of the day's newsletters",
        success_criteria=["every chosen sender's messages of the last day are covered", "one summary per sender"],
        assets=[
            AssetProposal(
                name="Newsletter senders",
                description="The senders whose e-mails are recapped",
                schema_definition=SENDERS,
                role=AssetRole.INPUT,
                content=senders,
            ),
            AssetProposal(
                name="Daily newsletter recap",
                description="The last day's newsletters, sender by sender",
                schema_definition=RECAP,
                role=AssetRole.OUTPUT,
            ),
        ],
    )


def recap_plan(senders_id: UUID, recap_id: UUID) -> HopPlanProposal:
    return HopPlanProposal(
        name="Recap the day's newsletters",
        description="Search the mailbox, group by sender, summarize each sender, write the recap",
        goal="The daily newsletter recap",
        rationale="Four tools do it: the mailbox search, grouping, a summary per group and the recap",
        success_criteria=["recap written"],
        is_final=True,
        inputs=[senders_id],
        # The final hop writes the mission's declared output (docs/domain.md).
        output=ExistingAssetOutput(mission_asset_id=recap_id),
    )


def recap_chain(
    *, senders_id: UUID, recap_id: UUID, mailbox: dict[str, Any] | None = None, hours: float = 24
) -> HopImplementationProposal:
    """email_search -> group_by (sender's address) -> summarize_groups -> newsletter_recap."""
    emails, groups, summaries = uuid4(), uuid4(), uuid4()
    return HopImplementationProposal(
        steps=[
            ToolStepProposal(
                tool_id="email_search",
                name="The last day's e-mails from the senders",
                parameter_mapping={
                    "senders": AssetFieldMapping(state_asset=senders_id),
                    "newer_than_hours": LiteralMapping(value=hours),
                    "max_messages": LiteralMapping(value=200),
                },
                result_mapping={"emails": AssetFieldMapping(state_asset=emails), "matched": DiscardMapping()},
                resource_configs={"mailbox": mailbox} if mailbox else {},
            ),
            ToolStepProposal(
                tool_id="group_by",
                name="Group by sender",
                parameter_mapping={
                    "items": AssetFieldMapping(state_asset=emails),
                    "key": LiteralMapping(value="from.address"),
                    "case_insensitive": LiteralMapping(value=True),
                },
                result_mapping={"groups": AssetFieldMapping(state_asset=groups)},
            ),
            ToolStepProposal(
                tool_id="summarize_groups",
                name="Summarize each sender",
                parameter_mapping={
                    "groups": AssetFieldMapping(state_asset=groups),
                    "text_path": LiteralMapping(value="body"),
                    "title_path": LiteralMapping(value="subject"),
                    "label_path": LiteralMapping(value="from.name"),
                    "links_path": LiteralMapping(value="links"),
                },
                result_mapping={"summaries": AssetFieldMapping(state_asset=summaries)},
            ),
            ToolStepProposal(
                tool_id="newsletter_recap",
                name="Write the recap",
                parameter_mapping={"newsletters": AssetFieldMapping(state_asset=summaries)},
                result_mapping={"recap": AssetFieldMapping(state_asset=recap_id)},
            ),
        ]
    )


async def create_recap_mission(
    *,
    user_id: UUID,
    session_id: UUID,
    senders: list[str],
    mailbox: dict[str, Any] | None = None,
    hours: float = 24,
    mailbox_connection_id: UUID | None = None,
) -> tuple[Mission, Hop]:
    """The recap mission in a session, accepted, with its hop's chain accepted: ready to
    execute when the mailbox is configured (given values, or a saved connection), else its
    search step awaits configuration."""
    mission = await transitions.propose_mission(user_id=user_id, session_id=session_id, data=recap_mission(senders))
    mission = await transitions.accept_mission(user_id=user_id, mission_id=mission.id)
    (senders_id,) = mission.asset_summary.inputs
    (recap_id,) = mission.asset_summary.outputs
    hop = await transitions.start_hop_plan(user_id=user_id, mission_id=mission.id)
    hop = await transitions.propose_hop_plan(user_id=user_id, hop_id=hop.id, data=recap_plan(senders_id, recap_id))
    await transitions.accept_hop_plan(user_id=user_id, hop_id=hop.id)
    await transitions.start_hop_implementation(user_id=user_id, hop_id=hop.id)
    chain = recap_chain(senders_id=senders_id, recap_id=recap_id, mailbox=mailbox, hours=hours)
    await transitions.propose_hop_implementation(user_id=user_id, hop_id=hop.id, data=chain)
    hop = await transitions.accept_hop_implementation(user_id=user_id, hop_id=hop.id)
    if mailbox_connection_id is not None:
        search = hop.tool_steps[0]
        configuration = ToolStepConfiguration(connections={"mailbox": mailbox_connection_id})
        await transitions.configure_tool_step(user_id=user_id, step_id=search.id, data=configuration)
        hop = await missions.get_hop(user_id=user_id, hop_id=hop.id)
    return mission, hop


def list_templates() -> MissionTemplateList:
    return MissionTemplateList(items=list(TEMPLATES))


async def start_from_template(
    *, user_id: UUID, session_id: UUID, template_id: str, data: RecapTemplateParameters
) -> TemplateMission:
    """A template's mission in a session (docs/tools.md, "Mission templates"). The connection
    is checked first (another user's answers 404, another type 400), so bad input writes
    nothing; a session with a mission in progress is refused (409) by the first transition."""
    if template_id not in {template.id for template in TEMPLATES}:
        raise NotFound("mission template", template_id)
    if data.mailbox_connection_id is not None:
        connection = await connections.get_connection(user_id=user_id, connection_id=data.mailbox_connection_id)
        if connection.resource_type != "imap":
            raise InvalidInput(
                "body.mailbox_connection_id",
                f'connection "{connection.name}" is of type "{connection.resource_type}"; the mailbox needs "imap"',
            )
    senders = list(dict.fromkeys(sender.strip() for sender in data.senders))
    mission, hop = await create_recap_mission(
        user_id=user_id,
        session_id=session_id,
        senders=senders,
        hours=data.hours,
        mailbox_connection_id=data.mailbox_connection_id,
    )
    return TemplateMission(mission=await missions.get_mission(user_id=user_id, mission_id=mission.id), hop=hop)
