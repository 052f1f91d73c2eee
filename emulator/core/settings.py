"""Runtime configuration: `EMULATOR_*` environment variables, overridden by command-line flags."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


def default_fixtures_dir() -> Path:
    """The demo fixtures: inside an installed wheel, else the repository's `fixtures/`."""
    package_dir = Path(__file__).resolve().parent.parent
    bundled = package_dir / "_fixtures"
    if bundled.is_dir():
        return bundled
    return package_dir.parent / "fixtures"


# Every vendor the emulator can mount, in mounting order (`emulator.app` wires them).
VENDOR_NAMES = ("thrive", "ispring", "dmtd")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EMULATOR_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8800, ge=0, le=65535)
    db: Path = Path("lms-emulator.db")
    memory: bool = False
    # Any SQLAlchemy URL; wins over `db` and `memory` when set (e.g. a PostgreSQL URL).
    database_url: str | None = None
    fixtures: Path = Field(default_factory=default_fixtures_dir)
    reset: bool = False
    log_level: str = "info"
    journal_max: int = Field(default=10_000, ge=0)
    journal_body_max: int = Field(default=64 * 1024, ge=0)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    max_header_bytes: int = Field(default=64 * 1024, ge=1)
    max_query_bytes: int = Field(default=16 * 1024, ge=1)
    busy_timeout_ms: int = Field(default=10_000, ge=0)
    access_log: bool = True
    # When set, every control-plane call needs `Authorization: Bearer <this>` (or a tenant's
    # own control token, for that tenant); see emulator/control/access.py.
    admin_token: str | None = Field(default=None, repr=False)
    # Hosts outbound webhook deliveries may reach; None = any. Test suites keep them on loopback.
    webhook_hosts: list[str] | None = None
    # The vendors to mount; None = all. Only their packages are imported (a faster start).
    vendors: list[str] | None = None

    @field_validator("vendors")
    @classmethod
    def _known_vendors(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = [v for v in value if v not in VENDOR_NAMES]
        if unknown or not value:
            raise ValueError(f"choose from {', '.join(VENDOR_NAMES)}")
        return list(dict.fromkeys(value))

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        if self.memory:
            return "sqlite://"
        return f"sqlite:///{self.db}"

    @property
    def where(self) -> str:
        """The database for logs and messages; a URL's password is never shown."""
        if self.database_url:
            return make_url(self.database_url).render_as_string(hide_password=True)
        return "memory" if self.memory else str(self.db)

    @property
    def public_base(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"
