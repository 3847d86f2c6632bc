"""Both domains have one shape (issue 16): the same files with the same jobs, and the layers
held by import-linter contracts that run with the tests (tests/core/test_operations.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHAPE = {"__init__.py", "domain.py", "config.py", "models.py", "schemas.py", "repository.py",
         "reports.py", "service.py", "workflow.py", "emails.py", "views.py", "router.py",
         "public.py", "pages.py"}
LAYERS = ["router | public | pages", "service", "workflow", "emails | views",
          "repository | reports", "models"]


def test_both_domains_have_the_same_modules() -> None:
    for domain in ("ecr", "cdop"):
        modules = {p.name for p in (ROOT / "src" / domain).glob("*.py")}
        assert modules == SHAPE, f"{domain}: extra {sorted(modules - SHAPE)}, missing {sorted(SHAPE - modules)}"


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def test_each_domain_is_held_to_the_layers() -> None:
    layered = [c for c in _contracts() if c["type"] == "layers"]
    assert len(layered) == 1
    assert sorted(layered[0]["containers"]) == ["cdop", "ecr"]
    assert layered[0]["layers"] == LAYERS


def test_only_the_service_calls_the_engine_and_the_audit() -> None:
    forbidden = [c for c in _contracts() if c["type"] == "forbidden"
                 and "core.workflow.engine" in c["forbidden_modules"]]
    assert len(forbidden) == 1
    sources = set(forbidden[0]["source_modules"])
    for domain in ("ecr", "cdop"):
        others = {f"{domain}.{name[:-3]}" for name in SHAPE - {"__init__.py", "service.py"}}
        assert others <= sources, sorted(others - sources)
    assert "core.audit" in forbidden[0]["forbidden_modules"]
