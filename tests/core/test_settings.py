"""Settings from the environment (prefix ECR_)."""

from __future__ import annotations

import stat

import pytest

from core.settings import Settings

STRONG = "k" * 20 + "Q7x-" * 5


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No secret in the environment, and a fresh working directory for var/."""
    monkeypatch.delenv("ECR_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("secret", ["", "changeme", "CHANGEME", "secret", "dev", "short-but-random-1234"])
def test_production_refuses_a_weak_secret(clean_env, secret: str) -> None:
    with pytest.raises(ValueError, match="ECR_SECRET_KEY"):
        Settings(env="production", secret_key=secret)
    assert not (clean_env / "var").exists()  # nothing generated behind the operator's back


def test_production_refuses_without_secret_from_the_environment(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("ECR_ENV", "production")
    with pytest.raises(ValueError):
        Settings()
    monkeypatch.setenv("ECR_SECRET_KEY", STRONG)
    assert Settings().secret_key == STRONG


def test_development_generates_and_keeps_a_secret(clean_env) -> None:
    first = Settings(env="development")
    assert len(first.secret_key) >= 32
    path = clean_env / "var" / "secret_key"
    assert path.read_text().strip() == first.secret_key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(env="development").secret_key == first.secret_key  # survives a restart
    assert Settings(env="development", secret_key="changeme").secret_key == first.secret_key


def test_a_strong_secret_is_used_as_given(clean_env) -> None:
    assert Settings(env="development", secret_key=STRONG).secret_key == STRONG
    assert not (clean_env / "var").exists()


def test_csv_lists_from_the_environment(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("ECR_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("ECR_MODULES", "ecr")
    monkeypatch.setenv("ECR_TRUSTED_PROXIES", "10.0.0.0/8,")
    s = Settings(secret_key=STRONG)
    assert s.cors_origins == ["https://a.example", "https://b.example"]
    assert s.modules == ["ecr"]
    assert s.trusted_proxies == ["10.0.0.0/8"]
    monkeypatch.setenv("ECR_CORS_ORIGINS", '["https://c.example"]')
    monkeypatch.setenv("ECR_MODULES", "")
    s = Settings(secret_key=STRONG)
    assert s.cors_origins == ["https://c.example"] and s.modules == []


def test_defaults(clean_env) -> None:
    s = Settings(secret_key=STRONG, _env_file=None)
    assert s.cors_origins == [] and s.public_form_origins == ["*"] and s.modules == ["ecr", "cdop"]
    assert s.oidc_jwks_refresh_seconds == 60 and s.oidc_roles_claim == "roles"


def test_values_are_validated(clean_env, monkeypatch) -> None:
    with pytest.raises(ValueError):
        Settings(secret_key=STRONG, access_token_minutes=0)
    with pytest.raises(ValueError):
        Settings(secret_key=STRONG, env="staging")
    with pytest.raises(ValueError, match="ECR_OIDC_ISSUER"):
        Settings(secret_key=STRONG, oidc_jwks_url="https://idp.example/certs", oidc_issuer="https://idp.example")
    s = Settings(secret_key=STRONG, oidc_jwks_url="https://idp.example/certs", oidc_issuer="https://idp.example",
                 oidc_audience="ecr-api")
    assert s.oidc_audience == "ecr-api"


def test_is_sqlite(clean_env) -> None:
    assert Settings(secret_key=STRONG, database_url="sqlite:///var/x.sqlite3").is_sqlite
    assert not Settings(secret_key=STRONG, database_url="postgresql+psycopg://u@h/db").is_sqlite
