"""The project's own command, run as a person runs it: a real process on a fresh SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DANVAN = Path(sys.executable).with_name("danvan")


def run(args: list[str], db: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "danvan.settings.dev",
        "DANVAN_DATABASE_URL": f"sqlite:///{db}",
        "DANVAN_VAR_DIR": str(db.parent),
    }
    return subprocess.run([str(DANVAN), *args], capture_output=True, text=True, env=env, timeout=300, check=False)


@pytest.fixture
def fresh_db(tmp_path: Path) -> Path:
    db = tmp_path / "cli.sqlite3"
    result = run(["migrate", "--noinput", "-v", "0"], db)
    assert result.returncode == 0, result.stderr
    return db


def test_load_official_is_idempotent_and_speaks_vietnamese(fresh_db: Path) -> None:
    first = run(["orgs", "load-official"], fresh_db)
    assert first.returncode == 0, first.stderr
    assert "3355" in first.stdout  # 34 provinces + 3,321 communes created
    second = run(["orgs", "load-official"], fresh_db)
    assert second.returncode == 0, second.stderr
    assert "3355" in second.stdout and "0" in second.stdout
    assert "không có thay đổi" in second.stdout  # "nothing changed", in Vietnamese
    verify = run(["audit", "verify"], fresh_db)
    assert verify.returncode == 0, verify.stderr


def test_unknown_command_fails_cleanly(fresh_db: Path) -> None:
    result = run(["no-such-command"], fresh_db)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
