"""Real server and worker processes for the reliability tests: start, wait until ready, SIGKILL.

Each process runs in its own session (process group), so one ``killpg`` takes gunicorn's master
and every worker it forked down at the same instant, as a power cut or the OOM killer would: no
signal handler, no graceful shutdown, no ``finally``. The processes use
``tests.reliability.server_settings`` (the test settings with the database task backend) and the
database the test names through ``DANVAN_DATABASE_URL``.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SETTINGS = "tests.reliability.server_settings"


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it if the test process dies (a killed test run leaves no server)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG; gunicorn's workers exit when their master is gone


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(db: dict[str, Any], sqlite_path: Path | None = None) -> str:
    """The URL of the database the test itself uses (PostgreSQL) or of the SQLite file it shares."""
    if sqlite_path is not None:
        return f"sqlite:///{sqlite_path}"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{quote(db['NAME'], safe='')}"


def process_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DANVAN_DATABASE", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS, DANVAN_DATABASE_URL=url, PYTHONPATH=str(ROOT),
        DANVAN_MFA_REQUIRED_ROLES="", PYTHONUNBUFFERED="1",
    )
    return env


class Process:
    """One long-running command that can be killed like a crash and started again."""

    name = "process"

    def __init__(self, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.argv, self.env = argv, env
        self.log = log_dir / f"{self.name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0
        self.boot_seconds: list[float] = []
        self._spawned_at = 0.0

    def start(self, timeout: float = 90) -> None:
        self.spawn()
        self.ready(timeout)

    def spawn(self) -> None:
        """Start the process without waiting (so that the server and the worker boot side by side)."""
        assert self.proc is None or self.proc.poll() is not None, f"{self.name} is already running"
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own fixed command line
                self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent,  # only prctl runs between fork and exec
            )
        self.starts += 1
        self._spawned_at = time.monotonic()

    def ready(self, timeout: float = 90) -> None:
        self.wait_ready(timeout)
        self.boot_seconds.append(round(time.monotonic() - self._spawned_at, 1))

    def wait_ready(self, timeout: float) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group (gunicorn's master and its workers together)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.proc = None
        self.kills += 1

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def _fail(self, why: str) -> None:
        self.kill()
        raise RuntimeError(f"{self.name} {why}; log:\n{self.log_text()[-4000:]}")


class Server(Process):
    """``gunicorn danvan.wsgi`` with two threaded workers on a fixed local port (kept across restarts)."""

    name = "server"

    def __init__(self, env: dict[str, str], log_dir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        super().__init__([
            str(BIN / "gunicorn"), "danvan.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
            "--worker-class", "gthread", "--threads", "2", "--timeout", "60", "--graceful-timeout", "1",
            # One import of Django in the master, forked into the workers: a restart costs one boot, not two.
            "--preload",
        ], env, log_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float) -> None:
        """Until /healthz answers (the app is loaded and reaches the database)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.alive():
                self._fail("exited while starting")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:  # noqa: S310 - local http
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.1)
        self._fail(f"not ready after {timeout} s")


class Worker(Process):
    """``danvan db_worker``: the django-tasks database worker."""

    name = "worker"

    def __init__(self, env: dict[str, str], log_dir: Path, interval: float = 0.2) -> None:
        super().__init__([str(BIN / "danvan"), "db_worker", "--interval", str(interval), "--no-startup-delay",
                          "--skip-checks"],
                         env, log_dir)

    def wait_ready(self, timeout: float) -> None:
        """Until the new process logs that its loop started."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.alive():
                self._fail("exited while starting")
            if self.log_text().count("Starting worker") >= self.starts:
                return
            time.sleep(0.1)
        self._fail(f"not ready after {timeout} s")
