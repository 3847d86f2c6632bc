from __future__ import annotations

import json
from pathlib import Path

from core.settings import Settings


def render() -> dict[str, str]:
    """File name -> content for openapi/ (the schema, one Mermaid diagram per workflow and the
    modules' other contract documents)."""
    from core.app import create_app
    from core.registry import CONTRACT_DOCUMENTS
    from core.workflow.table import WORKFLOWS

    app = create_app(Settings(env="test", secret_key="x" * 40), start_worker=False)
    files = {"openapi.json": json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"}
    for name, wf in sorted(WORKFLOWS.items()):
        files[f"workflows/{name}.mmd"] = wf.mermaid()
    for name, document in sorted(CONTRACT_DOCUMENTS.items()):
        files[name] = document()
    return files


def export(out: Path, check: bool = False) -> list[str]:
    changed = []
    for name, content in render().items():
        path = out / name
        if not path.exists() or path.read_text() != content:
            changed.append(str(path))
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content)
    return changed
