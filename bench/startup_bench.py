"""Management commands' start-up: a fresh `python manage.py <command>` until it exits.

    .venv/bin/python bench/run.py startup

The project's commands skip Django's full system check and import WeasyPrint only when they
render; `manage.py check` (URLconf, templates, every app's checks, so WeasyPrint before
issue 14) is the reference. Wall time and CPU time (user + system of the child), medians of
7 runs on a fresh SQLite database, with the machine's load average.
"""

from __future__ import annotations

import os
import re
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.survey_bench import PY, ROOT, django_env, loadavg

COMMANDS = [
    ["close_due_rounds"],
    ["send_invitations"],
    ["apply_retention", "--dry-run"],
    ["campaign_results", "1", "--json"],
    ["check"],
]
RUNS = 7


def _run(env: dict[str, str], args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _imports_weasyprint(env: dict[str, str], args: list[str]) -> bool:
    out = subprocess.run(
        [PY, "-X", "importtime", str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return re.search(r"\|\s+weasyprint$", out.stderr, re.M) is not None


def run() -> dict:
    load_before = loadavg()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = django_env(f"sqlite:///{Path(tmp) / 'startup.sqlite3'}", Path(tmp))
        subprocess.run(
            [PY, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], env=env, check=True
        )
        for args in COMMANDS:
            _run(env, args)  # warm the file cache and the bytecode
            times = [_run(env, args) for _ in range(RUNS)]
            rows[" ".join(args)] = {
                "wall_median_s": statistics.median(t[0] for t in times),
                "wall_min_s": min(t[0] for t in times),
                "cpu_median_s": statistics.median(t[1] for t in times),
                "imports_weasyprint": _imports_weasyprint(env, args),
            }
    load_after = loadavg()
    md = [
        "Target (issue 14): a management command's start-up ≤ 0.3 s (it was ~0.75 s of system "
        "checks and the WeasyPrint import).",
        "",
        f"Fresh `python manage.py …` on an empty SQLite database, {RUNS} runs each; load "
        f"average {load_before} before, {load_after} after (a shared 2-core box: wall times "
        "carry other engineers' work, CPU times less so).",
        "",
        "| command | wall median (min) | CPU median | imports WeasyPrint |",
        "|---|---|---|---|",
    ]
    for name, row in rows.items():
        md.append(
            f"| `{name}` | **{row['wall_median_s'] * 1000:.0f} ms** "
            f"({row['wall_min_s'] * 1000:.0f}) | {row['cpu_median_s'] * 1000:.0f} ms | "
            f"{'yes' if row['imports_weasyprint'] else 'no'} |"
        )
    md.append("")
    md.append(
        "`check` runs the full system check, which every command ran before; the project's own "
        "commands now skip it (`requires_system_checks = []`) and WeasyPrint is imported only "
        "by the render child (assessments/pdfchild.py)."
    )
    return {
        "title": "Management commands: start-up",
        "commands": rows,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "cpu_count": os.cpu_count(),
        "markdown": md,
    }
