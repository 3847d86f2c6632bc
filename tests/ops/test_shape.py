"""Both domains have one shape (issue 16): the same files with the same jobs, and the layers
held by import-linter contracts that run with the tests (tests/core/test_operations.py).

A domain may have a module of its own beyond the shape (issue 20 gave cdop tracked actions,
the national export and the 2018 clocks) only where the layers contract places it, so no
module escapes the layers; and a package of its own only as vocabulary (below every layer)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHAPE = {"__init__.py", "domain.py", "config.py", "models.py", "schemas.py", "repository.py",
         "reports.py", "service.py", "workflow.py", "emails.py", "views.py", "router.py",
         "public.py", "pages.py"}
LAYERS = ["router | public | pages", "service", "workflow", "(actions)", "emails | views | (ncmd)",
          "repository | reports | (clocks)", "models"]
# modules of one domain only, each an optional layer (in parentheses) of the contract
OWN_MODULES = {"ecr": set(), "cdop": {"actions.py", "ncmd.py", "clocks.py"}}
# packages of one domain only: vocabulary (the versioned reporting form definitions)
OWN_PACKAGES = {"ecr": set(), "cdop": {"forms"}}


def test_both_domains_have_the_same_modules() -> None:
    for domain in ("ecr", "cdop"):
        modules = {p.name for p in (ROOT / "src" / domain).glob("*.py")}
        assert SHAPE <= modules, f"{domain}: missing {sorted(SHAPE - modules)}"
        assert modules - SHAPE == OWN_MODULES[domain], f"{domain}: undeclared {sorted(modules - SHAPE - OWN_MODULES[domain])}"
        packages = {p.parent.name for p in (ROOT / "src" / domain).glob("*/__init__.py")}
        assert packages == OWN_PACKAGES[domain], f"{domain}: packages {sorted(packages)}"


def test_a_domain_s_own_modules_sit_in_a_layer() -> None:
    optional = {part.strip()[1:-1] + ".py" for layer in LAYERS for part in layer.split("|")
                if part.strip().startswith("(")}
    assert set().union(*OWN_MODULES.values()) == optional
    vocabulary = next(c for c in _contracts() if c["name"].startswith("vocabulary"))
    for domain, packages in OWN_PACKAGES.items():
        assert {f"{domain}.{name}" for name in packages} <= set(vocabulary["source_modules"])


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
        others = {f"{domain}.{name[:-3]}" for name in (SHAPE | OWN_MODULES[domain]) - {"__init__.py", "service.py"}}
        others |= {f"{domain}.{name}" for name in OWN_PACKAGES[domain]}
        assert others <= sources, sorted(others - sources)
    assert "core.audit" in forbidden[0]["forbidden_modules"]
