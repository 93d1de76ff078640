"""Run the benchmarks and write the figures to bench/results/*.json and bench/RESULTS.md.

    make bench                      # every suite
    .venv/bin/python bench/run.py survey   # one suite
    .venv/bin/python bench/run.py load     # load, races and crashes (issue 7)

Suites live beside this file as <name>_bench.py with a `run() -> dict` function.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
RESULTS = HERE / "results"
SUITES = sorted(p.name.removesuffix("_bench.py") for p in HERE.glob("*_bench.py"))


def machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def render_markdown() -> str:
    lines = [
        "# Benchmark figures",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand.",
        "",
    ]
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text())
        lines.append(f"## {data.get('title', path.stem)}")
        lines.append("")
        lines.append(f"Measured {data['measured_at']} on {data['machine']}.")
        lines.append("")
        lines.extend(data.get("markdown", []))
        lines.append("")
    return "\n".join(lines)


def compiled_like_a_deployment() -> None:
    """Start-up figures as a deployed app has them: bytecode cached. Some shells set
    PYTHONDONTWRITEBYTECODE, which makes every fresh process compile the project again
    (measured: a command's start-up 0.93 s instead of ~0.5 s)."""
    import compileall
    import os

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
    for package in ("assessments", "leercultuur"):
        compileall.compile_dir(str(HERE.parent / package), quiet=1)


def main(argv: list[str]) -> int:
    RESULTS.mkdir(exist_ok=True)
    compiled_like_a_deployment()
    for name in argv or SUITES:
        module = importlib.import_module(f"bench.{name}_bench")
        started = time.time()
        data = module.run()
        data["measured_at"] = time.strftime("%Y-%m-%d %H:%M", time.localtime(started))
        data["machine"] = machine()
        (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
        print("\n".join(data.get("markdown", [])))
    (HERE / "RESULTS.md").write_text(render_markdown() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
