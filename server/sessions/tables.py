"""Sessions, chats and chat messages."""

from piccolo.columns import UUID, ForeignKey, Integer, OnDelete, Text, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from server.columns import created_column, enum_check, enum_column, json_column
from server.enums import DEFAULT_USER_SESSION_STATUS, MessageRole, UserSessionStatus
from server.missions.tables import Mission
from server.users.tables import User


class Chat(Table, tablename="chats"):
    id = UUID(primary_key=True)
    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    title = Varchar(length=255, null=True, default=None)
    context_data = json_column()
    created_at = created_column()
    updated_at = created_column()


class ChatMessage(Table, tablename="chat_messages"):
    id = UUID(primary_key=True)
    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    chat_id = ForeignKey(Chat, on_delete=OnDelete.cascade, null=False)
    sequence_order = Integer(null=False)
    role = enum_column(MessageRole)
    content = Text(null=False)
    message_metadata = json_column()
    created_at = created_column()

    uq_chat_messages_sequence = Unique(["chat_id", "sequence_order"])
    ck_chat_messages_role = enum_check("chat_messages", "role", MessageRole)


class UserSession(Table, tablename="user_sessions"):
    id = UUID(primary_key=True)
    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    name = Varchar(length=255, null=True, default=None)
    status = enum_column(UserSessionStatus, DEFAULT_USER_SESSION_STATUS)
    chat_id = ForeignKey(Chat, on_delete=OnDelete.restrict, null=False, unique=True)
    mission_id = ForeignKey(Mission, on_delete=OnDelete.set_null, null=True, index=True)
    session_metadata = json_column()
    created_at = created_column()
    updated_at = created_column()
    last_activity_at = created_column()

    ck_user_sessions_status = enum_check("user_sessions", "status", UserSessionStatus)
