"""Load, races and crashes: does every answer arrive whole when a company answers at once?

    .venv/bin/python bench/run.py load          # 500 submissions / 50 clients per database
    BENCH_SUBMISSIONS=60 BENCH_CLIENTS=10 .venv/bin/python bench/run.py load

Per database (SQLite, PostgreSQL), against gunicorn with several workers on 127.0.0.1:

1. *Load*: `clients` processes each walk whole questionnaires (link, intro, every page, review,
   send) for `submissions` distinct employees with random answers, while one more process
   keeps reading the HR results page (the dashboard once it exists; /privacy/ before). Every
   send must be stored with all its answers; 0 server errors anywhere.
2. *Race*: 20 browsers open one personal invitation link, walk to the review page, then all
   send at the same moment: exactly one response may be stored.
3. *Crash*: 20 submissions whose gunicorn worker is SIGKILLed in the middle of the send's
   transaction (bench/fault_wsgi.py), at every statement of it in turn. Afterwards no
   response may have fewer answers than the questionnaire has items, and every killed
   employee's answers must still be there to send again (which the harness then does).
"""

from __future__ import annotations

import http.client
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.survey_bench import (
    DATABASES,
    PY,
    ROOT,
    Browser,
    django_env,
    ensure_pg_database,
    prepare,
    walk_questionnaire,
)

WORKERS = 4
THREADS = 4
ITEMS = 48


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage_shell(env: dict[str, str], code: str) -> str:
    out = subprocess.run(
        [PY, str(ROOT / "manage.py"), "shell", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def start_server(env: dict[str, str], port: int, log: Path, app: str) -> subprocess.Popen:
    handle = open(log, "ab")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            app,
            f"--bind=127.0.0.1:{port}",
            f"--workers={WORKERS}",
            "--worker-class=gthread",
            f"--threads={THREADS}",
            "--log-level=warning",
            "--graceful-timeout=5",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=handle,
    )
    wait_ready(port)
    return proc


def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/privacy/", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer")


_SETUP = """
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from assessments.models import Campaign, Invitation, Membership
campaign = Campaign.objects.get(name="Bench")
User = get_user_model()
user = User.objects.filter(username="hr-bench").first() or User.objects.create_user(
    "hr-bench", "hr@bench.example", "bench-password-0123")
Membership.objects.get_or_create(user=user, organisation=campaign.organisation, role="hr")
try:
    dashboard = reverse("assessments:campaign_results", args=[campaign.pk])
except NoReverseMatch:
    dashboard = ""
invitation = Invitation(campaign=campaign, email="race@bench.example")
token = invitation.set_token()
invitation.save()
print(dashboard or "-", token, reverse("login"))
"""

_INTEGRITY = """
from django.db.models import Count
from assessments.models import Answer, Response, SurveyDraft
counts = list(Response.objects.annotate(n=Count("answers")).values_list("n", flat=True))
print(len(counts), Answer.objects.count(), min(counts or [0]), max(counts or [0]),
      sum(1 for n in counts if n != {items}), SurveyDraft.objects.count())
"""


def integrity(env: dict[str, str]) -> dict:
    fields = manage_shell(env, _INTEGRITY.format(items=ITEMS)).split()
    responses, answers, least, most, partial, drafts = map(int, fields)
    return {
        "responses": responses,
        "answers": answers,
        "min_answers": least,
        "max_answers": most,
        "responses_not_whole": partial,
        "drafts": drafts,
    }


def log_server_errors(log: Path) -> int:
    text = log.read_text(errors="replace") if log.exists() else ""
    return text.count("Internal Server Error") + text.count("Traceback")


# -- 1. load -------------------------------------------------------------------------------


