"""Saved connections of a user."""

from piccolo.columns import UUID, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from server.columns import created_column, enum_check, enum_column, json_column
from server.enums import DEFAULT_CONNECTION_CHECK_STATUS, ConnectionCheckStatus
from server.users.tables import User


class Connection(Table, tablename="connections"):
    """One resource configuration; `secret_values` holds field -> ciphertext
    (`server.workflow.secrets`), never decrypted but to run a step or a check."""

    id = UUID(primary_key=True)
    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    name = Varchar(length=255, null=False)
    resource_type = Varchar(length=100, null=False)
    plain_values = json_column()
    secret_values = json_column()
    check_status = enum_column(ConnectionCheckStatus, DEFAULT_CONNECTION_CHECK_STATUS)
    check_message = Text(null=True, default=None)
    checked_at = Timestamptz(null=True, default=None)
    created_at = created_column()
    updated_at = created_column()

    uq_connections_user_name = Unique(["user_id", "name"])
    ck_connections_check_status = enum_check("connections", "check_status", ConnectionCheckStatus)
