"""Every enumeration of the product, defined once.

Tables, API schemas, migrations and the generated TypeScript all take their values and
defaults from this module. Member order is the canonical order (docs/domain.md).
"""

from __future__ import annotations

from enum import StrEnum


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
