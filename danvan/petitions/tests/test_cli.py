"""``danvan petitions deadlines``: one JSON object with exactly the keys that apply; clean errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("petitions_deadlines", *args, stdout=out)
    return out.getvalue()


def test_complaint_json_keys_exactly() -> None:
    out = run("--kind", "complaint", "--received", "2026-07-10", "--json")
    assert json.loads(out) == {"acceptance_due": "2026-07-21", "rule_version": "2026-07-01"}
    assert out.count("\n") == 1  # one object, one line


def test_complaint_with_acceptance_remote_complex() -> None:
    out = run("--kind", "complaint", "--received", "2026-07-10", "--accepted", "2026-07-21",
              "--remote", "--complex", "--json")
    assert json.loads(out) == {
        "acceptance_due": "2026-07-21", "resolution_due": "2026-09-21", "rule_version": "2026-07-01",
    }


def test_second_round_json() -> None:
    out = run("--kind", "complaint", "--received", "2026-07-10", "--accepted", "2026-07-21",
              "--round", "2", "--remote", "--complex", "--json")
    assert json.loads(out)["resolution_due"] == "2026-09-29"


def test_denunciation_json_keys_exactly() -> None:
    out = run("--kind", "denunciation", "--received", "2026-07-10", "--accepted", "2026-07-21",
              "--extensions", "2", "--json")
    assert json.loads(out) == {
        "acceptance_due": "2026-07-21", "forward_due": "2026-07-17", "resolution_due": "2026-10-19",
        "rule_version": "2019-01-01",
    }


@pytest.mark.parametrize("kind", ["recommendation", "feedback"])
def test_feedback_json_keys_exactly(kind: str) -> None:
    out = run("--kind", kind, "--received", "2026-07-10", "--json")
    assert json.loads(out) == {"feedback_due": "2026-07-24", "rule_version": "2014-07-01"}


def test_readable_summary_in_vietnamese() -> None:
    out = run("--kind", "complaint", "--received", "2026-07-10", "--accepted", "2026-07-21", "--remote", "--complex")
    assert "21/07/2026" in out and "21/09/2026" in out
    assert "Thứ 3" in out and "Thứ 2" in out  # Tuesday, Monday
    assert "Nghị định 155/2026/NĐ-CP, Điều 10" in out
    assert "01/07/2026" in out
    assert "{" not in out


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--kind", "complaint", "--received", "10/07/2026"], "--received"),
        (["--kind", "complaint", "--received", "2026-07-10", "--accepted", "2026-02-30"], "--accepted"),
        (["--kind", "complaint", "--received", "2099-01-01"], "--received"),
        (["--kind", "complaint", "--received", "2026-07-10", "--accepted", "2026-07-09"], "--accepted"),
        (["--kind", "denunciation", "--received", "2026-07-10", "--round", "2"], "--round"),
        (["--kind", "denunciation", "--received", "2026-07-10", "--extensions", "3"], "--extensions"),
        (["--kind", "complaint", "--received", "2026-07-10", "--extensions", "-1"], "--extensions"),
    ],
)
def test_bad_input_is_a_command_error_naming_the_option(args: list[str], option: str) -> None:
    with pytest.raises(CommandError) as exc:
        run(*args, "--json")
    assert option in str(exc.value)


def test_unknown_kind_is_refused_by_the_parser() -> None:
    with pytest.raises(CommandError):
        run("--kind", "petition", "--received", "2026-07-10", "--json")


def _danvan() -> Path:
    return Path(sys.executable).with_name("danvan")


@pytest.mark.django_db(transaction=True)
def test_the_installed_command_prints_one_json_object_and_fails_cleanly(tmp_path: Path) -> None:
    """The real entry point, in its own process, on its own freshly migrated database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "danvan.settings.test"),
        "DANVAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
    }
    cwd = settings.BASE_DIR

    def danvan(*args: str) -> Any:
        return subprocess.run(  # noqa: S603 - our own entry point with fixed arguments
            [str(_danvan()), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
        )

    migrated = danvan("migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    ok = danvan("petitions", "deadlines", "--kind", "complaint", "--received", "2026-07-10",
                "--accepted", "2026-07-21", "--remote", "--complex", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {
        "acceptance_due": "2026-07-21", "resolution_due": "2026-09-21", "rule_version": "2026-07-01",
    }
    bad = danvan("petitions", "deadlines", "--kind", "denunciation", "--received", "2026-07-10", "--round", "2",
                 "--json")
    assert bad.returncode != 0
    assert "--round" in bad.stderr and "Traceback" not in bad.stderr and bad.stdout == ""
