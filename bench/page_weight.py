"""Page weight: what a visitor's browser downloads for five public pages, with and without compression.

Builds its own site in a temporary directory, with production settings (DEBUG=0, whitenoise's compressed
manifest storage, `collectstatic` into the temporary directory; the repository's db.sqlite3 and
staticfiles/ are not touched): `migrate` + `seed`, then a published business case with its charts, values
of one indicator for every member city (so the comparison draws its chart) and the 2025 M&E report
generated as the Secretariat would. It starts gunicorn on a free loopback port and measures, as an
anonymous visitor, the home page, the cities page, the business case, the comparison of cities for that
indicator and the M&E report, and two pages without a chart that load the chart library anyway.

Each page is measured two ways:

1. In a real browser: Debian's Chromium, headless, driven by Playwright with a fresh profile per page
   (empty cache). Every request the page makes is counted, with the bytes Chromium received for it as
   DevTools counts them (Network.loadingFinished's encodedDataLength: headers and body as sent, so
   compressed when the server compressed), after the page has drawn its map and its charts and the
   network has been idle for 0.5 s. The page is then opened a second time in the same profile (a repeat
   visit): the requests that still reach the server, and their bytes, show what the cache headers save.
2. By fetching each URL the browser requested once more with plain HTTP, first with
   `Accept-Encoding: br, gzip`, then with `Accept-Encoding: identity`, counting the response bodies as
   sent (the headers are counted apart). This isolates what compression saves, whatever the browser asks
   for.

KB below are 1,000 bytes. The reference: a previous run's JSON given with --before (the code before the
change, measured the same way); each page's bytes are printed as a ratio to its figure there.

Run from the project root:
    .venv/bin/python bench/page_weight.py [--before bench/results/page_weight-before.json] [--json PATH]
The raw results go to bench/results/page_weight.json unless --json PATH or --no-json says otherwise.
Needs Chromium (Debian: apt-get install chromium; or PLAYWRIGHT_CHROMIUM=/path).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import harness

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
COMPRESSED = "br, gzip"
IDENTITY = "identity"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
# (name, path, whether the page shows a chart); {case} and {indicator} are filled in once the data is built.
PAGES = [
    ("home", "/", False),
    ("cities", "/cities/", False),
    ("business case", "/financing/business-cases/{case}/", True),
    ("compare cities (an indicator chosen)", "/monitoring/compare/?indicator={indicator}", True),
    ("M&E report 2025", "/monitoring/reports/2025/", False),
]
# Pages that show no chart: whether they load the chart library all the same.
NO_CHART_PAGES = [
    ("compare cities (nothing chosen yet)", "/monitoring/compare/", False),
    ("network scorecard", "/monitoring/scorecards/", False),
]


def venv_bin(name: str) -> str:
    """The project's virtualenv executable `name`, else the one next to the running Python."""
    candidate = ROOT / ".venv" / "bin" / name
    return str(candidate if candidate.exists() else Path(sys.executable).with_name(name))


