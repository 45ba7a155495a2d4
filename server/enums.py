"""Every enumeration of the product, defined once.

Tables, API schemas, migrations and the generated TypeScript all take their values and
defaults from this module. Member order is the canonical order (docs/domain.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class MessageRole(StrEnum):
    """Who wrote a chat message."""

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    TOOL = "tool"
    STATUS = "status"


class UserSessionStatus(StrEnum):
    """Lifecycle of a user's working session."""

    ACTIVE = "active"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    ARCHIVED = "archived"


class MissionStatus(StrEnum):
    """Lifecycle of a mission."""

    AWAITING_APPROVAL = "awaiting_approval"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class HopStatus(StrEnum):
    """Lifecycle of a hop: planning, implementation, execution."""

    HOP_PLAN_STARTED = "hop_plan_started"
    HOP_PLAN_PROPOSED = "hop_plan_proposed"
    HOP_PLAN_READY = "hop_plan_ready"
    HOP_IMPL_STARTED = "hop_impl_started"
    HOP_IMPL_PROPOSED = "hop_impl_proposed"
    HOP_IMPL_READY = "hop_impl_ready"
    EXECUTING = "executing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ToolExecutionStatus(StrEnum):
    """Lifecycle of one tool step."""

    AWAITING_CONFIGURATION = "awaiting_configuration"
    READY_TO_EXECUTE = "ready_to_execute"
    EXECUTING = "executing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class AssetStatus(StrEnum):
    """Lifecycle of an asset's data."""

    PENDING = "pending"
    AWAITING_APPROVAL = "awaiting_approval"
    READY_FOR_PROCESSING = "ready_for_processing"
    PROCESSING = "processing"
    READY = "ready"
    ERROR = "error"
    EXPIRED = "expired"


class AssetRole(StrEnum):
    """The part an asset plays for a mission or a hop."""

    INPUT = "input"
    OUTPUT = "output"
    INTERMEDIATE = "intermediate"


class AssetScopeType(StrEnum):
    """What an asset belongs to."""

    MISSION = "mission"
    HOP = "hop"


class ValueType(StrEnum):
    """Data type of an asset or of a tool parameter or output."""

    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    PRIMITIVE = "primitive"
    OBJECT = "object"
    FILE = "file"
    DATABASE_ENTITY = "database_entity"
    MARKDOWN = "markdown"
    CONFIG = "config"
    EMAIL = "email"
    WEBPAGE = "webpage"
    SEARCH_RESULT = "search_result"
    PUBMED_ARTICLE = "pubmed_article"
    NEWSLETTER = "newsletter"
    DAILY_NEWSLETTER_RECAP = "daily_newsletter_recap"


class WorkflowEntity(StrEnum):
    """What a transition or a live event is about."""

    SESSION = "session"
    MISSION = "mission"
    HOP = "hop"
    TOOL_STEP = "tool_step"
    ASSET = "asset"


class EntityChange(StrEnum):
    """What a live event says happened to its entity."""

    STATUS = "status"
    """Its status changed (a transition, or a running step's progress)."""
    CREATED = "created"
    UPDATED = "updated"
    """Its fields were edited (a rename, new content); its status is as before."""
    DELETED = "deleted"


class Actor(StrEnum):
    """Who performed a transition, as the chat records it."""

    PERSON = "person"
    """A person, through a form, a button or a proposal card."""
    ASSISTANT = "assistant"
    """The chat assistant (it only proposes: docs/assistant.md)."""
    SERVER = "server"
    """The server itself: the executor running a hop, the recovery of stopped steps."""


