"""Run the benchmarks: ``python -m bench.run --scale quick|tenth|national`` (``make bench``).

1. makes sure the database holds the dataset of that scale (``bench.data``; generated once);
2. starts the service and the floor app as uvicorn subprocesses with the same settings;
3. for each benchmark runs the service and its floor in interleaved rounds (order alternating,
   a warm-up round each, discarded), from this process over 127.0.0.1;
4. at ``national``, also measures the outstanding list and summary against a tenth-scale
   database in interleaved rounds (cost must not grow with the table: the same deployment a
   tenth of the way through its life, ``tenth``), and for information against one region
   (``region``: a tenth of the cases over the same years, so a tenth of the outstanding work);
5. writes ``bench/results/latest.json`` (and ``bench/results/<scale>-<database>.json``), prints
   the table, and exits 1 when a target is missed.

Database: ``--database-url``; else for ``quick`` SQLite ``var/bench-quick.sqlite3``; else
``ECR_DATABASE_URL`` when it names a PostgreSQL database ``ecr_bench*``, else the database
``ecr_bench_<scale>`` on the PostgreSQL server it names, else SQLite ``var/bench-<scale>.sqlite3``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench import data, profile, scenarios
from bench.core import Outcome, Stats, Verdict, dump_json, now_iso, print_table, run_pair
from bench.servers import ROOT, new_secret, server_env, start_server

RESULTS = ROOT / "bench" / "results"
DEFAULTS = {  # rounds per side (after one warm-up round), request multiplier
    "quick": (3, 1.0),
    "tenth": (3, 1.0),
    "region": (3, 1.0),
    "national": (3, 1.0),
}


def resolve_url(scale: str, given: str | None) -> str:
    if given:
        return given
    env = os.environ.get("ECR_DATABASE_URL", "")
    if scale == "quick":
        return data.default_url(scale)  # `make bench` is the SQLite run, whatever the environment
    if env.startswith("postgresql") and (make_url(env).database or "").startswith("ecr_bench"):
        return env
    if env.startswith("postgresql"):
        # a PostgreSQL server was named: use a bench database on it, never the one named
        return make_url(env).set(database=f"ecr_bench_{scale}").render_as_string(hide_password=False)
    return data.default_url(scale)


def sibling_url(url: str, scale: str) -> str:
    """The database of another scale next to ``url`` (same server, ``ecr_bench_<scale>``)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return data.default_url(scale)
    return u.set(database=f"ecr_bench_{scale}").render_as_string(hide_password=False)


def mint_tokens(url: str, secret: str) -> dict[str, str]:
    from core.auth.tokens import issue_access_token
    from core.db.session import make_engine
    from core.settings import Settings

    settings = Settings(secret_key=secret, env="production", access_token_minutes=24 * 60)
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT email, id FROM core_users")).all())
    engine.dispose()
    return {key: issue_access_token(settings, str(rows[email])) for key, (email, _) in data.BENCH_USERS.items()}


