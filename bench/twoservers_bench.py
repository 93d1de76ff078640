"""Two app servers, one PostgreSQL, one Redis: nothing an employee does depends on which
server answers.

    .venv/bin/python bench/run.py twoservers     # 500 employees over both servers
    BENCH_TWO_EMPLOYEES=60 .venv/bin/python bench/run.py twoservers

Two gunicorn servers (2 workers × 4 threads each, own ports) share one PostgreSQL database and
one Redis (sessions and drafts in the database, rate limits and caches in Redis), like two
machines behind a load balancer without sticky sessions:

1. *Load*: employees walk the whole questionnaire and send it, every request going to the
   other server than the one before (round robin per request). Every send must be stored with
   all its answers: 0 lost, 0 partial, 0 server errors.
2. *Resume*: an employee pauses on server A; the resume code, typed on server B, continues the
   same answers there and the response is sent through B.
3. *Rate limit*: wrong links, half of them to each server; the miss that passes the limit
   gets the 429 page from either server.
4. *Publication*: the HR manager reads the round's progress on server A, closes the round on
   server B, and server A then shows the round closed with every response counted (results of
   an open round appear only in steps or after closing, so the count at close is the check).

Traffic goes only to 127.0.0.1, and every loop is bounded in count and time.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import secrets
import subprocess
import tempfile
import time
from pathlib import Path

from bench.load_bench import free_port, integrity, manage_shell, start_server
from bench.survey_bench import Browser, django_env, loadavg, prepare, walk_questionnaire

ITEMS = 48
PG_DATABASE = os.environ.get("BENCH_TWO_PG_DATABASE", "bench_two")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
MISS_LIMIT = 10


class SpreadBrowser(Browser):
    """A browser behind a round-robin load balancer: each request goes to the next server."""

    def __init__(self, ports: list[int], first: int = 0):
        super().__init__(ports[first % len(ports)])
        self.ports = ports
        self.turn = first
        self.conns = {}
        self.served: dict[int, int] = dict.fromkeys(ports, 0)

    def request(self, method, path, data=None):
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        if port not in self.conns:
            self.conns[port] = Browser(port).conn
        self.conn = self.conns[port]
        try:
            return super().request(method, path, data)
        finally:
            self.conns[port] = self.conn  # Browser.request may have reconnected
            self.served[port] += 1


def _employees(ports, token, seeds, start, queue):
    start.wait()
    sends, errors, served = [], [], dict.fromkeys(ports, 0)
    for seed in seeds:
        try:
            browser, _ = walk_questionnaire(
                0, token, seed, browser=SpreadBrowser(ports, first=seed)
            )
            status, headers, _, elapsed = browser.request("POST", "/survey/review/", {})
            ok = status == 302 and headers["Location"].endswith("/survey/done/")
            sends.append((ok, elapsed))
            if not ok:
                errors.append(f"send -> {status}")
            for port, n in browser.served.items():
                served[port] += n
        except Exception as exc:  # counted in the verdict
            errors.append(repr(exc))
    queue.put((sends, errors, served, time.process_time()))


def spread_load(ports, token, employees, clients, timeout) -> dict:
    ctx = mp.get_context("fork")
    start, queue = ctx.Barrier(clients + 1), ctx.Queue()
    seeds = [2_000_000 + i for i in range(employees)]
    procs = [
        ctx.Process(target=_employees, args=(ports, token, seeds[i::clients], start, queue))
        for i in range(clients)
    ]
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    results = [queue.get(timeout=timeout) for _ in procs]
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join(timeout=60)
    sends = [s for r in results for s in r[0]]
    errors = [e for r in results for e in r[1]]
    served = {port: sum(r[2][port] for r in results) for port in ports}
    ok = sum(1 for good, _ in sends if good)
    times = sorted(t for good, t in sends if good)
    return {
        "employees": employees,
        "clients": clients,
        "sent_ok": ok,
        "errors": len(errors),
        "error_samples": errors[:5],
        "seconds": elapsed,
        "questionnaires_per_s": ok / elapsed,
        "send_p95_ms": times[int(len(times) * 0.95)] * 1000 if times else None,
        "requests_per_server": served,
        "load_generator_cpu_s": sum(r[3] for r in results),
    }


def resume_across(ports, token) -> dict:
    """Pause on server A, resume with the code on server B, send there."""
    a, b = ports
    first = Browser(a)
    first.request("GET", f"/s/{token}/")
    first.request("GET", "/survey/")  # the intro sets the CSRF cookie
    first.request("POST", "/survey/", {})
    # The first page (segments) answered, the second (statements) answered and paused.
    headers: dict = {}
    for step, action in ((1, "next"), (2, "save")):
        _, _, page, _ = first.request("GET", f"/survey/step/{step}/")
        html = page.decode()
        data = {"action": action}
        for name in set(re.findall(r'name="(segment-[^"]+)"', html)):
            data[name] = "x"
        for name in set(re.findall(r'name="(item-[^"]+)"', html)):
            data[name] = "4"
        _, headers, _, _ = first.request("POST", f"/survey/step/{step}/", data)
    _, _, paused, _ = first.request("GET", headers.get("Location", "/survey/paused/"))
    match = re.search(
        r'class="resume-code[^"]*">\s*([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})', paused.decode()
    )
    if not match:
        return {"code_shown_on_a": False, "paused_page": headers.get("Location")}
    other = Browser(b)
    other.request("GET", "/survey/resume/")  # its CSRF cookie, from server B
    status, headers, _, _ = other.request("POST", "/survey/resume/", {"code": match[1]})
    continued_at = headers.get("Location", "")
    _answer_from(other, continued_at)
    status, headers, _, _ = other.request("POST", "/survey/review/", {})
    return {
        "code_shown_on_a": True,
        "resume_on_b_status": status,
        "continued_at": continued_at,
        "sent_on_b": status == 302 and headers["Location"].endswith("/survey/done/"),
    }


def _answer_from(browser: Browser, location: str, limit: int = 30) -> None:
    """Answer every page from ``location`` on, up to the review page."""
    match = re.search(r"/survey/step/(\d+)/", location)
    step = int(match[1]) if match else 1
    for _ in range(limit):
        _, _, page, _ = browser.request("GET", f"/survey/step/{step}/")
        html = page.decode()
        data = {"action": "next"}
        for name in set(re.findall(r'name="(item-[^"]+)"', html)):
            data[name] = "3"
        for name in set(re.findall(r'name="(segment-[^"]+)"', html)):
            data[name] = "x"
        _, headers, _, _ = browser.request("POST", f"/survey/step/{step}/", data)
        if headers.get("Location", "").endswith("/survey/review/"):
            browser.request("GET", "/survey/review/")
            return
        step += 1


def misses_from_both(ports) -> dict:
    """Wrong links alternately to both servers: the limit counts them together."""
    statuses = []
    for i in range(MISS_LIMIT + 2):
        browser = Browser(ports[i % 2])
        status, _, _, _ = browser.request("GET", f"/s/{secrets.token_urlsafe(32)}/")
        statuses.append(status)
    return {
        "statuses": statuses,
        "first_429_at": statuses.index(429) + 1 if 429 in statuses else None,
        "per_server_misses_before_429": (MISS_LIMIT + 1) // 2,
        "both_servers_refuse": statuses[-2:] == [429, 429],
    }


_HR = """
from django.contrib.auth import get_user_model
from assessments.models import Campaign, Membership
campaign = Campaign.objects.get(name="Bench")
user = get_user_model().objects.filter(username="hr-two").first() or get_user_model(
    ).objects.create_user("hr-two", "hr@two.example", "two-servers-password-0123")