class TurnOutcome(StrEnum):
    """How an assistant turn ended."""

    ANSWERED = "answered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ConnectionCheckStatus(StrEnum):
    """What the last check of a saved connection found (docs/domain.md, "Connections")."""

    UNCHECKED = "unchecked"
    """Never checked, or changed since its last check."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNAVAILABLE = "unavailable"
    """Its resource type has no check."""


# Labels for people, one mapping per enum (what the SPA and the messages show instead of the
# value; generated into TypeScript as `<ENUM>_LABELS`). A test checks every member has one.
MESSAGE_ROLE_LABELS: dict[MessageRole, str] = {
    MessageRole.USER: "You",
    MessageRole.ASSISTANT: "Assistant",
    MessageRole.SYSTEM: "System",
    MessageRole.TOOL: "Tool",
    MessageRole.STATUS: "Status",
}
USER_SESSION_STATUS_LABELS: dict[UserSessionStatus, str] = {
    UserSessionStatus.ACTIVE: "Active",
    UserSessionStatus.COMPLETED: "Completed",
    UserSessionStatus.ABANDONED: "Abandoned",
    UserSessionStatus.ARCHIVED: "Archived",
}
MISSION_STATUS_LABELS: dict[MissionStatus, str] = {
    MissionStatus.AWAITING_APPROVAL: "Awaiting approval",
    MissionStatus.IN_PROGRESS: "In progress",
    MissionStatus.COMPLETED: "Completed",
    MissionStatus.FAILED: "Failed",
    MissionStatus.CANCELLED: "Cancelled",
}
HOP_STATUS_LABELS: dict[HopStatus, str] = {
    HopStatus.HOP_PLAN_STARTED: "Planning",
    HopStatus.HOP_PLAN_PROPOSED: "Plan proposed",
    HopStatus.HOP_PLAN_READY: "Plan ready",
    HopStatus.HOP_IMPL_STARTED: "Implementing",
    HopStatus.HOP_IMPL_PROPOSED: "Implementation proposed",
    HopStatus.HOP_IMPL_READY: "Implementation ready",
    HopStatus.EXECUTING: "Running",
    HopStatus.COMPLETED: "Completed",
    HopStatus.FAILED: "Failed",
    HopStatus.CANCELLED: "Cancelled",
}
TOOL_EXECUTION_STATUS_LABELS: dict[ToolExecutionStatus, str] = {
    ToolExecutionStatus.AWAITING_CONFIGURATION: "Needs settings",
    ToolExecutionStatus.READY_TO_EXECUTE: "Ready to run",
    ToolExecutionStatus.EXECUTING: "Running",
    ToolExecutionStatus.COMPLETED: "Completed",
    ToolExecutionStatus.FAILED: "Failed",
    ToolExecutionStatus.CANCELLED: "Cancelled",
}
ASSET_STATUS_LABELS: dict[AssetStatus, str] = {
    AssetStatus.PENDING: "Pending",
    AssetStatus.AWAITING_APPROVAL: "Awaiting approval",
    AssetStatus.READY_FOR_PROCESSING: "Ready for processing",
    AssetStatus.PROCESSING: "Being written",
    AssetStatus.READY: "Ready",
    AssetStatus.ERROR: "Error",
    AssetStatus.EXPIRED: "Expired",
}
ASSET_ROLE_LABELS: dict[AssetRole, str] = {
    AssetRole.INPUT: "Input",
    AssetRole.OUTPUT: "Output",
    AssetRole.INTERMEDIATE: "Intermediate",
}
ASSET_SCOPE_TYPE_LABELS: dict[AssetScopeType, str] = {
    AssetScopeType.MISSION: "Mission",
    AssetScopeType.HOP: "Hop",
}
VALUE_TYPE_LABELS: dict[ValueType, str] = {
    ValueType.STRING: "Text",
    ValueType.NUMBER: "Number",
    ValueType.BOOLEAN: "Yes/no",
    ValueType.PRIMITIVE: "Text, number or yes/no",
    ValueType.OBJECT: "Object",
    ValueType.FILE: "File",
    ValueType.DATABASE_ENTITY: "Database record",
    ValueType.MARKDOWN: "Markdown",
    ValueType.CONFIG: "Configuration",
    ValueType.EMAIL: "E-mail",
    ValueType.WEBPAGE: "Web page",
    ValueType.SEARCH_RESULT: "Search result",
    ValueType.PUBMED_ARTICLE: "PubMed article",
    ValueType.NEWSLETTER: "Newsletter",
    ValueType.DAILY_NEWSLETTER_RECAP: "Daily newsletter recap",
}
WORKFLOW_ENTITY_LABELS: dict[WorkflowEntity, str] = {
    WorkflowEntity.SESSION: "Session",
    WorkflowEntity.MISSION: "Mission",
    WorkflowEntity.HOP: "Hop",
    WorkflowEntity.TOOL_STEP: "Step",
    WorkflowEntity.ASSET: "Asset",
}
ENTITY_CHANGE_LABELS: dict[EntityChange, str] = {
    EntityChange.STATUS: "Status changed",
    EntityChange.CREATED: "Created",
    EntityChange.UPDATED: "Edited",
    EntityChange.DELETED: "Deleted",
}
ACTOR_LABELS: dict[Actor, str] = {
    Actor.PERSON: "You",
    Actor.ASSISTANT: "Assistant",
    Actor.SERVER: "Server",
}
CONNECTION_CHECK_STATUS_LABELS: dict[ConnectionCheckStatus, str] = {
    ConnectionCheckStatus.UNCHECKED: "Not checked",
    ConnectionCheckStatus.SUCCEEDED: "Works",
    ConnectionCheckStatus.FAILED: "Check failed",
    ConnectionCheckStatus.UNAVAILABLE: "Cannot be checked",
}
TURN_OUTCOME_LABELS: dict[TurnOutcome, str] = {
    TurnOutcome.ANSWERED: "Answered",
    TurnOutcome.FAILED: "Failed",
    TurnOutcome.CANCELLED: "Cancelled",
}
LABELS: dict[type[StrEnum], Mapping[Any, str]] = {
    MessageRole: MESSAGE_ROLE_LABELS,
    UserSessionStatus: USER_SESSION_STATUS_LABELS,
    MissionStatus: MISSION_STATUS_LABELS,
    HopStatus: HOP_STATUS_LABELS,
    ToolExecutionStatus: TOOL_EXECUTION_STATUS_LABELS,
    AssetStatus: ASSET_STATUS_LABELS,
    AssetRole: ASSET_ROLE_LABELS,
    AssetScopeType: ASSET_SCOPE_TYPE_LABELS,
    ValueType: VALUE_TYPE_LABELS,
    WorkflowEntity: WORKFLOW_ENTITY_LABELS,
    EntityChange: ENTITY_CHANGE_LABELS,
    Actor: ACTOR_LABELS,
    TurnOutcome: TURN_OUTCOME_LABELS,
    ConnectionCheckStatus: CONNECTION_CHECK_STATUS_LABELS,
}
"""Every enum of this module -> its labels."""


def label(value: StrEnum | str, enum: type[StrEnum] | None = None) -> str:
    """The label of an enum value for people; a plain string is looked up in `enum` (a value
    it does not hold reads as itself with spaces)."""
    cls = enum if enum is not None else (type(value) if isinstance(value, StrEnum) else None)
    labels = LABELS.get(cls) if cls is not None else None
    if cls is not None and labels is not None:
        try:
            return labels[cls(value)]
        except ValueError:
            pass
    return str(value).replace("_", " ")


# Defaults, used by the Structs and by the table columns alike.
DEFAULT_USER_SESSION_STATUS = UserSessionStatus.ACTIVE
DEFAULT_MISSION_STATUS = MissionStatus.AWAITING_APPROVAL
DEFAULT_HOP_STATUS = HopStatus.HOP_PLAN_STARTED
DEFAULT_TOOL_EXECUTION_STATUS = ToolExecutionStatus.AWAITING_CONFIGURATION
DEFAULT_ASSET_STATUS = AssetStatus.AWAITING_APPROVAL
DEFAULT_CONNECTION_CHECK_STATUS = ConnectionCheckStatus.UNCHECKED

# Values of the earlier system, with what they became (docs/domain.md; the importer maps them, docs/importer.md).
# The API never accepts them; only the import of old data maps them.
RETIRED_VALUES: dict[type[StrEnum], dict[str, StrEnum]] = {
    ToolExecutionStatus: {
        "proposed": ToolExecutionStatus.AWAITING_CONFIGURATION,
        "ready_to_configure": ToolExecutionStatus.AWAITING_CONFIGURATION,
    },
    AssetStatus: {
        "proposed": AssetStatus.AWAITING_APPROVAL,
        "in_progress": AssetStatus.PROCESSING,
    },
    MissionStatus: {
        "pending": MissionStatus.AWAITING_APPROVAL,
        "active": MissionStatus.IN_PROGRESS,
        "complete": MissionStatus.COMPLETED,
        "ready_to_design": MissionStatus.AWAITING_APPROVAL,
    },
}

ALL_ENUMS: tuple[type[StrEnum], ...] = (
    MessageRole,
    UserSessionStatus,
    MissionStatus,
    HopStatus,
    ToolExecutionStatus,
    AssetStatus,
    AssetRole,
    AssetScopeType,
    ValueType,
)
