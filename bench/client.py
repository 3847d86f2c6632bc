"""A minimal HTTP/1.1 keep-alive client on asyncio streams, and a closed-loop load driver.

Why not httpx in the measuring loop: on a 2-core machine the client shares the CPU with the
server, and httpx spends ~0.3-0.6 ms of Python per request. This client spends tens of
microseconds, so what is measured is the server, and the floor is not flattered or hidden by
client overhead. httpx is still used for setup (tokens, fixtures).

Each virtual client owns one connection and sends its next request only when the previous
answer has arrived (closed loop): concurrency = number of clients.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


class HttpError(Exception):
    pass


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass
            self.writer = None

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                      body: bytes | None = None) -> Response:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        hdrs: dict[str, str] = {}
        for line in header_lines:
            if line:
                k, _, v = line.partition(":")
                hdrs[k.strip().lower()] = v.strip()
        if "content-length" in hdrs:
            data = await self.reader.readexactly(int(hdrs["content-length"]))
        elif hdrs.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            data = b"".join(chunks)
        else:
            data = b""
        if hdrs.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, hdrs, data)


# A request factory gets (client index, request index) and returns
# (method, path, headers, body, expected statuses) or awaits a callable that does the request.
RequestSpec = tuple[str, str, dict[str, str], bytes | None, tuple[int, ...]]
Factory = Callable[[int, int], RequestSpec]
OnResponse = Callable[[int, int, Response], None]


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    errors: list[str] = field(default_factory=list)
    server_cpu_s: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    def extend(self, other: "LoadResult") -> None:
        self.latencies_ms.extend(other.latencies_ms)
        self.wall_s += other.wall_s
        self.errors.extend(other.errors)
        self.server_cpu_s += other.server_cpu_s


async def _run_load(host: str, port: int, factory: Factory, *, requests: int, concurrency: int,
                    on_response: OnResponse | None) -> LoadResult:
    result = LoadResult()
    counter = iter(range(requests))
    conns = [Connection(host, port) for _ in range(concurrency)]
    for c in conns:
        await c.open()

    async def worker(ci: int) -> None:
        conn = conns[ci]
        for ri in counter:
            method, path, headers, body, expected = factory(ci, ri)
            t0 = time.perf_counter()
            try:
                resp = await conn.request(method, path, headers, body)
            except (OSError, asyncio.IncompleteReadError, HttpError) as exc:
                result.errors.append(f"{method} {path}: {exc!r}")
                await conn.close()
                continue
            result.latencies_ms.append((time.perf_counter() - t0) * 1000)
            if resp.status not in expected:
                result.errors.append(f"{method} {path}: {resp.status} {resp.body[:300]!r}")
            elif on_response is not None:
                on_response(ci, ri, resp)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    result.wall_s = time.perf_counter() - t0
    for c in conns:
        await c.close()
    return result


def run_load(host: str, port: int, factory: Factory, *, requests: int, concurrency: int = 1,
             on_response: OnResponse | None = None) -> LoadResult:
    try:
        import uvloop

        runner: Callable[[Awaitable[LoadResult]], LoadResult] = uvloop.run  # type: ignore[assignment]
    except ImportError:  # pragma: no cover
        runner = asyncio.run
    return runner(_run_load(host, port, factory, requests=requests, concurrency=concurrency,
                            on_response=on_response))


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]
