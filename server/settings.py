"""Settings, read from the environment once.

- `DATABASE_URL`: a `postgresql://...` URL selects PostgreSQL; unset (or `sqlite:///path`)
  selects the embedded SQLite file `<DATA_DIR>/missions.sqlite`.
- `DATA_DIR`: folder for the SQLite file and the generated secret key (default `./data`).
- `SECRET_KEY`: key that encrypts stored secrets; generated into `<DATA_DIR>/secret.key` when unset.
- `COOKIE_SECURE`: `1` to mark the session cookie Secure (behind HTTPS).
- `IMPORT_BATCH_SIZE`: missions (or chats) read from an earlier database per batch by
  `python -m server import-legacy` (default 250).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None
    data_dir: Path
    cookie_secure: bool
    session_days: int
    login_attempts_per_window: int
    login_window_seconds: int
    import_batch_size: int = 250
    """Missions (or chats) that `import-legacy` reads from the source and writes per batch
    (`IMPORT_BATCH_SIZE`): larger batches mean fewer round trips and more memory."""

    @property
    def is_postgres(self) -> bool:
        return bool(self.database_url) and self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        if self.database_url and self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.data_dir / "missions.sqlite"

    def secret_key(self) -> bytes:
        """The server key for encrypting stored secrets (created once, then kept)."""
        value = os.environ.get("SECRET_KEY")
        if value:
            return value.encode()
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = Path(os.environ.get("DATA_DIR", PROJECT_ROOT / "data")).resolve()
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or None,
        data_dir=data_dir,
        cookie_secure=os.environ.get("COOKIE_SECURE", "0") == "1",
        session_days=int(os.environ.get("SESSION_DAYS", "14")),
        login_attempts_per_window=int(os.environ.get("LOGIN_ATTEMPTS_PER_WINDOW", "10")),
        login_window_seconds=int(os.environ.get("LOGIN_WINDOW_SECONDS", "300")),
        import_batch_size=max(1, int(os.environ.get("IMPORT_BATCH_SIZE", "250"))),
    )