def _employee_process(port, token, seeds, start, queue):
    start.wait()
    latencies, sends, errors, server_errors = [], [], [], 0
    for seed in seeds:
        try:
            browser, lats = walk_questionnaire(port, token, seed)
            latencies.extend(lats)
            status, headers, _, elapsed = browser.request("POST", "/survey/review/", {})
            latencies.append(elapsed)
            ok = status == 302 and headers["Location"].endswith("/survey/done/")
            sends.append((ok, elapsed))
            if status >= 500:
                server_errors += 1
            if not ok:
                errors.append(f"send -> {status}")
        except Exception as exc:
            errors.append(repr(exc))
            server_errors += " -> 5" in str(exc)
    queue.put((latencies, sends, errors, server_errors))


def _login(browser: Browser, url: str) -> bool:
    status, _, _, _ = browser.request("GET", url)
    if status != 200:
        return False
    status, _, _, _ = browser.request(
        "POST", url, {"username": "hr-bench", "password": "bench-password-0123"}
    )
    return status == 302


def _reader_process(port, path, login_url, start, stop, queue):
    browser = Browser(port)
    logged_in = _login(browser, login_url) if login_url else True
    start.wait()
    latencies, statuses = [], []
    while not stop.is_set():
        try:
            status, _, _, elapsed = browser.request("GET", path)
        except Exception:
            status, elapsed = 599, 0.0
        statuses.append(status)
        latencies.append(elapsed)
        time.sleep(0.05)
    queue.put((logged_in, latencies, statuses))


def load(
    port: int,
    token: str,
    dashboard: str,
    submissions: int,
    clients: int,
    timeout: float = 1800,
    login_url: str = "",
) -> dict:
    ctx = mp.get_context("fork")
    start, stop, queue, reads = ctx.Barrier(clients + 2), ctx.Event(), ctx.Queue(), ctx.Queue()
    seeds = [1_000_000 + i for i in range(submissions)]
    reader_path = dashboard or "/privacy/"
    reader = ctx.Process(
        target=_reader_process,
        args=(port, reader_path, login_url if dashboard else "", start, stop, reads),
    )
    procs = [
        ctx.Process(target=_employee_process, args=(port, token, seeds[i::clients], start, queue))
        for i in range(clients)
    ]
    reader.start()
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    results = [queue.get(timeout=timeout) for _ in procs]
    elapsed = time.perf_counter() - began
    stop.set()
    logged_in, read_latencies, read_statuses = reads.get(timeout=60)
    for p in [*procs, reader]:
        p.join(timeout=60)
    latencies = sorted(lat for r in results for lat in r[0])
    sends = [s for r in results for s in r[1]]
    send_times = sorted(t for ok, t in sends if ok)
    errors = [e for r in results for e in r[2]]
    read_latencies.sort()

    def p95(values):
        return values[int(len(values) * 0.95)] * 1000 if values else None

    return {
        "submissions": submissions,
        "clients": clients,
        "sent_ok": sum(1 for ok, _ in sends if ok),
        "errors": len(errors),
        "error_samples": errors[:5],
        "client_server_errors": sum(r[3] for r in results),
        "seconds": elapsed,
        "submissions_per_s": sum(1 for ok, _ in sends if ok) / elapsed,
        "requests": len(latencies),
        "requests_per_s": len(latencies) / elapsed,
        "request_p50_ms": statistics.median(latencies) * 1000 if latencies else None,
        "request_p95_ms": p95(latencies),
        "send_p95_ms": p95(send_times),
        "reads_path": "dashboard" if dashboard else "/privacy/ (no dashboard URL yet)",
        "reads_logged_in": logged_in,
        "reads": len(read_statuses),
        "read_errors": sum(1 for s in read_statuses if s != 200),
        "read_p95_ms": p95(read_latencies),
    }


# -- 2. race on one invitation --------------------------------------------------------------


def race(port: int, invitation_token: str, browsers: int = 20) -> dict:
    walked: list[Browser] = []
    failures: list[str] = []
    lock = threading.Lock()

    def walk(seed: int) -> None:
        try:
            browser, _ = walk_questionnaire(port, invitation_token, seed, entry="/i/{token}/")
            with lock:
                walked.append(browser)
        except Exception as exc:
            with lock:
                failures.append(repr(exc))

    threads = [threading.Thread(target=walk, args=(s,)) for s in range(browsers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    barrier = threading.Barrier(len(walked))
    statuses: list[int] = []

    def send(browser: Browser) -> None:
        barrier.wait()
        status, _, _, _ = browser.request("POST", "/survey/review/", {})
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send, args=(b,)) for b in walked]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "browsers": browsers,
        "walked_to_review": len(walked),
        "walk_failures": failures[:3],
        "send_statuses": sorted(set(statuses)),
        "server_errors": sum(1 for s in statuses if s >= 500),
    }


