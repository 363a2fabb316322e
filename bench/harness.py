"""Reusable helpers for the benchmarks: a gunicorn server, a load generator and a figures table.

Stdlib only and no Django import, so a benchmark script can build its data with the project's
manage.py in a subprocess and then measure the server from the outside, as a client would.
Everything here targets 127.0.0.1 only and every loop is bounded in both time and count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import platform
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

HOST = "127.0.0.1"  # the only address the benchmarks ever talk to
DEFAULT_SECONDS = 20.0
MAX_SECONDS = 600.0  # refuse longer runs: a typo must not load the machine for an hour
DEFAULT_CONCURRENCY = 8
DEFAULT_MAX_REQUESTS = 200_000  # hard cap per measured endpoint, whatever the duration
DEFAULT_WORKERS = 2
REQUEST_TIMEOUT = 10.0  # seconds a single request may take before it counts as an error
SLICE_SECONDS = 2.0  # interleaved loads switch endpoint about this often
RESULTS_DIR = Path(__file__).resolve().parent / "results"  # the committed raw results, one JSON per benchmark


# --- Command line -----------------------------------------------------------------------------------


def bench_seconds(default: float = DEFAULT_SECONDS) -> float:
    """Seconds per endpoint from BENCH_SECONDS, else `default`."""
    raw = os.environ.get("BENCH_SECONDS", "").strip()
    return float(raw) if raw else default


def add_json_args(parser: argparse.ArgumentParser, name: str) -> None:
    """Add --json PATH (default: bench/results/`name`.json) and --no-json to a benchmark's parser."""
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / f"{name}.json", metavar="PATH",
                        help=f"where to write the results as JSON (default: bench/results/{name}.json)")
    parser.add_argument("--no-json", action="store_true", help="do not write the JSON (print the figures only)")


def add_common_args(parser: argparse.ArgumentParser, name: str = "portal") -> None:
    """Add --seconds, --workers, --concurrency, --max-requests, --json and --no-json to a benchmark's parser."""
    parser.add_argument("--seconds", type=float, default=None,
                        help=f"seconds of load per endpoint (default: $BENCH_SECONDS or {DEFAULT_SECONDS:g})")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help=f"gunicorn sync workers (default: {DEFAULT_WORKERS})")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                        help=f"client connections, one thread each (default: {DEFAULT_CONCURRENCY})")
    parser.add_argument("--max-requests", type=int, default=DEFAULT_MAX_REQUESTS,
                        help=f"hard cap on requests per endpoint (default: {DEFAULT_MAX_REQUESTS})")
    add_json_args(parser, name)


def resolve_seconds(args: argparse.Namespace) -> float:
    """The duration per endpoint: --seconds, else BENCH_SECONDS, else the default; bounded."""
    seconds = args.seconds if args.seconds is not None else bench_seconds()
    if not 0 < seconds <= MAX_SECONDS:
        raise SystemExit(f"--seconds/BENCH_SECONDS must be in (0, {MAX_SECONDS:g}]; got {seconds:g}.")
    return seconds


# --- Server ---------------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running gunicorn: where it listens and where its log goes."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    host: str = HOST

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of gunicorn's log (for error reports)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def _get_status(port: int, path: str, timeout: float = 2.0) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM the gunicorn master (it stops its workers); SIGKILL its process group if it hangs on."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        # The master was started in its own session and is not reaped yet, so its pid is still its
        # group id: this reaches only the master and the workers it forked.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


@contextmanager
def gunicorn(
    app: str,
    env: Mapping[str, str],
    *,
    cwd: Path,
    log_path: Path,
    gunicorn_bin: str = "gunicorn",
    workers: int = DEFAULT_WORKERS,
    ready_path: str = "/",
    start_timeout: float = 30.0,
    attempts: int = 3,
) -> Iterator[Server]:
    """Run `gunicorn app` with sync workers on a free loopback port until the block ends.

    Waits until `ready_path` answers with any HTTP status; stops the server on exit, also on error.
    If the port was taken between choosing and binding it, tries again with another (`attempts`).
    """
    last_error = ""
    for _attempt in range(attempts):
        port = free_port()
        command = [
            gunicorn_bin, app,
            "--bind", f"{HOST}:{port}",
            "--workers", str(workers),
            "--worker-class", "sync",
            "--graceful-timeout", "5",
            "--no-control-socket",  # the default control socket is shared by every gunicorn of the user
            "--log-level", "warning",
        ]
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command, cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = Server(process=process, port=port, log_path=log_path)
        try:
            deadline = time.monotonic() + start_timeout
            ready = False
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    _get_status(port, ready_path)
                    ready = True
                    break
                except OSError:
                    time.sleep(0.1)
            if not ready:
                if process.poll() is None:
                    raise RuntimeError(
                        f"gunicorn did not answer on {server.base_url} within {start_timeout:g} s.\n"
                        f"{server.log_tail()}"
                    )
                last_error = f"gunicorn exited with code {process.returncode}.\n{server.log_tail()}"
                if "Address already in use" in last_error:
                    continue  # lost the race for the port: try another
                raise RuntimeError(last_error)
            yield server
            return
        finally:
            _stop(process)
    raise RuntimeError(last_error)


