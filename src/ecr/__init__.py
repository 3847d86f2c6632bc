"""Domain module ecr: registered into the app by core.app.create_app (ECR_MODULES)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.registry import AppRegistry


def register(registry: "AppRegistry") -> None:
    from ecr import models  # noqa: F401  (tables on Base.metadata)
