"""Questionnaire benchmark: page server time, transfer size, submission throughput.

Run through `make bench` (bench/run.py). Each database gets a fresh schema; gunicorn serves the
app with 2 workers on 127.0.0.1 and client processes walk the whole questionnaire.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import multiprocessing as mp
import os
import re
import statistics
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def django_env(db_url: str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        DATA_DIR=str(data_dir),
        DEBUG="0",
        SECURE_HTTPS="0",
        STATIC_MANIFEST="0",
        WHITENOISE_USE_FINDERS="1",
        SECRET_KEY="bench-secret-key-not-for-production-0123456789abcdefghij",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1:8765",
        LOG_LEVEL="ERROR",
    )
    return env


def prepare(env: dict[str, str]) -> str:
    """Fresh schema + questionnaire + one open round; returns its link token."""
    manage = [PY, str(ROOT / "manage.py")]
    if env["DATABASE_URL"].startswith("postgres"):
        subprocess.run(
            [*manage, "shell", "-c", _PG_RESET], env=env, check=True, capture_output=True
        )
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    subprocess.run([*manage, "loaddata", "questionnaire", "-v0"], env=env, check=True)
    out = subprocess.run(
        [*manage, "shell", "-c", _MAKE_ROUND], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


_PG_RESET = """
from django.db import connection
with connection.cursor() as c:
    c.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
"""

_MAKE_ROUND = """
import datetime as dt
from django.utils import timezone
from assessments.models import Campaign, Organisation, Questionnaire, Team
org = Organisation.objects.create(name="Bench BV", sector="trade", size_band="50-249")
for name in ("Productie", "Logistiek", "Kantoor"):
    Team.objects.create(organisation=org, name=name)
today = timezone.localdate()
c = Campaign(organisation=org, questionnaire=Questionnaire.objects.get(version=1),
             name="Bench", opens_on=today - dt.timedelta(days=1),
             closes_on=today + dt.timedelta(days=10), ask_team=True, ask_role=True)
token = c.set_link_token()
c.save()
c.open()
print(token)
"""


class Browser:
    """A minimal keep-alive HTTP client with cookies and CSRF handling."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None):
        headers = {"Host": "127.0.0.1", "Accept-Encoding": "gzip"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = "http://127.0.0.1/"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed an idle keep-alive connection; a replayed POST is harmless
            # here because the questionnaire stores a send at most once.
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.conn.port, timeout=60)
            start = time.perf_counter()
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
        raw = resp.read()
        elapsed = time.perf_counter() - start
        for header in resp.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        if resp.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        return resp.status, resp.headers, raw, elapsed


def walk_questionnaire(
    port: int, token: str, seed: int, entry: str = "/s/{token}/", browser: Browser | None = None
) -> tuple[Browser, list[float]]:
    """One employee: open the link (round link, or `entry="/i/{token}/"` for an invitation)
    and answer every page, up to the review page."""
    import random

    rng = random.Random(seed)
    b = browser or Browser(port)
    latencies: list[float] = []

    def go(method, path, data=None, expect=(200, 302)):
        status, headers, body, elapsed = b.request(method, path, data)
        latencies.append(elapsed)
        if status not in expect:
            raise RuntimeError(f"{method} {path} -> {status}")
        return headers, body

    go("GET", entry.format(token=token), expect=(302,))
    go("GET", "/survey/")
    go("POST", "/survey/", {}, expect=(302,))
    step = 1
    while True:
        _, body = go("GET", f"/survey/step/{step}/")
        html = body.decode()
        data: dict[str, str] = {"action": "next"}
        for name in sorted(set(re.findall(r'name="(item-[^"]+)"', html))):
            data[name] = str(rng.randint(1, 5))
        for name in set(re.findall(r'name="(segment-[^"]+)"', html)):
            values = re.findall(rf'name="{re.escape(name)}" id="[^"]+" value="([^"]+)"', html)
            data[name] = rng.choice(values)
        for name in re.findall(r'name="(open-[^"]+)"', html):
            data[name] = "Meer tijd om van elkaar te leren." if rng.random() < 0.3 else ""
        headers, _ = go("POST", f"/survey/step/{step}/", data, expect=(302,))
        if headers["Location"].endswith("/survey/review/"):
            break
        step += 1
    go("GET", "/survey/review/")
    return b, latencies


def loadavg() -> str:
    """The machine's 1/5/15-minute load, noted with every figure (the box is shared)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(master: subprocess.Popen) -> float:
    """CPU seconds of a gunicorn master and its live workers: the server's own work."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if int(entry.name) == master.pid or parent == master.pid:
            with contextlib.suppress(OSError, IndexError, ValueError):
                total += process_cpu(int(entry.name))
    return total


