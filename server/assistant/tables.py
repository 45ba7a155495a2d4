"""Assistant turns: one row per turn, so that one turn at a time runs per session even with
several server processes, and a turn can be cancelled from any of them."""

from piccolo.columns import UUID, Boolean, ForeignKey, OnDelete, Timestamptz
from piccolo.table import Table

from server.columns import created_column
from server.sessions.tables import UserSession
from server.users.tables import User


class AssistantTurn(Table, tablename="assistant_turns"):
    id = UUID(primary_key=True)
    user_id = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    session_id = ForeignKey(UserSession, on_delete=OnDelete.cascade, null=False, index=True)
    running_session_id = UUID(null=True, default=None, unique=True)
    """The session's id while the turn runs, null once it ended: the unique constraint is the
    one-turn-per-session slot."""
    follow_up = Boolean(default=False, null=False)
    """A message arrived while the turn ran: another turn answers it once this one ends."""
    cancel_requested = Boolean(default=False, null=False)
    started_at = created_column()
    heartbeat_at = created_column()
    """Renewed while the turn runs; a turn whose process stopped is recognised by its age."""
    ended_at = Timestamptz(null=True, default=None)
