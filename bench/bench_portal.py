"""Benchmark the public portal and the cities API against /livez, under gunicorn in production mode.

Builds its own SQLite database and static files in a temporary directory (migrate + seed +
collectstatic with the project's manage.py), starts gunicorn with sync workers on a free loopback
port, warms each endpoint up, then loads the endpoints in interleaved slices of about 2 s (each
endpoint in turn, the order reversed every other round, so that other jobs on the machine weigh on
every endpoint alike) and prints requests/s and latency percentiles, with the ratio of each endpoint's
figures to /livez's (a view that does no database work), all measured in the same run.

Run from the project root:  .venv/bin/python bench/bench_portal.py [--seconds N] [--workers N] [--json PATH]
The raw results go to bench/results/portal.json unless --json PATH or --no-json says otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import json
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
    harness.add_common_args(parser, "portal")
    args = parser.parse_args(argv)
    seconds = harness.resolve_seconds(args)
    started = harness.started_at()
    warmup = min(2.0, seconds / 10)
    python, gunicorn_bin = venv_bin("python"), venv_bin("gunicorn")
    machine = harness.machine_info(python, gunicorn_bin)
    print(f"machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory']}; "
          f"Python {machine['python']}, gunicorn {machine['gunicorn']}")
    slices = harness.slices_for(seconds)
    print(f"config: {args.workers} sync workers, {args.concurrency} client connections, {seconds:g} s per "
          f"endpoint in {slices} interleaved slices after {warmup:g} s warm-up each, cap {args.max_requests} "
          "requests; client on the same machine")

    with tempfile.TemporaryDirectory(prefix="ascn-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = production_env(tmp)
        print("building data: migrate, seed, collectstatic ...", flush=True)
        manage(python, env, "migrate", "--no-input", "-v", "0")
        seeded = manage(python, env, "seed")
        print("\n".join("  " + line for line in seeded.rstrip().splitlines()))
        manage(python, env, "collectstatic", "--no-input", "-v", "0")

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
                print(f"warming up {path} ...", flush=True)
                harness.run_load(server.port, path, seconds=warmup, concurrency=args.concurrency,
                                 max_requests=args.max_requests)
            print(f"loading {', '.join(ENDPOINTS)} in {slices} interleaved rounds ...", flush=True)
            results = harness.run_interleaved(server.port, ENDPOINTS, seconds=seconds, concurrency=args.concurrency,
                                              max_requests=args.max_requests)
            log_tail = server.log_tail()

    print()
    harness.print_table(results, REFERENCE)
    failed = any(r.errors for r in results)
    if failed and log_tail:
        print(f"--- gunicorn log (tail) ---\n{log_tail}", file=sys.stderr)
    reference = next(r for r in results if r.path == REFERENCE)
    ratios = {r.path: dict(zip(("rps_ratio", "p99_ratio"), harness.ratios(r, reference), strict=True))
              for r in results}
    harness.write_json(
        harness.json_path(args), "portal", started=started,
        command_line=harness.command("bench_portal.py", {"--seconds": f"{seconds:g}", "--workers": args.workers,
                                                         "--concurrency": args.concurrency}),
        machine=machine,
        config={"workers": args.workers, "worker_class": "sync", "concurrency": args.concurrency,
                "seconds_per_endpoint": seconds, "warmup_seconds_per_endpoint": warmup,
                "interleaved_slices": slices, "max_requests": args.max_requests, "reference": REFERENCE,
                "database": "SQLite in a temporary directory (migrate + seed)",
                "seed": [line.strip() for line in seeded.strip().splitlines()],
                "settings": "DEBUG=0, whitenoise manifest storage",
                "client_on_same_machine": True},
        figures={"endpoints": [r.as_dict() for r in results]},
        ratios={"to": f"GET {REFERENCE}, measured interleaved in the same run", "endpoints": ratios})
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
