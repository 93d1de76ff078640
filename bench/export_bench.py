"""Export benchmark: response-level CSV and XLSX export of 1,000 and 10,000 responses.

Run through `make bench` or `.venv/bin/python bench/run.py export`. Each database gets a fresh
schema with the real 48-item questionnaire and two closed rounds; the builder
(`exports.build_response_export`, query + rows + file) is timed inside one Django process,
best and median of a few runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.survey_bench import _PG_RESET, ROOT, django_env, ensure_pg_database

PG_DATABASE = "bench_exports"  # not the survey benchmark's, so both can run at once
DATABASES = {
    "SQLite": lambda tmp: f"sqlite:///{tmp / 'bench.sqlite3'}",
    "PostgreSQL": lambda tmp: f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}",
}


PY = sys.executable
SIZES = (1_000, 10_000)
TARGETS = {"csv_1000": 0.3, "csv_10000": 2.0, "xlsx_ratio": 3.0}

_PREPARE = """
import datetime as dt, random
from django.utils import timezone
from assessments.services import close_round
from assessments.models import (Answer, Campaign, CampaignTeam, OpenAnswer, Organisation,
                                Questionnaire, Response, Team)
q = Questionnaire.objects.get(version=1)
items = q.ordered_items()
questions = list(q.open_questions.all())
org = Organisation.objects.create(name="Bench BV", sector="trade", size_band="250+")
today = timezone.localdate()
ids = {}
for size in SIZES:
    c = Campaign(organisation=org, questionnaire=q, name=f"Bench {size}",
                 opens_on=today - dt.timedelta(days=30), closes_on=today - dt.timedelta(days=1),
                 ask_team=True, ask_role=True, ask_tenure=True, ask_contract=True)
    c.set_link_token(); c.save()
    teams = [CampaignTeam.objects.create(campaign=c, name=f"Team {i}", position=i) for i in range(8)]
    rng = random.Random(size)
    for start in range(0, size, 2000):
        batch = [Response(campaign=c, sequence=start + i + 1,
                          team=rng.choice(teams), role=rng.choice(["employee"] * 6 + ["manager", ""]),
                          tenure=rng.choice(["lt1", "1-5", "gt5", ""]),
                          contract=rng.choice(["permanent", "permanent", "temporary", ""]))
                 for i in range(min(2000, size - start))]
        Response.objects.bulk_create(batch)
        Answer.objects.bulk_create(
            [Answer(response=r, item=item,
                    value=None if item.allows_not_applicable and rng.random() < .1 else rng.randint(1, 5))
             for r in batch for item in items], batch_size=5000)
        OpenAnswer.objects.bulk_create(
            [OpenAnswer(response=r, question=questions[0], text="Meer overleg") for r in batch[::3]])
    close_round(c)
    ids[size] = c.pk
print(json.dumps(ids))
"""

_MEASURE = """
import statistics, time, json, io, zipfile
from assessments.models import Campaign, Answer
from assessments.exports import build_response_export
out = {}
for size, pk in IDS.items():
    c = Campaign.objects.select_related("organisation", "questionnaire").get(pk=pk)
    for fmt in ("csv", "xlsx"):
        times = []
        for _ in range(REPEATS):
            t = time.perf_counter(); name, mime, data = build_response_export(c, fmt, "nl")
            times.append(time.perf_counter() - t)
        if fmt == "csv":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                rows = z.read(z.namelist()[0]).decode("utf-8-sig").count("\\n") - 1
        out[f"{fmt}_{size}"] = {"best_s": min(times), "median_s": statistics.median(times),
                                "bytes": len(data), "rows": rows if fmt == "csv" else None}
    out[f"answers_{size}"] = Answer.objects.filter(response__campaign=c).count()
print(json.dumps(out))
"""


def _manage(env: dict[str, str], code: str) -> str:
    out = subprocess.run(
        [PY, str(ROOT / "manage.py"), "shell", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def prepare(env: dict[str, str]) -> dict[int, int]:
    manage = [PY, str(ROOT / "manage.py")]
    if env["DATABASE_URL"].startswith("postgres"):
        subprocess.run([*manage, "shell", "-c", _PG_RESET], env=env, check=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    subprocess.run([*manage, "loaddata", "questionnaire", "-v0"], env=env, check=True)
    ids = json.loads(_manage(env, f"import json\nSIZES = {SIZES!r}\n" + _PREPARE))
    return {int(k): v for k, v in ids.items()}


def measure(env: dict[str, str], ids: dict[int, int], repeats: int) -> dict:
    code = f"IDS = {ids!r}\nREPEATS = {repeats}\n" + _MEASURE
    return json.loads(_manage(env, code))


def run(repeats: int = 5) -> dict:
    repeats = int(os.environ.get("BENCH_REPEATS", repeats))
    data: dict = {"title": "Exports: response-level CSV and XLSX", "databases": {}}
    md = [
        "Targets (issue 6): response-level CSV export of 1,000 responses ≤ 0.3 s, of 10,000 "
        "≤ 2 s; XLSX ≤ 3× the CSV time.",
        "",
        "Real 48-item questionnaire, all four segmentation questions asked, closed rounds. Time "
        "of `exports.build_response_export` (one query over answers, k-anonymous segmentation, "
        "random row order, file with codebook; CSV is a ZIP of two files), best / median of "
        f"{repeats} runs in one process.",
        "",
        "| database | responses (answers) | CSV best / median | XLSX best / median | "
        "XLSX ÷ CSV (median) | CSV size | XLSX size |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, url_for in DATABASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            if name == "PostgreSQL":
                ensure_pg_database(PG_DATABASE)
            env = django_env(url_for(tmp_path), tmp_path)
            ids = prepare(env)
            figures = measure(env, ids, repeats)
            checks = {}
            for size in SIZES:
                csv, xlsx = figures[f"csv_{size}"], figures[f"xlsx_{size}"]
                ratio = xlsx["median_s"] / csv["median_s"]
                figures[f"ratio_{size}"] = ratio
                checks[f"csv_{size}_ok"] = csv["median_s"] <= TARGETS[f"csv_{size}"]
                checks[f"ratio_{size}_ok"] = ratio <= TARGETS["xlsx_ratio"]
                checks[f"rows_{size}_ok"] = csv["rows"] == size
                md.append(
                    f"| {name} | {size:,} ({figures[f'answers_{size}']:,}) | "
                    f"{csv['best_s']:.3f} / **{csv['median_s']:.3f} s** | "
                    f"{xlsx['best_s']:.3f} / {xlsx['median_s']:.3f} s | **{ratio:.2f}×** | "
                    f"{csv['bytes'] / 1024:.0f} KB | {xlsx['bytes'] / 1024:.0f} KB |"
                )
            data["databases"][name] = {"figures": figures, "targets_met": checks}
    md.append("")
    md.append(
        "All targets met: "
        + (
            "yes"
            if all(all(d["targets_met"].values()) for d in data["databases"].values())
            else "**no**"
        )
        + "."
    )
    data["targets"] = TARGETS
    data["markdown"] = md
    return data