Membership.objects.get_or_create(user=user, organisation=campaign.organisation, role="hr")
print(campaign.pk)
"""


def publication_across(ports, token, campaign_pk) -> dict:
    """One more response through B, close through B, read the round through A."""
    a, b = ports
    hr = Browser(a)
    hr.request("GET", "/accounts/login/")
    status, _, _, _ = hr.request(
        "POST", "/accounts/login/", {"username": "hr-two", "password": "two-servers-password-0123"}
    )
    logged_in = status == 302
    progress = f"/rounds/{campaign_pk}/progress.json"
    _, _, before, _ = hr.request("GET", progress)
    before = json.loads(before)
    walked, _ = walk_questionnaire(b, token, 11)
    status, headers, _, _ = walked.request("POST", "/survey/review/", {})
    sent = status == 302 and headers["Location"].endswith("/survey/done/")
    # The same login session, now on server B: sessions live in the shared database.
    hr_on_b = Browser(b)
    hr_on_b.cookies = dict(hr.cookies)
    hr_on_b.request("GET", f"/rounds/{campaign_pk}/")
    status, _, _, _ = hr_on_b.request("POST", f"/rounds/{campaign_pk}/close/", {})
    closed_on_b = status == 302
    _, _, after, _ = hr.request("GET", progress)
    after = json.loads(after)
    return {
        "hr_logged_in": logged_in,
        "responses_before": before["responses"],
        "status_before": before["status"],
        "new_response_sent_on_b": sent,
        "closed_on_b": closed_on_b,
        "responses_after_on_a": after["responses"],
        "status_after_on_a": after["status"],
    }


def run_two_servers(
    db_url: str,
    redis_url: str,
    tmp: Path,
    *,
    employees: int,
    clients: int,
    timeout: float = 1500,
) -> dict:
    env = django_env(db_url, tmp)
    # Keys of their own in Redis, so that nothing else using the same Redis database (another
    # test's rate limits) counts with these servers or is flushed with them.
    prefix = f"twoservers-{secrets.token_hex(4)}"
    env.update(
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=prefix,
        RATELIMIT_MISS_RATE=f"{MISS_LIMIT}/10m",
        TASKS_BACKEND="database",
        # The round's reports would be rendered by a worker; none runs in this bench.
        REPORT_PRERENDER="0",
    )
    token = prepare(env)
    campaign_pk = int(manage_shell(env, _HR))
    ports = [free_port(), free_port()]
    servers = [
        start_server(env, port, tmp / f"gunicorn-{port}.log", "leercultuur.wsgi") for port in ports
    ]
    result: dict = {"ports": ports, "loadavg_before": loadavg()}
    try:
        result["load"] = spread_load(ports, token, employees, clients, timeout)
        result["resume"] = resume_across(ports, token)
        result["integrity"] = integrity(env)
        result["publication"] = publication_across(ports, token, campaign_pk)
        result["rate_limit"] = misses_from_both(ports)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        _flush(redis_url, prefix)
    result["loadavg_after"] = loadavg()
    result["server_errors"] = sum(
        _errors_in(tmp / f"gunicorn-{port}.log") for port in result["ports"]
    )
    return result


def _errors_in(log: Path) -> int:
    text = log.read_text(errors="replace") if log.exists() else ""
    return text.count("Internal Server Error") + text.count("Traceback")


def _flush(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


def verdict(result: dict) -> list[str]:
    """What went wrong, in words; an empty list means every check held."""
    problems = []
    load, whole = result["load"], result["integrity"]
    expected = load["employees"] + 1  # and the resumed one
    if load["errors"] or load["sent_ok"] != load["employees"]:
        problems.append(f"sends failed: {load['error_samples']}")
    if whole["responses"] != expected:
        problems.append(f"{whole['responses']} responses stored, {expected} sent")
    if whole["responses_not_whole"] or whole["min_answers"] != ITEMS:
        problems.append(f"partial responses: {whole}")
    if min(load["requests_per_server"].values()) < load["employees"] * 5:
        problems.append(f"one server hardly served: {load['requests_per_server']}")
    resume = result["resume"]
    if not (resume.get("code_shown_on_a") and resume.get("sent_on_b")):
        problems.append(f"resume code from server A did not work on B: {resume}")
    if not resume.get("continued_at", "").endswith("/survey/step/3/"):
        problems.append(f"resume on B did not continue after the saved page: {resume}")
    pub = result["publication"]
    if not (pub["hr_logged_in"] and pub["new_response_sent_on_b"] and pub["closed_on_b"]):
        problems.append(f"publication steps failed: {pub}")
    if pub["status_after_on_a"] != "closed" or (
        pub["responses_after_on_a"] != pub["responses_before"] + 1
    ):
        problems.append(f"server A did not show B's response and close: {pub}")
    limit = result["rate_limit"]
    if limit["first_429_at"] != MISS_LIMIT + 1 or not limit["both_servers_refuse"]:
        problems.append(f"misses were not counted across servers: {limit}")
    if result["server_errors"]:
        problems.append(f"{result['server_errors']} server errors in the gunicorn logs")
    return problems


def ensure_database(name: str) -> None:
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
            f"CREATE DATABASE {name}",
        ],
        capture_output=True,
        check=False,
    )


def run() -> dict:
    employees = int(os.environ.get("BENCH_TWO_EMPLOYEES", 500))
    clients = int(os.environ.get("BENCH_TWO_CLIENTS", 50))
    ensure_database(PG_DATABASE)
    with tempfile.TemporaryDirectory() as tmp:
        result = run_two_servers(
            f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}",
            REDIS_URL,
            Path(tmp),
            employees=employees,
            clients=clients,
        )
    problems = verdict(result)
    load, whole, pub = result["load"], result["integrity"], result["publication"]
    limit, resume = result["rate_limit"], result["resume"]
    served = " / ".join(f"{n:,}" for n in load["requests_per_server"].values())
    md = [
        "Issue 14: two app servers on one PostgreSQL and one Redis; 0 lost or partial "
        "responses, a resume code made on one server works on the other, rate limits count "
        "misses from both, a new response shows through the other server.",
        "",
        f"Two gunicorn servers (2 workers × 4 threads each) on 127.0.0.1; {clients} client "
        f"processes walk {employees} questionnaires, every request to the other server than "
        "the one before (round robin per request, no sticky sessions). Load average "
        f"{result['loadavg_before']} → {result['loadavg_after']} (shared machine); the load "
        f"generator used {load['load_generator_cpu_s']:.0f} s CPU.",
        "",
        "| check | result |",
        "|---|---|",
        f"| questionnaires sent / stored / partial | {load['sent_ok']} / {whole['responses']} "
        f"(incl. the resumed one) / {whole['responses_not_whole']} |",
        f"| requests served by server A / B | {served} |",
        f"| questionnaires/s over both, send p95 | {load['questionnaires_per_s']:.1f}, "
        f"{load['send_p95_ms']:.0f} ms |",
        f"| resume code made on A, typed on B | continued at `{resume.get('continued_at')}`, "
        f"sent on B: {'yes' if resume.get('sent_on_b') else 'no'} |",
        f"| wrong links alternating A, B, A, … | first 429 at miss {limit['first_429_at']} "
        f"(limit {MISS_LIMIT}; each server saw ≤ {limit['per_server_misses_before_429']}); "
        f"both refuse after: {'yes' if limit['both_servers_refuse'] else 'no'} |",
        f"| response sent on B, round closed on B, read on A | {pub['responses_before']} → "
        f"{pub['responses_after_on_a']} responses, status {pub['status_after_on_a']} |",
        f"| server errors | {result['server_errors']} |",
        "",
        "All checks held." if not problems else "Failed: " + "; ".join(problems),
    ]
    return {
        "title": "Two app servers, one database and cache",
        **result,
        "problems": problems,
        "markdown": md,
    }
