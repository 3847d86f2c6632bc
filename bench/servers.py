"""Start the real app and the floor app as uvicorn subprocesses with identical settings.

Both servers: one uvicorn worker process, uvloop + httptools, lifespan on, uvicorn's access log
off (ours writes its own JSON access log through the ``core.access`` logger at INFO, to a file,
as in production), the outbox worker not in-process (at scale it runs as ``ecr worker``), and
the public rate limit raised out of the way.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.client import Connection

ROOT = Path(__file__).resolve().parents[1]
UVICORN_ARGS = ["--workers", "1", "--loop", "uvloop", "--http", "httptools", "--no-access-log",
                "--log-level", "warning", "--lifespan", "on", "--timeout-keep-alive", "60"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str, secret_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECR_")}
    env.update({
        "ECR_ENV": "production",
        "ECR_DATABASE_URL": database_url,
        "ECR_SECRET_KEY": secret_key,
        "ECR_PUBLIC_RATE_LIMIT": "100000000/minute",
        "ECR_RUN_WORKER_IN_PROCESS": "false",
        "ECR_LOG_LEVEL": "INFO",
        "ECR_MAX_PUBLIC_BODY_BYTES": str(64 * 1024),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    })
    return env


@dataclass
class Server:
    name: str
    app: str  # "module:factory"
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(name: str, app: str, env: dict[str, str], log_dir: Path, timeout: float = 60.0) -> Server:
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"server-{name}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - owned by the subprocess
    cmd = [sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1",
           "--port", str(port), *UVICORN_ARGS]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(name, app, port, proc, log_path)
    deadline = time.monotonic() + timeout
    import asyncio

    async def probe() -> bool:
        conn = Connection("127.0.0.1", port)
        try:
            resp = await conn.request("GET", "/livez")
            return resp.status == 200
        except OSError:
            return False
        finally:
            await conn.close()

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} server exited: see {log_path}\n" + log_path.read_text()[-3000:])
        if asyncio.run(probe()):
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} server did not start in {timeout}s: see {log_path}")


def new_secret() -> str:
    return secrets.token_urlsafe(48)