def _client_process(port, token, seeds, barrier, queue):
    """Phase 1: walk each questionnaire up to the review. Phase 2 (after the barrier, all
    clients at once): send them all. The client's own CPU time is reported too, so the load
    generator's share of the machine is known."""
    walks, errors = [], []
    for seed in seeds:
        try:
            walks.append(walk_questionnaire(port, token, seed))
        except Exception as exc:  # counted as an error in the figures
            errors.append(repr(exc))
    walk_cpu = time.process_time()
    barrier.wait()
    sends = []
    for browser, _ in walks:
        try:
            status, headers, _, elapsed = browser.request("POST", "/survey/review/", {})
            ok = status == 302 and headers["Location"].endswith("/survey/done/")
            sends.append((ok, elapsed))
            if not ok:
                errors.append(f"send -> {status}")
        except Exception as exc:
            errors.append(repr(exc))
    queue.put(
        (
            [lat for _, lats in walks for lat in lats],
            sends,
            errors,
            (walk_cpu, time.process_time() - walk_cpu),
        )
    )


def start_gunicorn(env: dict[str, str], port: int, workers: int = 2) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "leercultuur.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--worker-class=gthread",
            "--threads=4",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/privacy/", headers={"Host": "127.0.0.1"})
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def count_stored(env: dict[str, str]) -> tuple[int, int]:
    out = subprocess.run(
        [
            PY,
            str(ROOT / "manage.py"),
            "shell",
            "-c",
            "from assessments.models import Response, Answer;"
            "print(Response.objects.count(), Answer.objects.count())",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    responses, answers = out.stdout.strip().splitlines()[-1].split()
    return int(responses), int(answers)


def page_figures(env: dict[str, str], token: str, repeats: int = 300) -> dict:
    """Server time of one item page, measured inside the Django process (no network)."""
    code = f"""
import time, statistics, gzip, json
from django.test import Client
from django.contrib.staticfiles import finders
c = Client(HTTP_HOST="127.0.0.1")
c.get("/s/{token}/")
c.post("/survey/")
times = []
for i in range({repeats}):
    t = time.perf_counter(); r = c.get("/survey/step/2/"); times.append(time.perf_counter() - t)
html = r.content
import re
css = [finders.find(p) for p in re.findall(r'href="/static/([^"]+\\.css)"', html.decode())]
sizes = {{"html": len(gzip.compress(html, 6))}}
for p in css:
    if p:
        sizes[p.rsplit("/", 1)[-1]] = len(gzip.compress(open(p, "rb").read(), 6))
print(json.dumps({{"p50_ms": statistics.median(times) * 1000,
                  "p95_ms": sorted(times)[int(len(times) * .95)] * 1000,
                  "gzip_bytes": sizes, "scripts": html.count(b"<script")}}))
"""
    out = subprocess.run(
        [PY, str(ROOT / "manage.py"), "shell", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def throughput(
    env: dict[str, str], token: str, submissions: int, clients: int, port: int = 8765
) -> dict:
    proc = start_gunicorn(env, port)
    try:
        ctx = mp.get_context("fork")
        barrier = ctx.Barrier(clients + 1)
        queue = ctx.Queue()
        seeds = list(range(submissions))
        procs = [
            ctx.Process(
                target=_client_process, args=(port, token, seeds[i::clients], barrier, queue)
            )
            for i in range(clients)
        ]
        load_before = loadavg()
        cpu_start = server_cpu(proc)
        started = time.perf_counter()
        for p in procs:
            p.start()
        barrier.wait()
        walked = time.perf_counter()
        cpu_walked = server_cpu(proc)
        results = [queue.get(timeout=600) for _ in procs]
        sent = time.perf_counter()
        cpu_sent = server_cpu(proc)
        load_after = loadavg()
        for p in procs:
            p.join()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    latencies = sorted(lat for r in results for lat in r[0])
    sends = [s for r in results for s in r[1]]
    errors = [e for r in results for e in r[2]]
    send_times = sorted(t for ok, t in sends if ok)
    stored, answers = count_stored(env)
    ok = sum(1 for good, _ in sends if good)
    client_walk_cpu = sum(r[3][0] for r in results)
    client_send_cpu = sum(r[3][1] for r in results)
    return {
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "server_cpu_walks_s": cpu_walked - cpu_start,
        "server_cpu_sends_s": cpu_sent - cpu_walked,
        "server_cpu_per_questionnaire_ms": (cpu_sent - cpu_start) / max(ok, 1) * 1000,
        "server_cpu_per_send_ms": (cpu_sent - cpu_walked) / max(ok, 1) * 1000,
        "client_cpu_s": client_walk_cpu + client_send_cpu,
        "client_cpu_per_questionnaire_ms": (client_walk_cpu + client_send_cpu) / max(ok, 1) * 1000,
        "submissions": submissions,
        "clients": clients,
        "ok": ok,
        "errors": len(errors),
        "error_samples": errors[:5],
        "stored_responses": stored,
        "stored_answers": answers,
        "answers_per_response_ok": answers == stored * 48,
        "lost": ok - stored,
        "walk_seconds": walked - started,
        "walk_requests": len(latencies),
        "walk_requests_per_s": len(latencies) / (walked - started),
        "walks_per_s": submissions / (walked - started),
        "request_p50_ms": statistics.median(latencies) * 1000,
        "request_p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
        "send_seconds": sent - walked,
        "sends_per_s": ok / (sent - walked),
        "send_p50_ms": statistics.median(send_times) * 1000 if send_times else None,
        "send_p95_ms": send_times[int(len(send_times) * 0.95)] * 1000 if send_times else None,
    }


DATABASES = {
    "SQLite": lambda tmp: f"sqlite:///{tmp / 'bench.sqlite3'}",
    "PostgreSQL": lambda tmp: f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}",
}
# Its own database name per checkout, so benchmarks of two checkouts on one machine (one
# PostgreSQL) never drop each other's schema.
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "bench")


def ensure_pg_database(name: str | None = None) -> None:
    """Create a benchmark database on the local PostgreSQL (an existing one is fine)."""
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            f"CREATE DATABASE {name or PG_DATABASE}",
        ],
        capture_output=True,
    )


