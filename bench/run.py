"""Run every bench/bench_*.py in turn (`make bench`), passing --seconds to the time-based ones.

Usage: python bench/run.py [--seconds N]   (BENCH_SECONDS works too). Exits non-zero if any benchmark did.
Each benchmark writes its raw results to bench/results/<bench>.json (committed; see bench/README.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every bench/bench_*.py in turn.")
    parser.add_argument("--seconds", type=float, default=None, help="seconds of load per endpoint")
    args = parser.parse_args(argv)
    extra = [] if args.seconds is None else ["--seconds", f"{args.seconds:g}"]
    failed: list[str] = []
    for script in sorted(BENCH_DIR.glob("bench_*.py")):
        print(f"=== {script.name} ===", flush=True)
        timed = "--seconds" in script.read_text()  # the others measure a fixed number of requests
        command = [sys.executable, str(script), *(extra if timed else [])]
        if subprocess.run(command, cwd=BENCH_DIR.parent).returncode != 0:
            failed.append(script.name)
        print(flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
