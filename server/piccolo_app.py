"""The Piccolo app: every table of the product, with migrations in the top-level `migrations/`."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.assets.tables import Asset, HopAsset, MissionAsset
from server.assistant.tables import AssistantTurn
from server.connections.tables import Connection
from server.importer.tables import ImportLedgerEntry
from server.missions.tables import Hop, Mission, ToolStep
from server.sessions.tables import Chat, ChatMessage, UserSession
from server.users.tables import AuthSession, RateLimitCount, User

TABLES = [
    User,
    AuthSession,
    Mission,
    Hop,
    ToolStep,
    Asset,
    MissionAsset,
    HopAsset,
    Chat,
    ChatMessage,
    UserSession,
    ImportLedgerEntry,
    AssistantTurn,
    RateLimitCount,
    Connection,
]

APP_CONFIG = AppConfig(
    app_name="server",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations"),
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
)
