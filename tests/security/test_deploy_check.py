"""``manage.py check --deploy`` passes under the production settings with nothing silenced (ASVS 5.0 V13.4).

Run in a child process, as an operator would, with only the variables production requires: a long random
secret key, a Fernet key for whistleblowers' identities, a database address and the host names. Django's
deployment checks (HSTS, secure cookies, SSL redirect, DEBUG, secret key strength, X-Frame-Options...) and
django-csp's own checks must report no issue at all, and ``SILENCED_SYSTEM_CHECKS`` must stay empty.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def production_env(tmp_path: Path) -> dict[str, str]:
    # The test run's own variables (DANVAN_*, and DJANGO_ALLOW_ASYNC_UNSAFE set by conftest.py for Playwright)
    # are not the operator's.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DANVAN_", "DJANGO_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "danvan.settings.prod",
        "DANVAN_SECRET_KEY": secrets.token_urlsafe(64),
        "DANVAN_IDENTITY_KEYS": Fernet.generate_key().decode(),
        "DANVAN_DATABASE_URL": f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
        "DANVAN_ALLOWED_HOSTS": "danvan.example.gov.vn",
        "DANVAN_VAR_DIR": str(tmp_path),
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
    })
    return env


def run_check(env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING", *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )


def test_deploy_check_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = run_check(production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output
    assert "WARNING" not in output and "ERROR" not in output, output


def test_deploy_check_catches_a_weak_production_setting(tmp_path: Path) -> None:
    """The check is not vacuous: a short secret key is reported (security.W009) and the exit code says so."""
    env = production_env(tmp_path)
    env["DANVAN_SECRET_KEY"] = "short"
    result = run_check(env)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_nothing_is_silenced() -> None:
    assert not getattr(settings, "SILENCED_SYSTEM_CHECKS", [])
    text = (ROOT / "danvan" / "settings" / "prod.py").read_text() + (ROOT / "danvan" / "settings" / "base.py").read_text()
    assert "SILENCED_SYSTEM_CHECKS" not in text
