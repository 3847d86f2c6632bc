"""Sampling profiles of the service during a benchmark (py-spy, optional: ``--profile``).

py-spy attaches to the running uvicorn process (``--nonblocking``: it does not pause it) and
writes collapsed stacks; :func:`summarise` turns them into where the time goes by layer (leaf
frame) and the service's own functions by inclusive time.
"""

from __future__ import annotations

import collections
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]+)(?::\d+)?\)$")

LAYERS = (  # (first path component of the frame's file, layer)
    ("cdop", "service: cdop"), ("ecr", "service: ecr"), ("core", "service: core"),
    ("sqlalchemy", "sqlalchemy"), ("psycopg", "psycopg"), ("sqlite3", "sqlite3"),
    ("pydantic", "pydantic"), ("pydantic_core", "pydantic"), ("fastapi", "fastapi"),
    ("starlette", "starlette"), ("anyio", "anyio (threadpool)"), ("uvicorn", "uvicorn"),
    ("jose", "python-jose"), ("structlog", "logging"), ("logging", "logging"),
    ("prometheus_client", "prometheus"), ("prometheus_fastapi_instrumentator", "prometheus"),
    ("json", "json"), ("limits", "limits"), ("threading.py", "threads"), ("asyncio", "asyncio"),
    ("concurrent", "threads"), ("uvloop", "asyncio"), ("email_validator", "pydantic"),
    ("holidays", "holidays"), ("argon2", "argon2"), ("hashlib", "hashlib"),
)


def py_spy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return found if Path(found).exists() else None


def start(pid: int, out: Path, rate: int = 200) -> Callable[[], None]:
    exe = py_spy()
    if exe is None:
        raise RuntimeError("py-spy is not installed: .venv/bin/pip install py-spy")
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([exe, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw",
                             "--nonblocking", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop() -> None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()

    return stop


_OURS = ("cdop/", "ecr/", "core/")


def _layer(file: str) -> str:
    parts = file.replace("\\", "/").split("/")
    for part in parts:
        for needle, name in LAYERS:
            if part == needle:
                return name
    return "other: " + parts[0] if len(parts) > 1 else "other"


def summarise(paths: list[Path], top: int = 12) -> dict[str, object]:
    leaf: collections.Counter[str] = collections.Counter()
    ours: collections.Counter[str] = collections.Counter()
    total = 0
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            try:
                n = int(count)
            except ValueError:
                continue
            frames = stack.split(";")
            # idle worker threads waiting for work are not request time
            total += n
            m = _FRAME.match(frames[-1])
            leaf[_layer(m.group("file") if m else frames[-1])] += n
            seen = set()
            for f in frames:
                m = _FRAME.match(f)
                if m and m.group("file").startswith(_OURS) and f not in seen:
                    seen.add(f)
                    ours[f"{m.group('func')} ({m.group('file')})"] += n
    if not total:
        return {"samples": 0}
    return {
        "samples": total,
        "self_time_by_layer_pct": {k: round(100 * v / total, 1) for k, v in leaf.most_common()},
        "service_functions_inclusive_pct": {k: round(100 * v / total, 1) for k, v in ours.most_common(top)},
    }
