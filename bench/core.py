"""Benchmark definitions, statistics and the interleaved runner (no domain knowledge here)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.client import Factory, LoadResult, OnResponse, percentile, run_load


@dataclass
class Side:
    factory: Factory
    on_response: OnResponse | None = None


@dataclass
class Stats:
    count: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rps: float
    server_cpu_ms_per_request: float | None = None
    error_samples: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, result: LoadResult) -> "Stats":
        lat = result.latencies_ms
        ok = result.count - len(result.errors)
        return cls(
            count=result.count,
            errors=len(result.errors),
            p50_ms=round(percentile(lat, 50), 3),
            p95_ms=round(percentile(lat, 95), 3),
            p99_ms=round(percentile(lat, 99), 3),
            rps=round(ok / result.wall_s, 1) if result.wall_s else 0.0,
            server_cpu_ms_per_request=round(result.server_cpu_s * 1000 / result.count, 3)
            if result.count and result.server_cpu_s else None,
            error_samples=result.errors[:3],
        )


def process_cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        import os

        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


Evaluate = Callable[[Stats, Stats], "Verdict"]


@dataclass
class Verdict:
    ratio: float
    ok: bool
    extra: dict[str, Any] = field(default_factory=dict)


def latency_target(percentile_name: str, factor: float) -> tuple[str, Evaluate]:
    def evaluate(ours: Stats, floor: Stats) -> Verdict:
        a, b = getattr(ours, f"{percentile_name}_ms"), getattr(floor, f"{percentile_name}_ms")
        ratio = a / b if b else math.inf
        return Verdict(round(ratio, 2), ratio <= factor and not ours.errors)

    return f"{percentile_name} <= {factor:g} x floor", evaluate


def throughput_target(factor: float, p99_factor: float | None = None) -> tuple[str, Evaluate]:
    def evaluate(ours: Stats, floor: Stats) -> Verdict:
        ratio = ours.rps / floor.rps if floor.rps else 0.0
        ok = ratio >= factor and not ours.errors
        extra: dict[str, Any] = {}
        if p99_factor is not None:
            p99_ratio = ours.p99_ms / floor.p99_ms if floor.p99_ms else math.inf
            extra["p99_ratio"] = round(p99_ratio, 2)
            ok = ok and p99_ratio <= p99_factor
        return Verdict(round(ratio, 2), ok, extra)

    text = f"rps >= {factor:g} x floor" + (f"; p99 <= {p99_factor:g} x floor" if p99_factor else "")
    return text, evaluate


@dataclass
class Benchmark:
    name: str
    floor_name: str
    concurrency: int
    requests: int  # per side per round, before scaling by --requests-factor
    target: str
    evaluate: Evaluate
    ours: Callable[[Any], Side]
    floor: Callable[[Any], Side]
    note: str = ""
    # called with the service's port after the rounds: put the dataset back as it was
    after: Callable[[int], None] | None = None
    # a third side, on the floor's server, interleaved with the other two (information): the
    # issue's own floor, when ``floor`` is another one (the same-writes benchmarks)
    reference: Callable[[Any], Side] | None = None


@dataclass
class Outcome:
    name: str
    floor_name: str
    target: str
    ours: Stats
    floor: Stats
    verdict: Verdict
    concurrency: int
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "p50_ms": self.ours.p50_ms,
            "p95_ms": self.ours.p95_ms,
            "p99_ms": self.ours.p99_ms,
            "rps": self.ours.rps,
            "floor_name": self.floor_name,
            "ratio": self.verdict.ratio,
            "target": self.target,
            "ok": self.verdict.ok,
            "concurrency": self.concurrency,
            "requests": self.ours.count,
            "errors": self.ours.errors,
            "server_cpu_ms_per_request": self.ours.server_cpu_ms_per_request,
            "floor": {k: v for k, v in asdict(self.floor).items() if k != "error_samples"},
            **self.verdict.extra,
        }
        if self.ours.error_samples:
            out["error_samples"] = self.ours.error_samples
        if self.note:
            out["note"] = self.note
        return out


def run_pair(
    name: str,
    sides: list[tuple[str, int, Side]],
    pids: dict[str, int] | None = None,
    *,
    concurrency: int,
    requests: int,
    rounds: int,
    warmup: int,
    on_round: Callable[[str, int], Any] | None = None,
) -> dict[str, LoadResult]:
    """Run the sides (label, port, Side) in interleaved rounds; the order alternates each round
    so slow drifts (other load on the machine, caches, autovacuum) hit both equally. A warm-up
    round per side is run first and discarded."""
    results = {label: LoadResult() for label, _, _ in sides}
    for label, port, side in sides:
        run_load("127.0.0.1", port, side.factory, requests=warmup, concurrency=concurrency,
                 on_response=side.on_response)
    for r in range(rounds):
        order = sides if r % 2 == 0 else list(reversed(sides))
        for label, port, side in order:
            ctx = on_round(label, r) if on_round else None
            pid = (pids or {}).get(label)
            cpu0 = process_cpu_seconds(pid)
            res = run_load("127.0.0.1", port, side.factory, requests=requests,
                           concurrency=concurrency, on_response=side.on_response)
            res.server_cpu_s = process_cpu_seconds(pid) - cpu0
            if ctx is not None:
                ctx()
            results[label].extend(res)
    return results


def print_table(outcomes: list[dict[str, Any]], stream: Any = None) -> str:
    head = ["benchmark", "conc", "p50 ms", "p95 ms", "p99 ms", "rps", "floor p95", "floor rps",
            "ratio", "target", "ok", "cpu ms/req (floor)"]
    rows = []
    for o in outcomes:
        f = o.get("floor") or {}
        rows.append([
            o["name"], str(o.get("concurrency", "")), f"{o['p50_ms']:.2f}", f"{o['p95_ms']:.2f}",
            f"{o['p99_ms']:.2f}", f"{o['rps']:.0f}",
            f"{f['p95_ms']:.2f}" if "p95_ms" in f else "-", f"{f['rps']:.0f}" if "rps" in f else "-",
            f"{o['ratio']:.2f}" + (f" (p99 {o['p99_ratio']:.2f})" if "p99_ratio" in o else "")
            + (f" (floor/reference {o['floor_vs_reference']:.2f})" if "floor_vs_reference" in o else ""),
            o["target"], "yes" if o["ok"] else "NO",
            (f"{o['server_cpu_ms_per_request']:.1f}" if o.get("server_cpu_ms_per_request") else "-")
            + (f" ({f['server_cpu_ms_per_request']:.1f})" if f.get("server_cpu_ms_per_request") else ""),
        ])
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    text = "\n".join(lines)
    print(text, file=stream)
    return text


def dump_json(path: Any, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