def machine_info(url: str) -> dict[str, Any]:
    info: dict[str, Any] = {
        "nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
    }
    try:
        with open("/proc/meminfo") as f:
            info["mem_total_gb"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), None)
    except OSError:
        pass
    if url.startswith("postgresql"):
        from core.db.session import make_engine

        eng = make_engine(url)
        with eng.connect() as conn:
            info["postgresql"] = conn.execute(text("SHOW server_version")).scalar()
            info["pg_settings"] = {k: conn.execute(text(f"SHOW {k}")).scalar()
                                   for k in ("shared_buffers", "work_mem", "synchronous_commit", "max_connections")}
        eng.dispose()
    else:
        import sqlite3

        info["sqlite"] = sqlite3.sqlite_version
    return info


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(data.SCALES), default="quick")
    parser.add_argument("--database-url")
    parser.add_argument("--tenth-database-url", help="for the scaling check at national scale")
    parser.add_argument("--region-database-url", help="for the scaling information at national scale")
    parser.add_argument("--only", action="append", help="run only benchmarks whose name contains this")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--requests-factor", type=float)
    parser.add_argument("--profile", action="store_true", help="py-spy the service during its rounds")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the dataset first")
    parser.add_argument("--threads", type=int,
                        help="ECR_THREADPOOL_SIZE for both servers (default: the service's, 40)")
    parser.add_argument("--patch", action="append", default=[],
                        help="run the service with a prototype change of bench/experiments.py")
    args = parser.parse_args(argv)

    url = resolve_url(args.scale, args.database_url)
    dialect = make_url(url).get_backend_name()
    rounds, factor = DEFAULTS[args.scale]
    rounds = args.rounds or rounds
    factor = args.requests_factor or factor
    started = time.time()
    load_before = loadavg()
    print(f"bench: scale={args.scale} database={make_url(url).render_as_string(hide_password=True)} "
          f"rounds={rounds} load={load_before}", flush=True)
    meta = data.generate(url, args.scale, force=args.regenerate)
    scaling = args.scale == "national" and not args.no_scaling
    tenth = region = None
    if scaling:
        tenth = args.tenth_database_url or sibling_url(url, "tenth")
        data.generate(tenth, "tenth")
        region = args.region_database_url or sibling_url(url, "region")
        data.generate(region, "region")

    secret = new_secret()
    env = server_env(url, secret)
    if args.threads:
        env["ECR_THREADPOOL_SIZE"] = str(args.threads)
    log_dir = RESULTS / "logs"
    app = "core.app:app_factory"
    if args.patch:
        from bench import experiments

        unknown = [p for p in args.patch if p not in experiments.PATCHES]
        if unknown:
            parser.error(f"unknown patches {unknown}; known: {sorted(experiments.PATCHES)}")
        env["ECR_BENCH_PATCHES"] = ",".join(args.patch)
        app = "bench.experiments:app_factory"
    servers = [start_server("ours", app, env, log_dir),
               start_server("floor", "bench.floor_app:app_factory", env, log_dir)]
    ours, floor = servers
    outcomes: list[dict[str, Any]] = []
    profiles: dict[str, Any] = {}
    try:
        tokens = mint_tokens(url, secret)
        from core.db.session import make_engine

        engine = make_engine(url)
        ctx = scenarios.load_context(engine, tokens)
        engine.dispose()
        for make in scenarios.ALL:
            bench = make(ctx)
            if bench is None:  # not on this database
                continue
            if args.only and not any(o in bench.name for o in args.only):
                continue
            requests = max(bench.concurrency, int(bench.requests * factor))
            print(f"- {bench.name}: {rounds} rounds x {requests} requests, concurrency {bench.concurrency}",
                  flush=True)
            prof_files: list[Path] = []

            def on_round(label: str, r: int, name: str = bench.name, files: list[Path] = prof_files) -> Any:
                if not args.profile or label != "ours":
                    return None
                path = RESULTS / "profiles" / f"{name}-{r}.txt"
                files.append(path)
                return profile.start(ours.pid, path)

            sides = [("ours", ours.port, bench.ours(ctx)), ("floor", floor.port, bench.floor(ctx))]
            if bench.reference is not None:
                sides.append(("reference", floor.port, bench.reference(ctx)))
            res = run_pair(bench.name, sides,
                           pids={"ours": ours.pid, "floor": floor.pid, "reference": floor.pid},
                           concurrency=bench.concurrency, requests=requests, rounds=rounds,
                           warmup=max(bench.concurrency * 2, requests // 5), on_round=on_round)
            if bench.after is not None:
                bench.after(ours.port)
            s_ours, s_floor = Stats.of(res["ours"]), Stats.of(res["floor"])
            outcome = Outcome(bench.name, bench.floor_name, bench.target, s_ours, s_floor,
                              bench.evaluate(s_ours, s_floor), bench.concurrency, bench.note)
            if "reference" in res:
                # the floor of this benchmark against the reference floor, in the same rounds
                s_ref = Stats.of(res["reference"])
                outcome.verdict.extra.update({
                    "floor_vs_reference": round(s_floor.rps / s_ref.rps, 2) if s_ref.rps else 0.0,
                    "ours_vs_reference": round(s_ours.rps / s_ref.rps, 2) if s_ref.rps else 0.0,
                    "reference_rps": s_ref.rps, "reference_p99_ms": s_ref.p99_ms,
                    "reference_server_cpu_ms_per_request": s_ref.server_cpu_ms_per_request})
            outcomes.append(outcome.as_json())
            if s_floor.errors:
                outcomes[-1]["floor_error_samples"] = s_floor.error_samples
            if prof_files:
                profiles[bench.name] = profile.summarise(prof_files)
            print(f"  ours p50={s_ours.p50_ms} p95={s_ours.p95_ms} p99={s_ours.p99_ms} rps={s_ours.rps} "
                  f"cpu/req={s_ours.server_cpu_ms_per_request}ms errors={s_ours.errors} | floor p50={s_floor.p50_ms} "
                  f"p95={s_floor.p95_ms} p99={s_floor.p99_ms} rps={s_floor.rps} "
                  f"cpu/req={s_floor.server_cpu_ms_per_request}ms | ratio={outcome.verdict.ratio} "
                  f"ok={outcome.verdict.ok}", flush=True)
            if s_ours.errors:
                print(f"  errors: {s_ours.error_samples}", flush=True)
    finally:
        for s in servers:
            s.stop()

    if scaling and tenth is not None and region is not None:
        outcomes += scaling_check(url, tenth, rounds, factor, args.only, args.patch, threads=args.threads)
        outcomes += scaling_check(url, region, rounds, factor, args.only, args.patch, reference="region",
                                  threads=args.threads)

    load_after = loadavg()
    result = {
        "scale": args.scale,
        "database": dialect,
        "dataset": {k: meta.get(k) for k in ("rows", "generated_at", "seconds")},
        "benchmarks": outcomes,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "finished_at": now_iso(),
        "duration_s": round(time.time() - started, 1),
        "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "machine": machine_info(url),
        "server": "uvicorn, 1 worker, uvloop + httptools, no uvicorn access log, service log at INFO "
                  "to a file, outbox worker not in-process, ECR_ENV=production, rate limit raised",
        "client": "bench.client: raw HTTP/1.1 keep-alive on asyncio (uvloop), closed loop, same host",
        "patches": args.patch,
        "threadpool_size": args.threads or 40,
    }
    if profiles:
        result["profiles"] = profiles
    all_ok = all(o["ok"] for o in outcomes)
    result["all_ok"] = all_ok
    suffix = (("-partial" if args.only else "") + "".join(f"+{p}" for p in args.patch)
              + (f"+threads{args.threads}" if args.threads else ""))
    if not suffix:
        dump_json(RESULTS / "latest.json", result)
    dump_json(RESULTS / f"{args.scale}-{dialect}{suffix}.json", result)
    print()
    print(f"scale={args.scale} database={dialect} load before={load_before} after={load_after} "
          f"duration={result['duration_s']}s")
    print_table(outcomes)
    if profiles:
        import json

        print(json.dumps(profiles, indent=1))
    return 0 if all_ok else 1


def scaling_check(url: str, other: str, rounds: int, factor: float,
                  only: list[str] | None = None, patches: list[str] | None = None,
                  reference: str = "tenth", threads: int | None = None) -> list[dict[str, Any]]:
    """The outstanding list and summary at national vs a tenth of it, interleaved.

    ``reference="tenth"``: the target (p95 national <= 1.5 x p95 tenth). ``"region"``: the same
    comparison against one region's database, for information (no target: the outstanding work
    itself is 10x, see bench/data.py)."""
    out: list[dict[str, Any]] = []
    suffix = "_scaling" if reference == "tenth" else f"_scaling_{reference}"
    checks = [(p, n) for p, n in ((f"/api/v1/child-deaths?{scenarios.OUTSTANDING_QS}", "child_deaths_outstanding_list"),
                                  ("/api/v1/child-deaths/outstanding/summary", "child_deaths_outstanding_summary"))
              if not only or any(o in f"{n}{suffix}" for o in only)]
    if not checks:
        return out
    secret = new_secret()
    app = "bench.experiments:app_factory" if patches else "core.app:app_factory"
    envs = [server_env(url, secret), server_env(other, secret)]
    for env in envs:
        if patches:
            env["ECR_BENCH_PATCHES"] = ",".join(patches)
        if threads:
            env["ECR_THREADPOOL_SIZE"] = str(threads)
    servers = [start_server("ours-national", app, envs[0], RESULTS / "logs"),
               start_server(f"ours-{reference}", app, envs[1], RESULTS / "logs")]
    try:
        tok_n, tok_t = mint_tokens(url, secret), mint_tokens(other, secret)
        for path, name in checks:
            hn = {"Authorization": f"Bearer {tok_n['coordinator']}"}
            ht = {"Authorization": f"Bearer {tok_t['coordinator']}"}
            requests = int(150 * factor)
            print(f"- {name} national vs {reference}: {rounds} rounds x {requests}", flush=True)
            from bench.core import Side

            res = run_pair(name, [("national", servers[0].port, Side(lambda ci, ri, h=hn, p=path: ("GET", p, h, None, (200,)))),
                                  ("tenth", servers[1].port, Side(lambda ci, ri, h=ht, p=path: ("GET", p, h, None, (200,))))],
                           pids={"national": servers[0].pid, "tenth": servers[1].pid},
                           concurrency=1, requests=requests, rounds=rounds, warmup=requests // 5)
            s_n, s_t = Stats.of(res["national"]), Stats.of(res["tenth"])
            ratio = s_n.p95_ms / s_t.p95_ms if s_t.p95_ms else float("inf")
            if reference == "tenth":
                o = Outcome(f"{name}{suffix}", "the same endpoint on the tenth database (1.43 years of England)",
                            "p95 <= 1.5 x tenth", s_n, s_t, Verdict(round(ratio, 2), ratio <= 1.5 and not s_n.errors), 1,
                            "national p95 / tenth p95 (the 'floor' columns show the tenth-scale run)")
            else:
                o = Outcome(f"{name}{suffix}", "the same endpoint on one region's database (14.3 years)",
                            "information (p95 national / region)", s_n, s_t,
                            Verdict(round(ratio, 2), not s_n.errors), 1,
                            "national p95 / region p95: the outstanding work is 10x too")
            out.append(o.as_json())
            print(f"  national p95={s_n.p95_ms} {reference} p95={s_t.p95_ms} ratio={ratio:.2f}", flush=True)
    finally:
        for s in servers:
            s.stop()
    return out


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as exc:  # pragma: no cover
        print(exc, file=sys.stderr)
        sys.exit(2)