# --- Load generator -----------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """What one endpoint did under load. Latencies are of successful (200) responses, in ms."""

    path: str
    seconds: float
    concurrency: int
    requests: int  # responses with status 200
    errors: int  # other statuses, time-outs and connection failures
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    capped: bool = False  # stopped by the request cap before the time was up
    error_samples: list[str] = field(default_factory=list)
    slices: int = 1  # measured in this many separate slices (interleaved with other endpoints)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class _Slice:
    """One bounded burst of load on one endpoint: the raw latencies (s) and errors."""

    latencies: list[float]
    errors: int
    samples: list[str]
    wall: float
    capped: bool


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending sequence (0.0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def _load_slice(port: int, path: str, *, seconds: float, concurrency: int, max_requests: int,
                headers: Mapping[str, str] | None) -> _Slice:
    quota = math.ceil(max_requests / concurrency)  # per thread, so the cap needs no shared counter
    send_headers = {"Accept-Encoding": "identity", **(headers or {})}
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    samples: list[str] = []
    samples_lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def note_error(index: int, message: str) -> None:
        errors[index] += 1
        with samples_lock:
            if len(samples) < 5:
                samples.append(message)

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        mine = latencies[index]
        try:
            for _ in range(quota):
                t0 = time.perf_counter()
                if t0 >= deadline:
                    break
                try:
                    conn.request("GET", path, headers=send_headers)
                    response = conn.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    note_error(index, f"{type(exc).__name__}: {exc}")
                    time.sleep(0.01)  # do not spin on a refused connection
                    continue
                elapsed = time.perf_counter() - t0
                if response.status == 200:
                    mine.append(elapsed)
                else:
                    note_error(index, f"HTTP {response.status}: {body[:300].decode(errors='replace')}")
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 5)
    wall = time.perf_counter() - start
    done = [x for per_thread in latencies for x in per_thread]
    return _Slice(done, sum(errors), samples, wall, len(done) + sum(errors) >= quota * concurrency)


def _combine(path: str, concurrency: int, slices: Sequence[_Slice]) -> LoadResult:
    ordered = sorted(x * 1000 for s in slices for x in s.latencies)
    wall = sum(s.wall for s in slices)
    return LoadResult(
        path=path,
        seconds=round(wall, 3),
        concurrency=concurrency,
        requests=len(ordered),
        errors=sum(s.errors for s in slices),
        rps=len(ordered) / wall if wall > 0 else 0.0,
        p50_ms=percentile(ordered, 50),
        p95_ms=percentile(ordered, 95),
        p99_ms=percentile(ordered, 99),
        capped=any(s.capped for s in slices),
        error_samples=[m for s in slices for m in s.samples][:5],
        slices=len(slices),
    )


def run_load(
    port: int,
    path: str,
    *,
    seconds: float,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_requests: int = DEFAULT_MAX_REQUESTS,
    headers: Mapping[str, str] | None = None,
) -> LoadResult:
    """GET `path` from 127.0.0.1:`port` on `concurrency` connections for `seconds` or `max_requests`.

    Each thread keeps one http.client connection open (keep-alive; it reconnects by itself when the
    server closes it, as gunicorn's sync workers do after each response). Every status other than 200,
    every time-out and every connection failure counts as an error.
    """
    if not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be in (0, {MAX_SECONDS:g}]")
    burst = _load_slice(port, path, seconds=seconds, concurrency=concurrency, max_requests=max_requests,
                        headers=headers)
    return _combine(path, concurrency, [burst])


def slices_for(seconds: float) -> int:
    """How many interleaved slices `seconds` of load per endpoint are cut into (about SLICE_SECONDS each)."""
    return max(1, round(seconds / SLICE_SECONDS))


def run_interleaved(
    port: int,
    paths: Sequence[str],
    *,
    seconds: float,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_requests: int = DEFAULT_MAX_REQUESTS,
    headers: Mapping[str, str] | None = None,
) -> list[LoadResult]:
    """Load every path for `seconds` in all, in interleaved slices, and return one result per path.

    The time is cut into `slices_for(seconds)` slices; each round loads every path for one slice, in an
    order reversed every other round (A B C, C B A, ...), so that a change in the machine's load during
    the run (other jobs on a shared machine) falls on every path alike and the ratios between paths
    stay comparable. Percentiles are over all the slices' latencies; requests/s is the requests over the
    slices' summed wall time. `max_requests` caps each path's total.
    """
    if not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be in (0, {MAX_SECONDS:g}]")
    count = slices_for(seconds)
    parts: dict[str, list[_Slice]] = {path: [] for path in paths}
    for round_index in range(count):
        order = list(paths) if round_index % 2 == 0 else list(reversed(paths))
        for path in order:
            parts[path].append(_load_slice(port, path, seconds=seconds / count, concurrency=concurrency,
                                           max_requests=math.ceil(max_requests / count), headers=headers))
    return [_combine(path, concurrency, parts[path]) for path in paths]