def find_chromium() -> str | None:
    """PLAYWRIGHT_CHROMIUM (a path or a command), else `chromium` or `chromium-browser` on the PATH."""
    configured = os.environ.get("PLAYWRIGHT_CHROMIUM")
    if configured:
        return shutil.which(configured)
    return next((found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None)


def production_env(tmp: Path) -> dict[str, str]:
    """The environment of the server and of the data build: production settings, everything in `tmp`."""
    env = dict(os.environ)
    for name in ("DEBUG", "STORAGES", "MAP_TILE_URL", "MAP_TILE_ATTRIBUTION"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="ascn.settings",
        DEBUG="0",
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_COOKIES="0",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",  # an absolute path: sqlite:////tmp/...
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        MONITORING_ANALYTICS_DIR=str(tmp / "analytics"),
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=str(ROOT),  # this checkout's code, whichever the virtualenv was installed from
    )
    return env


# --- Data --------------------------------------------------------------------------------------------


def build(env: dict[str, str], seed: int = 11) -> dict[str, Any]:
    """Migrate, seed, collect the static files, and add what the measured pages show (in this process)."""
    os.environ.update(env)
    import django

    django.setup()
    import logging

    for name in ("weasyprint", "fontTools", "django_tasks"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connections

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed", stdout=out)
    seeded = [line.strip() for line in out.getvalue().strip().splitlines()]
    call_command("collectstatic", verbosity=0, interactive=False, stdout=io.StringIO())
    static_files = sum(1 for p in Path(env["STATIC_ROOT"]).rglob("*") if p.is_file())
    built = {"seed": seeded, "static_files_collected": static_files, **_business_case(), **_observations(seed),
             **_me_report()}
    built["build_seconds"] = round(time.perf_counter() - started, 1)
    connections.close_all()
    return built


def _secretariat() -> Any:
    from ascn.core.choices import Role
    from ascn.core.models import User

    user, _created = User.objects.get_or_create(username="bench-secretariat",
                                                defaults={"role": Role.SECRETARIAT, "is_staff": True})
    return user


def _business_case() -> dict[str, Any]:
    """A published 20-year business case with a simulation, so its page draws all three charts."""
    from ascn.finance.actions import business_cases as actions
    from ascn.plans.models import Project

    project = Project.objects.filter(is_published=True, city__slug="da-nang").order_by("pk").first() \
        or Project.objects.filter(is_published=True).order_by("pk").first()
    assert project is not None, "the seed has no published project"
    years = 20
    inputs = {"years": years, "discount_rate": 0.08, "currency": "USD", "start_year": 2026,
              "lines": [{"kind": "capex", "values": [4_000_000, 2_000_000] + [0] * (years - 1), "label": "Build"},
                        {"kind": "revenue", "values": [0, 0] + [900_000] * (years - 1), "label": "Fees"},
                        {"kind": "opex", "values": [0, 0] + [250_000] * (years - 1), "label": "Running"}]}
    risk = {"iterations": 2000, "drivers": {"capex": {"kind": "pert", "low": 0.9, "mode": 1, "high": 1.4},
                                            "revenue": {"kind": "triangular", "low": 0.7, "mode": 1, "high": 1.1}}}
    case = actions.create_business_case(_secretariat(), project, {
        "scenario": "Synthetic base case (benchmark)", "inputs": inputs, "risk": risk, "is_published": True},
        via="bench")
    return {"business_case": case.pk, "business_case_project": project.pk}


def _observations(seed: int) -> dict[str, Any]:
    """Values of one published indicator with a unit for every member city, 2023 to 2025."""
    from ascn.monitoring.models import Indicator, Observation
    from ascn.network.models import City

    indicator = Indicator.objects.filter(is_published=True).exclude(unit="").order_by("code").first()
    assert indicator is not None, "the seed has no published indicator with a unit"
    rng = random.Random(seed)
    cities = list(City.objects.order_by("slug"))
    Observation.objects.bulk_create([
        Observation(city=city, indicator=indicator, period=str(year), year=year, value=round(rng.uniform(10, 90), 1),
                    source="Synthetic value (benchmark)")
        for city in cities for year in (2023, 2024, 2025)])
    return {"indicator": indicator.code, "indicator_unit": indicator.unit, "observations": 3 * len(cities)}


def _me_report() -> dict[str, Any]:
    """The 2025 M&E report, requested by the Secretariat and generated by the (immediate) task."""
    from ascn.monitoring.actions import me_report as actions
    from ascn.monitoring.models import MEReport, ReportingRound

    report = actions.request_me_report(_secretariat(), ReportingRound.objects.get(year=2025), via="bench")
    report = MEReport.objects.get(pk=report.pk)
    assert report.state == "done", (report.state, report.error)
    return {"me_report": report.pk}


# --- Measuring ---------------------------------------------------------------------------------------


def _header_bytes(response: http.client.HTTPResponse) -> int:
    """The response's status line and headers as text (what they weigh on the wire, about)."""
    status_line = f"HTTP/1.1 {response.status} {response.reason}\r\n"
    return len(status_line) + sum(len(f"{k}: {v}\r\n") for k, v in response.getheaders()) + 2


def fetch(port: int, path: str, accept_encoding: str) -> dict[str, Any]:
    """GET `path` once with the given Accept-Encoding: the status, the body's bytes as sent and its headers."""
    conn = http.client.HTTPConnection(harness.HOST, port, timeout=harness.REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": accept_encoding})
        response = conn.getresponse()
        body = response.read()  # http.client does not decode: these are the bytes as sent
        return {"status": response.status, "body_bytes": len(body), "header_bytes": _header_bytes(response),
                "content_encoding": response.getheader("Content-Encoding", ""),
                "content_type": (response.getheader("Content-Type") or "").split(";")[0],
                "cache_control": response.getheader("Cache-Control", "")}
    finally:
        conn.close()


class NetworkLog:
    """Every request of one page as Chromium's DevTools protocol reports it."""

    def __init__(self, cdp: Any) -> None:
        self.requests: dict[str, dict[str, Any]] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestWillBeSentExtraInfo", self._sent_headers)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)

    def _sent(self, event: dict[str, Any]) -> None:
        if event.get("redirectResponse"):  # the same id goes on after a redirect: keep the hop apart
            self.requests[event["requestId"] + ":redirect"] = self.requests.pop(event["requestId"], {})
        record = self.requests.setdefault(event["requestId"], {})
        record.update(url=event["request"]["url"], type=event.get("type", ""), from_cache=False, bytes=0, status=None,
                      failed="")

    def _sent_headers(self, event: dict[str, Any]) -> None:
        """The headers Chromium's network stack really sent (Accept-Encoding is added there)."""
        headers = {k.lower(): v for k, v in event.get("headers", {}).items()}
        self.requests.setdefault(event["requestId"], {})["accept_encoding"] = headers.get("accept-encoding", "")

    def _received(self, event: dict[str, Any]) -> None:
        record = self.requests.setdefault(event["requestId"], {"url": event["response"]["url"]})
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        record.update(status=response.get("status"), content_encoding=headers.get("content-encoding", ""),
                      from_cache=record.get("from_cache") or bool(response.get("fromDiskCache"))
                      or bool(response.get("fromPrefetchCache")))

    def _from_cache(self, event: dict[str, Any]) -> None:
        self.requests.setdefault(event["requestId"], {})["from_cache"] = True

    def _finished(self, event: dict[str, Any]) -> None:
        self.requests.setdefault(event["requestId"], {})["bytes"] = int(event.get("encodedDataLength") or 0)

    def _failed(self, event: dict[str, Any]) -> None:
        self.requests.setdefault(event["requestId"], {})["failed"] = event.get("errorText", "failed")

    def network(self) -> list[dict[str, Any]]:
        """The requests that reached the server (not answered from the cache), in the order they were made."""
        return [r for r in self.requests.values() if r.get("url", "").startswith("http") and not r.get("from_cache")]


def open_page(context: Any, url: str) -> tuple[NetworkLog, dict[str, Any]]:
    """Open `url` in a new tab of `context`, wait until its map and charts are drawn and the network is idle."""
    page = context.new_page()
    page.set_default_timeout(60_000)
    cdp = context.new_cdp_session(page)
    log = NetworkLog(cdp)
    cdp.send("Network.enable")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(url, wait_until="load")
    if page.locator(".map[data-points]").count():
        page.wait_for_selector(".map[data-ready]", state="attached")
        page.wait_for_selector(".map path.leaflet-interactive, .map svg path", state="attached")
    charts = page.locator("[data-chart]").count()
    if charts:
        page.wait_for_function("n => document.querySelectorAll('[data-chart] svg, [data-chart] canvas').length >= n",
                               arg=charts)
    page.wait_for_load_state("networkidle")
    seen = {"charts": charts, "map": bool(page.locator(".map[data-points]").count()),
            "scripts": page.eval_on_selector_all("script[src]", "els => els.map(e => e.getAttribute('src'))"),
            "errors": errors}
    page.close()
    return log, seen


def measure_page(browser: Any, port: int, name: str, path: str, shows_chart: bool) -> dict[str, Any]:
    """One page: the browser's first and repeat visits, then each of its URLs fetched with and without compression."""
    base = f"http://{harness.HOST}:{port}"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        first, seen = open_page(context, base + path)
        repeat, _seen_again = open_page(context, base + path)
    finally:
        context.close()
    requests = first.network()
    problems = [f"{r['url']}: {r.get('failed') or r.get('status')}" for r in requests
                if r.get("failed") or (r.get("status") or 0) >= 400]
    assets = []
    for record in requests:
        parts = urlsplit(record["url"])
        if parts.netloc != f"{harness.HOST}:{port}":
            problems.append(f"a request left the site: {record['url']}")
            continue
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        compressed, identity = fetch(port, local, COMPRESSED), fetch(port, local, IDENTITY)
        assets.append({"path": local, "type": record.get("type", ""), "status": compressed["status"],
                       "browser_bytes": record.get("bytes", 0), "browser_encoding": record.get("content_encoding", ""),
                       "compressed_body_bytes": compressed["body_bytes"],
                       "compressed_encoding": compressed["content_encoding"],
                       "identity_body_bytes": identity["body_bytes"],
                       "header_bytes": compressed["header_bytes"], "content_type": compressed["content_type"],
                       "cache_control": compressed["cache_control"]})
    vega = [a["path"] for a in assets if "/vendor/vega/" in a["path"]]
    repeat_requests = repeat.network()
    return {
        "name": name, "path": path, "shows_chart": shows_chart, "charts_drawn": seen["charts"], "map": seen["map"],
        "browser": {
            "requests": len(requests), "bytes": sum(r.get("bytes", 0) for r in requests),
            "accept_encoding_sent": sorted({r.get("accept_encoding", "") for r in requests}),
            "repeat_visit": {"requests": len(repeat_requests),
                             "bytes": sum(r.get("bytes", 0) for r in repeat_requests),
                             "paths": [urlsplit(r["url"]).path for r in repeat_requests]},
        },
        "fetched": {
            "requests": len(assets),
            "compressed_body_bytes": sum(a["compressed_body_bytes"] for a in assets),
            "identity_body_bytes": sum(a["identity_body_bytes"] for a in assets),
            "header_bytes": sum(a["header_bytes"] for a in assets),
        },
        "loads_vega": bool(vega), "vega_identity_bytes": sum(a["identity_body_bytes"] for a in assets
                                                              if a["path"] in vega),
        "assets": assets,
        "problems": problems + [f"JavaScript: {e}" for e in seen["errors"]],
    }


# --- Report ------------------------------------------------------------------------------------------


def kb(n: int | float) -> str:
    return f"{n / 1000:,.1f}"


def ratio(a: float, b: float | None) -> float | None:
    return a / b if b else None


def figure_of(page: dict[str, Any] | None, *keys: str) -> float | None:
    """A figure of a page of the --before run (None without one)."""
    value: Any = page
    for key in keys:
        if value is None:
            return None
        value = value.get(key)
    return value


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def print_table(pages: list[dict[str, Any]], before: dict[str, dict[str, Any]]) -> None:
    header = (f"{'page':<40}{'req':>5}{'browser KB':>12}{'br/gzip KB':>12}{'identity KB':>13}{'comp÷id':>9}"
              f"{'repeat req':>11}{'repeat KB':>11}{'vega':>6}{'÷before br':>11}{'÷before id':>11}")
    print(header)
    print("-" * len(header))
    for p in pages:
        old = before.get(p["name"])
        compressed, identity = p["fetched"]["compressed_body_bytes"], p["fetched"]["identity_body_bytes"]
        print(f"{p['name'][:39]:<40}{p['browser']['requests']:>5}{kb(p['browser']['bytes']):>12}{kb(compressed):>12}"
              f"{kb(identity):>13}{fmt_ratio(ratio(compressed, identity)):>9}"
              f"{p['browser']['repeat_visit']['requests']:>11}{kb(p['browser']['repeat_visit']['bytes']):>11}"
              f"{'yes' if p['loads_vega'] else 'no':>6}"
              f"{fmt_ratio(ratio(compressed, figure_of(old, 'fetched', 'compressed_body_bytes'))):>11}"
              f"{fmt_ratio(ratio(identity, figure_of(old, 'fetched', 'identity_body_bytes'))):>11}")
    for p in pages:
        if p["loads_vega"] and not p["charts_drawn"]:
            print(f"note: {p['name']} ({p['path']}) loads Vega ({kb(p['vega_identity_bytes'])} KB) but draws no chart.")
        for problem in p["problems"]:
            print(f"problem on {p['name']}: {problem}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, default=None, metavar="PATH",
                        help="a previous run's JSON (the reference): each page's bytes are given as a ratio to it")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default: 2)")
    harness.add_json_args(parser, "page_weight")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("Chromium is not installed (apt-get install chromium, or set PLAYWRIGHT_CHROMIUM).", file=sys.stderr)
        return 1
    before: dict[str, dict[str, Any]] = {}
    if args.before is not None:
        before = {p["name"]: p for p in json.loads(args.before.read_text(encoding="utf-8"))["figures"]["pages"]}
    started = harness.started_at()
    python, gunicorn_bin = venv_bin("python"), venv_bin("gunicorn")
    machine = harness.machine_info(python, gunicorn_bin)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="ascn-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = production_env(tmp)
        print("building data: migrate, seed, collectstatic, a business case, values, the M&E report ...", flush=True)
        built = build(env)
        print(f"  built in {built['build_seconds']} s: business case {built['business_case']}, indicator "
              f"{built['indicator']} for every city, M&E report {built['me_report']}", flush=True)
        pages = [(name, path.format(case=built["business_case"], indicator=built["indicator"]), chart)
                 for name, path, chart in PAGES + NO_CHART_PAGES]
        with harness.gunicorn("ascn.wsgi:application", env, cwd=ROOT, log_path=tmp / "gunicorn.log",
                              gunicorn_bin=gunicorn_bin, workers=args.workers, ready_path="/livez") as server, \
                sync_playwright() as playwright:
            print(f"gunicorn on {server.base_url}; Chromium {chromium}", flush=True)
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            browser_version = browser.version
            try:
                for _name, path, _chart in pages:  # one uncounted visit each: templates, the analytics snapshot
                    fetch(server.port, path, COMPRESSED)
                results = [measure_page(browser, server.port, name, path, chart) for name, path, chart in pages]
            finally:
                browser.close()
            log_tail = server.log_tail()

    print()
    print_table(results, before)
    failed = any(p["problems"] for p in results) or any(p["shows_chart"] and not p["charts_drawn"] for p in results)
    if failed and log_tail:
        print(f"--- gunicorn log (tail) ---\n{log_tail}", file=sys.stderr)
    ratios = {}
    for p in results:
        old = before.get(p["name"])
        ratios[p["name"]] = {
            "compressed_to_identity": ratio(p["fetched"]["compressed_body_bytes"], p["fetched"]["identity_body_bytes"]),
            "compressed_to_before": ratio(p["fetched"]["compressed_body_bytes"],
                                          figure_of(old, "fetched", "compressed_body_bytes")),
            "identity_to_before": ratio(p["fetched"]["identity_body_bytes"],
                                        figure_of(old, "fetched", "identity_body_bytes")),
            "browser_bytes_to_before": ratio(p["browser"]["bytes"], figure_of(old, "browser", "bytes")),
            "requests_to_before": ratio(p["browser"]["requests"], figure_of(old, "browser", "requests")),
        }
    harness.write_json(
        harness.json_path(args), "page_weight", started=started,
        command_line=harness.command("page_weight.py", {"--before": args.before and _shown(args.before)}),
        machine={**machine, "chromium": browser_version, "playwright": _version("playwright"),
                 "brotli": _version("brotli") or _version("Brotli") or "not installed",
                 "whitenoise": _version("whitenoise")},
        config={"server": f"gunicorn, {args.workers} sync workers, on 127.0.0.1",
                "settings": "DEBUG=0, whitenoise CompressedManifestStaticFilesStorage, collectstatic into a "
                            "temporary directory",
                "visitor": "anonymous", "browser": "Chromium headless (Playwright), a fresh profile per page, "
                                                   "1280x900; a repeat visit in the same profile",
                "browser_bytes": "DevTools encodedDataLength (headers + body as sent) of every request that reached "
                                 "the server, after the map and charts were drawn and the network idle 0.5 s",
                "fetched_bytes": f"each URL the browser requested, fetched again with Accept-Encoding: {COMPRESSED} "
                                 f"and with {IDENTITY}: response bodies as sent (headers apart)",
                "kb": 1000, "data": {k: v for k, v in built.items() if k != "seed"}, "seed": built["seed"],
                "reference": _shown(args.before) if args.before else None},
        figures={"pages": results},
        ratios={"to": "the --before run (the same pages measured the same way) and, within this run, compressed "
                      "to identity", "pages": ratios})
    return 1 if failed else 0


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return path.name


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return ""


if __name__ == "__main__":
    sys.exit(main())