def run(submissions: int = 500, clients: int = 50) -> dict:
    import tempfile

    submissions = int(os.environ.get("BENCH_SUBMISSIONS", submissions))
    clients = int(os.environ.get("BENCH_CLIENTS", clients))
    data: dict = {"title": "Questionnaire: page time, transfer size, submissions", "databases": {}}
    md = [
        "Targets (issue 2): item page p50 ≤ 20 ms server time; ≤ 60 KB gzip transferred;",
        "≥ 100 complete submissions/s on both databases with 0 lost and 0 errors. Issue 14: "
        "≥ 150 sends/s on both, server CPU ≤ 60 ms per complete questionnaire.",
        "",
        f"Throughput: gunicorn, 2 workers × 4 threads; {clients} concurrent client processes walk "
        f"the whole questionnaire ({submissions} distinct employees: link, intro, start, every "
        "page GET+POST, review, send). A *questionnaire* is that whole walk (~20 requests); the "
        "*send* is the final POST that stores the response with its 48 answers.",
        "",
        "| database | item page p50 / p95 (server) | gzip transfer (HTML+CSS, no JS) | sends/s | send p50 / p95 | whole walks/s (~20 requests each) | walk request p95 | stored / lost / errors | server CPU per questionnaire (per send) | load generator CPU per questionnaire | load average before → after |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, url_for in DATABASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            if name == "PostgreSQL":
                ensure_pg_database()
            env = django_env(url_for(tmp_path), tmp_path)
            token = prepare(env)
            page = page_figures(env, token)
            tp = throughput(env, token, submissions, clients)
            data["databases"][name] = {"page": page, "throughput": tp}
            total_kb = sum(page["gzip_bytes"].values()) / 1024
            md.append(
                f"| {name} | {page['p50_ms']:.1f} / {page['p95_ms']:.1f} ms | {total_kb:.1f} KB "
                f"({', '.join(f'{k} {v / 1024:.1f}' for k, v in page['gzip_bytes'].items())}) | "
                f"**{tp['sends_per_s']:.0f}** | {tp['send_p50_ms']:.0f} / {tp['send_p95_ms']:.0f} ms | "
                f"{tp['walks_per_s']:.1f} ({tp['walk_requests_per_s']:.0f} req/s) | "
                f"{tp['request_p95_ms']:.0f} ms | {tp['stored_responses']} / {tp['lost']} / "
                f"{tp['errors']} | **{tp['server_cpu_per_questionnaire_ms']:.0f} ms** "
                f"({tp['server_cpu_per_send_ms']:.1f} ms) | "
                f"{tp['client_cpu_per_questionnaire_ms']:.0f} ms | "
                f"{tp['loadavg_before']} → {tp['loadavg_after']} |"
            )
    md.append("")
    md.append(
        "*Sends/s*: all employees first walk to the review page, then all send at once; the "
        "rate at which complete responses (48 answers each, checked afterwards) are stored."
    )
    md.append("")
    md.append(
        "*Server CPU*: user + system CPU of the gunicorn master and workers (from /proc) over "
        "the walks and the sends, divided by the responses stored; the database server's CPU is "
        "not in it. The load generator (stdlib http.client in forked processes, regex parsing) "
        "measures its own CPU (`time.process_time` per client process): it runs on the same "
        "2 cores, so the rates are lower bounds. The machine is shared by several engineers; "
        "the load averages show how busy it was."
    )
    data["markdown"] = md
    return data
