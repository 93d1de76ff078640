"""Management commands start without the full system check and without WeasyPrint."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(
    p.stem for p in (ROOT / "assessments/management/commands").glob("*.py") if p.stem != "__init__"
)


@pytest.mark.parametrize("name", COMMANDS)
def test_the_projects_commands_skip_the_system_check(name):
    command = import_module(f"assessments.management.commands.{name}").Command
    assert command.requires_system_checks == []


def _imports(args: list[str], tmp_path) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'startup.sqlite3'}",
        "DATA_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stderr


def test_a_command_that_renders_nothing_never_imports_weasyprint(tmp_path):
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'startup.sqlite3'}"},
        check=True,
    )
    log = _imports(["manage.py", "close_due_rounds"], tmp_path)
    assert re.search(r"\|\s+django$", log, re.M)  # the check can fail: it sees imports
    assert not re.search(r"\|\s+weasyprint$", log, re.M)


def test_the_web_side_of_the_renderer_does_not_import_weasyprint(tmp_path):
    code = "import sys; import assessments.pdfrender; print('weasyprint' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
