"""Benchmark the public portal and the cities API against /livez, under gunicorn in production mode.

Builds its own SQLite database and static files in a temporary directory (migrate + seed +
collectstatic with the project's manage.py), starts gunicorn with sync workers on a free loopback
port, then loads each endpoint in turn and prints requests/s and latency percentiles, with the ratio
of each endpoint's figures to /livez's (a view that does no database work).

Run from the project root:  .venv/bin/python bench/bench_portal.py [--seconds N] [--workers N] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import harness

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = "/livez"
ENDPOINTS = [REFERENCE, "/api/v1/cities", "/"]


def venv_bin(name: str) -> str:
    """The project's virtualenv executable `name`, else the one next to the running Python."""
    candidate = ROOT / ".venv" / "bin" / name
    return str(candidate if candidate.exists() else Path(sys.executable).with_name(name))


def production_env(tmp: Path) -> dict[str, str]:
    """The environment of the server and of manage.py: production settings, data in `tmp`."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="ascn.settings",
        DEBUG="0",
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",  # an absolute path: sqlite:////tmp/...
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def manage(python: str, env: dict[str, str], *args: str) -> str:
    """Run `manage.py *args`; on failure print its output and stop the benchmark."""
    done = subprocess.run([python, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    if done.returncode != 0:
        print(f"manage.py {' '.join(args)} failed with exit code {done.returncode}:", file=sys.stderr)
        print(done.stdout + done.stderr, file=sys.stderr)
        raise SystemExit(1)
    return done.stdout


def check_endpoints(server: harness.Server) -> list[str]:
    """GET each endpoint once; return a description of every one that does not answer 200."""
    problems = []
    for path in ENDPOINTS:
        conn = http.client.HTTPConnection(harness.HOST, server.port, timeout=harness.REQUEST_TIMEOUT)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        if response.status != 200:
            problems.append(f"GET {path} -> HTTP {response.status}\n{body[:2000].decode(errors='replace')}")
        elif path == "/api/v1/cities":
            page = json.loads(body)
            print(f"GET /api/v1/cities: count={page['count']}, items on the first page={len(page['items'])}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_common_args(parser)
    args = parser.parse_args(argv)
    seconds = harness.resolve_seconds(args)
    warmup = min(2.0, seconds / 10)
    python, gunicorn_bin = venv_bin("python"), venv_bin("gunicorn")
    machine = harness.machine_info(python, gunicorn_bin)
    print(f"machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory']}; "
          f"Python {machine['python']}, gunicorn {machine['gunicorn']}")
    print(f"config: {args.workers} sync workers, {args.concurrency} client connections, {seconds:g} s per "
          f"endpoint after {warmup:g} s warm-up, cap {args.max_requests} requests; client on the same machine")

    with tempfile.TemporaryDirectory(prefix="ascn-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = production_env(tmp)
        print("building data: migrate, seed, collectstatic ...", flush=True)
        manage(python, env, "migrate", "--no-input", "-v", "0")
        seeded = manage(python, env, "seed")
        print("\n".join("  " + line for line in seeded.rstrip().splitlines()))
        manage(python, env, "collectstatic", "--no-input", "-v", "0")

        results: list[harness.LoadResult] = []
        with harness.gunicorn("ascn.wsgi:application", env, cwd=ROOT, log_path=tmp / "gunicorn.log",
                              gunicorn_bin=gunicorn_bin, workers=args.workers, ready_path=REFERENCE) as server:
            print(f"gunicorn on {server.base_url}", flush=True)
            problems = check_endpoints(server)
            if problems:
                print("Not measured: an endpoint does not answer 200.", file=sys.stderr)
                print("\n\n".join(problems), file=sys.stderr)
                print(f"--- gunicorn log (tail) ---\n{server.log_tail()}", file=sys.stderr)
                return 1
            for path in ENDPOINTS:
                print(f"loading {path} ...", flush=True)
                harness.run_load(server.port, path, seconds=warmup, concurrency=args.concurrency,
                                 max_requests=args.max_requests)
                results.append(harness.run_load(server.port, path, seconds=seconds, concurrency=args.concurrency,
                                                max_requests=args.max_requests))
            log_tail = server.log_tail()

    print()
    harness.print_table(results, REFERENCE)
    failed = any(r.errors for r in results)
    if failed and log_tail:
        print(f"--- gunicorn log (tail) ---\n{log_tail}", file=sys.stderr)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        reference = results[0]
        payload = {
            "benchmark": "portal",
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": machine,
            "config": {"workers": args.workers, "worker_class": "sync", "concurrency": args.concurrency,
                       "seconds": seconds, "warmup_seconds": warmup, "max_requests": args.max_requests,
                       "reference": REFERENCE, "client_on_same_machine": True},
            "results": [
                {**r.as_dict(), **{name: None if math.isnan(value) else value
                                   for name, value in zip(("rps_ratio", "p99_ratio"), harness.ratios(r, reference),
                                                          strict=True)}}
                for r in results
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