# -- 3. crash in the middle of a submission ---------------------------------------------------


def _raw_send(port: int, browser: Browser, kill_at: int) -> tuple[str, int]:
    """The final POST with the fault header, on a connection of its own (no retry)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urlencode({"csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")})
    headers = {
        "Host": "127.0.0.1",
        "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": "http://127.0.0.1/",
        "X-Bench-Kill-At": str(kill_at),
    }
    try:
        conn.request("POST", "/survey/review/", body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return "answered", int(resp.headers.get("X-Bench-Tx-Queries", "0"))
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        return "killed", 0
    finally:
        conn.close()


def crash(env: dict[str, str], port: int, token: str, kills: int) -> dict:
    before = integrity(env)
    # One ordinary send tells how many statements the send's transaction runs.
    probe, _ = walk_questionnaire(port, token, 7_000_000)
    outcome, statements = _raw_send(port, probe, kill_at=10_000)
    if outcome != "answered" or statements < 2:
        raise RuntimeError(f"probe send: {outcome}, {statements} statements in the transaction")
    killed, answered, checks = [], 0, []
    for i in range(kills):
        browser, _ = walk_questionnaire(port, token, 7_000_001 + i)
        point = 1 + i % statements
        outcome, _ = _raw_send(port, browser, kill_at=point)
        wait_ready(port)
        state = integrity(env)
        checks.append(state["responses_not_whole"])
        if outcome == "killed":
            killed.append(browser)
        else:
            answered += 1
    after_kills = integrity(env)
    # Every killed employee still has a draft: send again, as the employee would.
    resent = 0
    for browser in killed:
        status, headers, _, _ = browser.request("POST", "/survey/review/", {})
        resent += status == 302 and headers["Location"].endswith("/survey/done/")
    final = integrity(env)
    return {
        "kills_requested": kills,
        "statements_in_send_transaction": statements,
        "workers_killed_mid_transaction": len(killed),
        "sends_not_killed": answered,
        "responses_not_whole_after_any_kill": max(checks or [0]),
        "stored_by_killed_sends": after_kills["responses"] - before["responses"] - 1 - answered,
        "drafts_left_for_killed": after_kills["drafts"] - before["drafts"],
        "resent_ok": resent,
        "responses_not_whole_final": final["responses_not_whole"],
        "lost": len(killed) - resent,
    }


# -- per database ---------------------------------------------------------------------------


def run_database(
    name: str,
    db_url: str,
    tmp: Path,
    submissions: int,
    clients: int,
    kills: int,
    racers: int,
    timeout: float = 1800,
) -> dict:
    env = django_env(db_url, tmp)
    env["RATELIMIT_ENABLE"] = "1"
    token = prepare(env)
    dashboard, invitation_token, login_url = manage_shell(env, _SETUP).split()
    dashboard = "" if dashboard == "-" else dashboard
    port = free_port()
    log = tmp / "gunicorn.log"
    server = start_server(env, port, log, "bench.fault_wsgi:application")
    try:
        result = {"database": name, "workers": WORKERS, "threads": THREADS}
        result["load"] = load(
            port, token, dashboard, submissions, clients, timeout, login_url=login_url
        )
        result["load"]["integrity"] = integrity(env)
        result["race"] = race(port, invitation_token, racers)
        after_race = integrity(env)
        result["race"]["stored"] = (
            after_race["responses"] - result["load"]["integrity"]["responses"]
        )
        result["crash"] = crash(env, port, token, kills)
        result["server_errors_logged"] = log_server_errors(log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return result


def verdict(r: dict) -> list[str]:
    """Every promise the run must keep; empty when all hold."""
    failed = []
    load, race_, crash_ = r["load"], r["race"], r["crash"]
    if load["sent_ok"] != load["submissions"] or load["errors"]:
        failed.append(
            f"load: {load['sent_ok']}/{load['submissions']} sent, {load['error_samples']}"
        )
    if load["integrity"]["responses"] != load["submissions"]:
        failed.append(f"load: {load['integrity']['responses']} stored")
    if load["integrity"]["responses_not_whole"]:
        failed.append("load: responses without all answers")
    if load["client_server_errors"] or r["server_errors_logged"]:
        failed.append(f"server errors: {load['client_server_errors']}/{r['server_errors_logged']}")
    if load["read_errors"] or not load["reads"] or not load["reads_logged_in"]:
        failed.append(f"reads: {load['read_errors']} errors of {load['reads']}")
    if race_["stored"] != 1 or race_["server_errors"] or race_["walk_failures"]:
        failed.append(f"race: {race_}")
    if crash_["responses_not_whole_after_any_kill"] or crash_["responses_not_whole_final"]:
        failed.append("crash: a response with only part of its answers")
    if crash_["lost"] or crash_["workers_killed_mid_transaction"] < crash_["kills_requested"]:
        failed.append(f"crash: {crash_}")
    return failed


def run(submissions: int = 500, clients: int = 50, kills: int = 20, racers: int = 20) -> dict:
    submissions = int(os.environ.get("BENCH_SUBMISSIONS", submissions))
    clients = int(os.environ.get("BENCH_CLIENTS", clients))
    data: dict = {"title": "Load, races and crashes (issue 7)", "databases": {}}
    md = [
        f"gunicorn {WORKERS} workers × {THREADS} threads (gthread) on 127.0.0.1; {clients} "
        f"client processes walk the whole questionnaire and send it, {submissions} distinct "
        "employees; one more process reads the HR results page the whole time. Then 20 "
        "browsers send one personal invitation at the same moment, and 20 sends are killed "
        "(SIGKILL of the worker) at each statement of their transaction in turn.",
        "",
        "| database | submissions/s | request p50 / p95 | send p95 | stored (48 answers each) "
        "| server errors | reads during writes (errors, p95) | one invitation × 20 sends | "
        "SIGKILL mid-send: partial / lost |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, url_for in DATABASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            if name == "PostgreSQL":
                ensure_pg_database()
            r = run_database(name, url_for(tmp_path), tmp_path, submissions, clients, kills, racers)
            r["failed"] = verdict(r)
            data["databases"][name] = r
            ld, rc, cr = r["load"], r["race"], r["crash"]
            md.append(
                f"| {name} | **{ld['submissions_per_s']:.1f}** | {ld['request_p50_ms']:.0f} / "
                f"{ld['request_p95_ms']:.0f} ms | {ld['send_p95_ms']:.0f} ms | "
                f"{ld['integrity']['responses']} of {ld['submissions']} "
                f"({ld['integrity']['min_answers']}–{ld['integrity']['max_answers']} answers) | "
                f"{ld['client_server_errors'] + r['server_errors_logged']} | "
                f"{ld['reads']} {ld['reads_path']}: {ld['read_errors']} errors, "
                f"p95 {ld['read_p95_ms']:.0f} ms | {rc['stored']} stored | "
                f"{cr['workers_killed_mid_transaction']} kills: "
                f"{cr['responses_not_whole_final']} / {cr['lost']} |"
            )
    md.append("")
    md.append(
        "Every killed send left its draft in place (nothing half-stored), and sending again "
        "stored it whole. The figures are per whole questionnaire walk (~20 requests each). "
        "The client processes run on the same machine as gunicorn and the database and use much "
        "of its CPU, so the rates are lower bounds for the server."
    )
    data["markdown"] = md
    return data


if __name__ == "__main__":
    import json

    print(json.dumps(run(submissions=40, clients=8, kills=4), indent=2))
