"""Request and result shapes of the transitions that the proposal Structs in
`server.missions.schemas` do not cover."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from server.missions.schemas import Hop, Mission
from server.schemas import AssetFieldMapping, FieldError, Input, Name, Output, ShortText, json_size_problem


class ToolStepConfiguration(Input, kw_only=True):
    """Values for a step's resources (transition 2.6b, docs/state-machine.md). Fields not named keep their stored value;
    a null value clears a field. Secret fields are stored encrypted and never returned."""

    resource_configs: Annotated[dict[str, dict[str, Any]], Meta(max_length=20)] = {}
    """Resource id -> field name -> value (the step's own values; they replace a connection)."""
    connections: Annotated[dict[str, UUID | None], Meta(max_length=20)] = {}
    """Resource id -> the saved connection the step uses for it (its values are read at each
    run), or null to stop using one. A resource cannot get both a connection and values."""


class ChainValidation(Output, kw_only=True):
    """The result of checking a tool chain without storing it."""

    valid: bool
    errors: list[FieldError]
    """Every error at once, each naming the step, the parameter or output, and the asset."""


class LabLiteral(msgspec.Struct, tag="literal", tag_field="type", kw_only=True, forbid_unknown_fields=True):
    """A literal value for a tool run in the lab, bounded like an asset's content
    (`CONTENT_MAX_BYTES`)."""

    value: Any

    def __post_init__(self) -> None:
        if problem := json_size_problem("content", self.value):
            raise ValueError(problem.replace("`content`", "`value`", 1))


LabParameter = AssetFieldMapping | LabLiteral


class ToolRun(Input, kw_only=True):
    """Run a tool on its own, outside any mission: each parameter a literal value or one of
    the user's assets. Nothing is stored."""

    parameters: Annotated[dict[str, LabParameter], Meta(max_length=50)] = {}
    """Parameter name -> where its value comes from."""
    connections: Annotated[dict[str, UUID], Meta(max_length=20)] = {}
    """Resource id -> the saved connection to use for it."""


class ToolRunResult(Output, kw_only=True):
    """What a tool run in the lab returned (not stored)."""

    tool_id: str
    outputs: dict[str, Any]
    """The tool's outputs by name."""
    duration_ms: float
    """Time the server spent on the run, from reading its inputs to checking its outputs."""
    output_bytes: int
    """JSON size of the outputs."""


class ToolResultSave(Input, kw_only=True):
    """Keep one output of a lab run as a new input asset of a mission (typed by the tool's output)."""

    mission_id: UUID
    tool_id: str
    output: str
    """The name of the tool's output the content came from (it gives the asset's schema)."""
    name: Name
    description: ShortText | None = None
    content: Any


# Mission templates (docs/tools.md, "Mission templates") -------------------------------------

Sender = Annotated[str, Meta(min_length=1, max_length=300, pattern=r"\S")]


class TemplateParameter(Output, kw_only=True):
    """One value a person gives when starting a mission from a template."""

    name: str
    """The field of the template's request body."""
    label: str
    description: str
    kind: Literal["text_list", "number", "connection"]
    """`text_list`: a list of texts (one per line in a form); `number`; `connection`: the id of
    a saved connection of `resource_type`."""
    required: bool
    default: Any | None = None
    resource_type: str | None = None


class MissionTemplateInfo(Output, kw_only=True):
    """A mission whose plan and tool chain are known in advance."""

    id: str
    name: str
    description: str
    parameters: list[TemplateParameter]


class MissionTemplateList(Output, kw_only=True):
    items: list[MissionTemplateInfo]


class RecapTemplateParameters(Input, kw_only=True):
    """Start the daily newsletter recap: whose e-mails, over how many hours, from which mailbox."""

    senders: Annotated[list[Sender], Meta(min_length=1, max_length=50)]
    """Sender addresses (or a part of the sender's name or address)."""
    hours: Annotated[float, Meta(gt=0, le=720)] = 24
    """E-mails received within this many hours before the run (24 for the last day)."""
    mailbox_connection_id: UUID | None = None
    """A saved `imap` connection for the mailbox search; without one its step awaits configuration."""


class TemplateMission(Output, kw_only=True):
    """The mission made from a template, with its first hop (plan and chain accepted)."""

    mission: Mission
    hop: Hop
