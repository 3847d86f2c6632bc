"""Settings from the environment (prefix ``ECR_``). Every setting is listed in README.md."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from starlette.requests import Request
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

CsvList = Annotated[list[str], NoDecode]

VAR_DIR = Path("var")
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECR_", env_file=None, extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = f"sqlite:///{VAR_DIR}/ecr.sqlite3"
    secret_key: str = ""
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    # Browser sessions of the staff app (POST /auth/session): ended after this long without a
    # request, and after this long in all whatever the activity.
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_absolute_hours: int = Field(default=12, ge=1, le=7 * 24)
    token_issuer: str = "ecr-service"
    token_audience: str = "ecr-api"
    cors_origins: CsvList = Field(default_factory=list)
    public_form_origins: CsvList = Field(default_factory=lambda: ["*"])
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_roles_claim: str = "roles"
    oidc_jwks_refresh_seconds: int = 60
    # Single sign-on in the staff app (authorization code flow with PKCE, run by the service):
    # on when ECR_OIDC_ISSUER and ECR_OIDC_CLIENT_ID are set; endpoints from the issuer's
    # discovery document; the ID token's audience is the client id.
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_display_name: str = "your organisation's account"
    oidc_scopes: str = "openid email profile"
    smtp_url: str | None = None
    smtp_from: str = "no-reply@safeguarding.example"
    redis_url: str | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    bootstrap_admin_email: str | None = None
    bootstrap_admin_password: str | None = None
    modules: CsvList = Field(default_factory=lambda: ["ecr", "cdop"])
    public_rate_limit: str = "10/minute"
    login_rate_limit: str = "20/minute"
    trusted_proxies: CsvList = Field(default_factory=list)
    max_body_bytes: int = 1024 * 1024
    max_public_body_bytes: int = 64 * 1024
    max_json_depth: int = Field(default=32, ge=2, le=256)
    run_worker_in_process: bool = True
    # Threads for sync endpoints per process (anyio's default is 40). Requests are short and
    # CPU-bound under the GIL: on PostgreSQL fewer threads wake each other less per round trip
    # (bench/README.md, "Serving it"); a long request holds one thread while it runs.
    threadpool_size: int = Field(default=40, ge=1, le=1000)
    worker_poll_seconds: float = 2.0
    # the child death module's own settings (ECR_REPORTING_FORM_*) are in cdop/config.py
    board_name: str = "Example Safeguarding Children Partnership"
    board_logo_text: str = "Safeguarding Partnership"
    privacy_notice_url: str = "/notify/privacy"
    contact_email: str = "business.unit@safeguarding.example"
    log_level: str = "INFO"
    # How audit events join the hash chain (docs/ARCHITECTURE.md, "Audit"): "inline" chains each
    # event in its own transaction under the head row lock (serialises every audited request
    # through its commit); "deferred" inserts events unchained and the worker's sealer chains
    # committed events in the background (every poll).
    audit_sealing: Literal["inline", "deferred"] = "deferred"
    # GET/HEAD requests write only their read-audit event. "async" commits those without waiting
    # for the WAL flush on PostgreSQL (synchronous_commit=off): a database crash can lose the last
    # few hundred milliseconds of read events (a suffix, never a hole); "sync" waits (~1 fsync).
    audit_read_commit: Literal["sync", "async"] = "async"
    # The staff app's build (web/dist: `make run` and `make test` build it) served at /app/;
    # empty: the service does not serve /app/ at all.
    web_dist: Path | None = Field(default_factory=lambda: _repo_web_dist())

    @field_validator("cors_origins", "public_form_origins", "modules", "trusted_proxies", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip().startswith("["):
                import json

                return json.loads(value)
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("web_dist", mode="before")
    @classmethod
    def _no_web_dist(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("public_rate_limit", "login_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError("ECR_PUBLIC_RATE_LIMIT must look like '10/minute' or '100 per hour'") from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: list[str]) -> list[str]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item.strip(), strict=False)
            except ValueError:
                raise ValueError(f"ECR_TRUSTED_PROXIES: {item!r} is not an address or network") from None
        return value

    @model_validator(mode="after")
    def _secret(self) -> "Settings":
        if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32:
            if self.env == "production":
                raise ValueError(
                    "ECR_SECRET_KEY must be set to a random value of at least 32 characters in production"
                )
            self.secret_key = _development_secret()
        return self

    @model_validator(mode="after")
    def _oidc(self) -> "Settings":
        if self.oidc_jwks_url and not (self.oidc_issuer and self.oidc_audience):
            raise ValueError("ECR_OIDC_JWKS_URL needs ECR_OIDC_ISSUER and ECR_OIDC_AUDIENCE as well")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _repo_web_dist() -> Path:
    """web/dist of the repository the package runs from (src/core -> the repository's root)."""
    import core

    return Path(core.__file__).resolve().parents[2] / "web" / "dist"


def _development_secret() -> str:
    """A secret generated once and kept under var/ so tokens survive restarts in development."""
    path = VAR_DIR / "secret_key"
    try:
        existing = path.read_text().strip()
        if len(existing) >= 32:
            return existing
    except OSError:
        pass
    value = secrets.token_urlsafe(48)
    try:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(value)
        path.chmod(0o600)
    except OSError:
        pass
    return value


@lru_cache
def get_settings() -> Settings:
    return Settings()


def get_app_settings(request: Request) -> Settings:
    """The settings the running app was created with (a FastAPI dependency)."""
    return request.app.state.settings  # type: ignore[no-any-return]