# --- Report ---------------------------------------------------------------------------------------------


def ratios(result: LoadResult, reference: LoadResult) -> tuple[float, float]:
    """(requests/s ratio, p99 ratio) of `result` to `reference` (nan when the reference has none)."""
    rps = result.rps / reference.rps if reference.rps else math.nan
    p99 = result.p99_ms / reference.p99_ms if reference.p99_ms else math.nan
    return rps, p99


def print_table(results: Sequence[LoadResult], reference_path: str) -> None:
    """Print one row per endpoint, with requests/s and p99 as ratios to the reference endpoint's."""
    reference = next(r for r in results if r.path == reference_path)
    header = (f"{'endpoint':<22}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
              f"{'p99 ms':>9}{'req/s÷ref':>11}{'p99÷ref':>9}")
    print(header)
    print("-" * len(header))
    for r in results:
        rps_ratio, p99_ratio = ratios(r, reference)
        name = f"{r.path} (ref)" if r.path == reference_path else r.path
        print(f"{name:<22}{r.requests:>9}{r.errors:>8}{r.rps:>9.1f}{r.p50_ms:>9.2f}{r.p95_ms:>9.2f}"
              f"{r.p99_ms:>9.2f}{rps_ratio:>11.2f}{p99_ratio:>9.2f}")
    for r in results:
        if r.capped:
            print(f"note: {r.path} hit the request cap before its time was up.")
        for sample in r.error_samples:
            print(f"error on {r.path}: {sample}")


# --- Machine --------------------------------------------------------------------------------------------


def machine_info(python_bin: str = "python3", gunicorn_bin: str | None = "gunicorn") -> dict[str, str]:
    """Cores, CPU model, memory, OS, the Python (and gunicorn) versions and the load average, for the record.

    Nothing that names the machine's user or its directories."""
    info = {"nproc": str(os.cpu_count() or "?"), "cpu": platform.processor() or "?", "memory": "?",
            "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
            "python": platform.python_version()}
    with suppress(OSError, subprocess.CalledProcessError):
        info["nproc"] = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                info["memory"] = f"{kib / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        out = subprocess.run([python_bin, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout
        info["python"] = out.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    if gunicorn_bin is not None:
        info["gunicorn"] = "?"
        try:
            out = subprocess.run([gunicorn_bin, "--version"], capture_output=True, text=True, check=True).stdout
            info["gunicorn"] = out.strip().removeprefix("gunicorn").strip(" ()").removeprefix("version").strip()
        except (OSError, subprocess.CalledProcessError):
            pass
    info["load_average_at_start"] = load_average()
    return info


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (other jobs on a shared machine show here)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# --- Raw results ---------------------------------------------------------------------------------------


def command(script: str, options: Mapping[str, object]) -> str:
    """The command line that reproduces a run, from the project root (no local paths)."""
    parts = [".venv/bin/python", f"bench/{script}"]
    for name, value in options.items():
        if value is True:
            parts.append(name)
        elif value not in (None, False):
            parts += [name, str(value)]
    return " ".join(parts)


def code_version() -> dict[str, object]:
    """The commit measured and any uncommitted change to the platform's files (outside bench/ and docs/)."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout

    try:
        commit = git("rev-parse", "HEAD").strip()
        changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=all").splitlines()
                   if not line[3:].startswith(("bench/", "docs/"))]
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "?", "uncommitted_changes": "?"}
    return {"commit": commit, "uncommitted_changes": changed}


def _finite(value: object) -> object:
    """JSON has no NaN or infinity: write null instead."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def started_at() -> str:
    """Now, in UTC, as the JSON records dates."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_json(path: Path | None, benchmark: str, *, started: str, command_line: str, machine: Mapping[str, str],
               config: Mapping[str, object], figures: Mapping[str, object], ratios: Mapping[str, object]) -> None:
    """Write one run's raw results: the machine, when, how (command and configuration), the figures and the
    ratios (each to the reference or target it names). Nothing is written when `path` is None."""
    if path is None:
        return
    payload = {
        "benchmark": benchmark,
        "date": started,
        "finished": started_at(),
        "command": command_line,
        "code": code_version(),
        "machine": {**machine, "load_average_at_end": load_average()},
        "config": dict(config),
        "figures": dict(figures),
        "ratios": dict(ratios),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_finite(payload), indent=2, ensure_ascii=False, allow_nan=False) + "\n",
                    encoding="utf-8")
    try:
        shown = path.resolve().relative_to(RESULTS_DIR.parent.parent)
    except ValueError:
        shown = path
    print(f"wrote {shown}")


def json_path(args: argparse.Namespace) -> Path | None:
    """Where --json/--no-json say to write the results (None: nowhere)."""
    return None if args.no_json else args.json
