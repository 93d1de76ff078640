"""Results benchmark: campaign_results and the dashboard for 250, 10,000 and 100,000 responses,
query counts, the benchmark over 1,000 organisations, and the dashboard's JavaScript size.

Run through `make bench` or `.venv/bin/python bench/run.py results`. Each database gets a
fresh schema in a child process (`python bench/results_bench.py --inner`), which prints its
figures as JSON.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SIZES = (10, 250, 10_000, 100_000)
TIMED = (250, 10_000, 100_000)
BENCHMARK_ORGANISATIONS = 1000
DATABASES = {
    "SQLite": lambda tmp: f"sqlite:///{tmp / 'bench.sqlite3'}",
    "PostgreSQL": lambda tmp: "postgres://postgres@127.0.0.1:5432/bench_results",
}


def js_sizes() -> dict[str, int]:
    out = {}
    for name in ("vendor/plotly/plotly-custom.min.js", "js/dashboard.js"):
        raw = (ROOT / "static" / name).read_bytes()
        out[name] = len(gzip.compress(raw, compresslevel=9))
    return out


# --- Child process: Django set up against a fresh database -----------------------------------


def _timed(fn, repeat: int) -> float:
    """Median wall time of fn() in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def inner() -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leercultuur.settings")
    django.setup()
    import datetime as dt
    import random

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from assessments import results as results_module
    from assessments.models import (
        Answer,
        Campaign,
        CampaignSummary,
        CampaignTeam,
        Membership,
        OpenAnswer,
        Organisation,
        Questionnaire,
        Response,
    )
    from assessments.results import queries as results_queries

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", "--noinput", verbosity=0)
    call_command("loaddata", "questionnaire", verbosity=0)

    questionnaire = Questionnaire.objects.get(version=1)
    items = list(questionnaire.ordered_items())
    specs = [item.spec() for item in items]
    question = questionnaire.open_questions.first()
    today = timezone.localdate()
    user = get_user_model().objects.create_user("bench-hr", password="x")

    def make_round(n: int) -> Campaign:
        org = Organisation.objects.create(name=f"Bench {n}", sector="trade", size_band="50-249")
        Membership.objects.create(user=user, organisation=org, role="hr")
        campaign = Campaign(
            organisation=org,
            questionnaire=questionnaire,
            name=f"{n} responses",
            opens_on=today - dt.timedelta(days=15),
            closes_on=today - dt.timedelta(days=5),
            # Closed: the final results show everything (an open round without interim
            # results shows nothing, which would time nothing).
            status=Campaign.Status.CLOSED,
            closed_on=today - dt.timedelta(days=5),
            expected_respondents=int(n * 1.3),
            ask_team=True,
            ask_role=True,
            ask_tenure=True,
        )
        campaign.set_link_token()
        campaign.save()
        teams = CampaignTeam.objects.bulk_create(
            CampaignTeam(campaign=campaign, name=f"Team {i}", position=i) for i in range(6)
        )
        rng = random.Random(n)
        for start in range(0, n, 2000):
            batch, values = [], []
            for i in range(min(2000, n - start)):
                response = Response(
                    campaign=campaign,
                    sequence=start + i + 1,
                    team=rng.choice(teams),
                    role=rng.choice(["employee"] * 6 + ["manager", "director", ""]),
                    tenure=rng.choice(["lt1", "1-5", "gt5", ""]),
                )
                given = {
                    item.code: None if rng.random() < 0.03 else rng.choice((2, 3, 3, 4, 4, 5))
                    for item in items
                }
                response.set_stored_scores(given, specs)  # as a send stores them
                batch.append(response)
                values.append(given)
            Response.objects.bulk_create(batch)
            Answer.objects.bulk_create(
                (
                    Answer(response=r, item=item, value=given[item.code])
                    for r, given in zip(batch, values, strict=True)
                    for item in items
                ),
                batch_size=5000,
            )
            if question:
                OpenAnswer.objects.bulk_create(
                    OpenAnswer(response=r, question=question, text=f"Antwoord {rng.random():.6f}")
                    for r in batch[: len(batch) // 4]
                )
        return campaign

    client = Client()
    client.force_login(user)
    out: dict = {"rounds": {}}
    rounds = {n: make_round(n) for n in SIZES}
    for n, campaign in rounds.items():
        url = reverse("assessments:campaign_results", args=[campaign.pk])
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url, {"by": "team"}).status_code
        assert status == 200, status
        figures: dict = {"queries_dashboard_cold": len(queries)}
        with CaptureQueriesContext(connection) as queries:
            client.get(url, {"by": "team"})
        figures["queries_dashboard_warm"] = len(queries)
        if n in TIMED:
            repeat = 1 if n > 50_000 else 3 if n > 1000 else 9
            campaign = Campaign.objects.select_related("organisation", "questionnaire").get(
                pk=campaign.pk
            )

            def cold(campaign=campaign):
                cache.clear()
                results_module.campaign_results(campaign, "nl")

            figures["results_cold_ms"] = _timed(cold, repeat)
            results_module.campaign_results(campaign, "nl")
            figures["results_warm_ms"] = _timed(
                lambda campaign=campaign: results_module.campaign_results(campaign, "nl"), 9
            )

            def view_cold(url=url):
                cache.clear()
                client.get(url, {"by": "team"})

            figures["dashboard_cold_ms"] = _timed(view_cold, repeat)
            client.get(url, {"by": "team"})
            figures["dashboard_warm_ms"] = _timed(
                lambda url=url: client.get(url, {"by": "team"}), 9
            )
            figures["dashboard_html_gzip_bytes"] = len(
                gzip.compress(client.get(url, {"by": "team"}).content)
            )
        out["rounds"][str(n)] = figures

    # Benchmark: the latest closed round of 1,000 other organisations, 50 responses each.
    rng = random.Random(7)
    codes = list(questionnaire.dimensions.values_list("code", flat=True))
    orgs = Organisation.objects.bulk_create(
        Organisation(
            name=f"Org {i}", sector=rng.choice(["trade", "care", "ict"]), size_band="10-49"
        )
        for i in range(BENCHMARK_ORGANISATIONS)
    )
    closed = []
    for org in orgs:
        c = Campaign(
            organisation=org,
            questionnaire=questionnaire,
            name="closed",
            status=Campaign.Status.CLOSED,
            opens_on=today - dt.timedelta(days=90),
            closes_on=today - dt.timedelta(days=60),
        )
        c.set_link_token()
        closed.append(c)
    Campaign.objects.bulk_create(closed, batch_size=500)
    CampaignSummary.objects.bulk_create(
        (
            CampaignSummary(
                campaign=c,
                respondents=50,
                data={
                    "overall": 3.5,
                    "dimensions": {
                        code: {"n": 50, "mean": rng.uniform(2.5, 4.5), "sd": 0.7} for code in codes
                    },
                },
            )
            for c in closed
        ),
        batch_size=500,
    )
    target = rounds[250]
    target = Campaign.objects.select_related("organisation", "questionnaire").get(pk=target.pk)
    cache.clear()
    bench = results_module.campaign_results(target, "nl").benchmark
    # The 1,000 closed rounds, and the benchmark's own rounds of other sizes.
    assert bench and bench.organisations >= BENCHMARK_ORGANISATIONS, bench
    out["benchmark_ms"] = _timed(lambda: results_queries.benchmark_summaries(target), 5)

    def cold_with_benchmark():
        cache.clear()
        results_module.campaign_results(target, "nl")

    out["results_250_cold_with_benchmark_ms"] = _timed(cold_with_benchmark, 5)
    return out


