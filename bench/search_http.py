"""Search over HTTP, end to end, against the baselines in the same run.

For a corpus in the slot exchange format it:
1. imports the corpus into a fresh database with `marketplace import-slots` (timed);
2. starts one `marketplace serve` worker and times until /health answers (the index build
   happens in the start-up, so this bounds it), then reads the worker's resident memory;
3. runs the shared scorer (`score_search.py --url`) against the worker: quality per kind and
   latency percentiles over HTTP, repeated `--rounds` times (medians reported);
4. runs the scorer's FTS5 and pg_trgm baselines on the same corpus and queries;
5. prints a JSON report and writes it to `--out`.

    .venv/bin/python bench/search_http.py --corpus /work/shared/eval/dev/corpus.jsonl \
        --queries /work/shared/eval/dev/queries.jsonl --queries /work/shared/eval/dev/natural.jsonl

Needs `psycopg` for the pg_trgm baseline (`pip install -e '.[bench]'`) and a PostgreSQL on
127.0.0.1:5432 with trust auth; `--engine postgres` also serves the service from PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

SCORER = Path(os.environ.get("EVAL_DIR", "/work/shared/eval")) / "score_search.py"
PG = "postgresql://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", sql],
        check=True,
        capture_output=True,
    )


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn's worker), in MB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def score(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(SCORER), *args], check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--queries", action="append", required=True)
    ap.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--out")
    a = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mp-bench-"))
    env = {**os.environ, "VAR_DIR": str(work / "var"), "SCHEDULER_ENABLED": "false"}
    if a.engine == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        db = f"mp_bench_{os.getpid()}"
        psql(f'CREATE DATABASE "{db}"')
        env["DATABASE_URL"] = f"{PG}/{db}"
    cli = [sys.executable, "-m", "marketplace.cli"]
    report: dict[str, Any] = {"corpus": a.corpus, "engine": a.engine, "cores": os.cpu_count()}
    report["load_average_start"] = os.getloadavg()

    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    t0 = time.perf_counter()
    subprocess.run(
        [*cli, "import-slots", a.corpus, "--source", "bench", "--skip-bad-rows"],
        env=env,
        check=True,
        capture_output=True,
    )
    report["import_s"] = round(time.perf_counter() - t0, 2)

    port = free_port()
    t0 = time.perf_counter()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2):
                    break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("the server exited during start-up") from None
                time.sleep(0.2)
        report["start_until_healthy_s"] = round(time.perf_counter() - t0, 2)
        report["worker_rss_mb_after_start"] = round(rss_mb(server.pid), 1)
        queries = [arg for q in a.queries for arg in ("--queries", q)]
        runs = [score(["--url", url, *queries]) for _ in range(a.rounds)]
        report["service"] = runs[-1]
        report["service_latency_ms_median_of_rounds"] = {
            key: statistics.median(r["latency_ms"][key] for r in runs) for key in ("p50", "p95")
        }
        report["worker_rss_mb_after_queries"] = round(rss_mb(server.pid), 1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    if not a.no_baselines:
        queries = [arg for q in a.queries for arg in ("--queries", q)]
        report["fts5"] = score(["--baseline", "fts5", "--corpus", a.corpus, *queries])
        dsn_db = f"mp_trgm_{os.getpid()}"
        psql(f'CREATE DATABASE "{dsn_db}"')
        try:
            report["pg_trgm"] = score(
                ["--baseline", "pg_trgm", "--corpus", a.corpus, "--dsn", f"{PG}/{dsn_db}", *queries]
            )
        finally:
            psql(f'DROP DATABASE IF EXISTS "{dsn_db}"')
        svc = report["service_latency_ms_median_of_rounds"]["p95"]
        report["p95_ratio_vs"] = {
            name: round(report[name]["latency_ms"]["p95"] / svc, 2) for name in ("fts5", "pg_trgm")
        }
    if a.engine == "postgres":
        psql(f'DROP DATABASE IF EXISTS "mp_bench_{os.getpid()}" WITH (FORCE)')
    report["load_average_end"] = os.getloadavg()
    text = json.dumps(report, indent=1, ensure_ascii=False)
    print(text)
    if a.out:
        Path(a.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