# --- Parent: one child per database -----------------------------------------------------------


def run() -> dict:
    # Imported here: the --inner child runs this file as a script, before bench/ is a package.
    from bench.survey_bench import django_env, ensure_pg_database

    data: dict = {"title": "Results: campaign_results, dashboard, benchmark", "databases": {}}
    data["load_average_before"] = round(os.getloadavg()[0], 1)
    only = os.environ.get("BENCH_DATABASES")
    for name, url_for in DATABASES.items():
        if only and name not in only.split(","):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            if name == "PostgreSQL":
                ensure_pg_database("bench_results")
            out = subprocess.run(
                [PY, __file__, "--inner"],
                env=django_env(url_for(Path(tmp)), Path(tmp)),
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if out.returncode != 0:
                raise RuntimeError(f"{name}: {out.stderr[-3000:]}")
            data["databases"][name] = json.loads(out.stdout.strip().splitlines()[-1])
    data["load_average_after"] = round(os.getloadavg()[0], 1)
    data["js_gzip_bytes"] = js_sizes()
    data["markdown"] = markdown(data)
    return data


def markdown(data: dict) -> list[str]:
    js_total = sum(data["js_gzip_bytes"].values()) / 1024
    md = [
        "Targets (issue 4): results of a round with 250 responses ≤ 50 ms server time; query "
        "count constant in N; benchmark over 1,000 organisations ≤ 2 s; dashboard JavaScript "
        "≤ 500 KB gzip. Issue 14: results of a 10,000-response round, cold, ≤ 200 ms on both "
        "databases; time growing with the respondents read, not the answers (stored scores: one "
        "row per respondent).",
        "",
        "Closed rounds of 48 items, ~3% n.v.t., 6 teams, role and tenure asked, open answers "
        "from a quarter of the respondents. *Cold*: the results cache emptied first (so the answers "
        "are read and scored); *warm*: the cached numbers plus labels. Dashboard = the whole "
        "view through Django's test client (session, round, results, charts, template), "
        "`?by=team`. Medians. 1-minute load average of the (shared) machine: "
        f"{data['load_average_before']} before, {data['load_average_after']} after.",
        "",
        "| database | responses | campaign_results cold | warm | dashboard cold | warm | "
        "queries (cold / warm) | HTML gzip |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, db in data["databases"].items():
        for n, r in db["rounds"].items():
            if "results_cold_ms" in r:
                md.append(
                    f"| {name} | {int(n):,} | **{r['results_cold_ms']:.0f} ms** | "
                    f"{r['results_warm_ms']:.1f} ms | {r['dashboard_cold_ms']:.0f} ms | "
                    f"**{r['dashboard_warm_ms']:.0f} ms** | {r['queries_dashboard_cold']} / "
                    f"{r['queries_dashboard_warm']} | "
                    f"{r['dashboard_html_gzip_bytes'] / 1024:.1f} KB |"
                )
            else:
                md.append(
                    f"| {name} | {int(n):,} | – | – | – | – | {r['queries_dashboard_cold']} / "
                    f"{r['queries_dashboard_warm']} | – |"
                )
    md.append("")
    md.append(
        "| database | benchmark over 1,000 organisations | 250-response round cold, with it |"
    )
    md.append("|---|---|---|")
    for name, db in data["databases"].items():
        md.append(
            f"| {name} | **{db['benchmark_ms']:.0f} ms** | "
            f"{db['results_250_cold_with_benchmark_ms']:.0f} ms |"
        )
    md.append("")
    md.append(
        f"Dashboard JavaScript: **{js_total:.0f} KB gzip** ("
        + ", ".join(f"`{k}` {v / 1024:.1f} KB" for k, v in data["js_gzip_bytes"].items())
        + "); loaded only on the dashboard page."
    )
    return md


if __name__ == "__main__":
    if "--inner" in sys.argv:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(inner()))
    else:
        sys.path.insert(0, str(ROOT))
        print("\n".join(run()["markdown"]))
