"""Background tasks that retry: what the task queue does not do by itself.

django-tasks 0.12 with the database backend (django-tasks-db 0.13) runs a task once: a run that
raises is marked FAILED in the results table and never run again (the worker has no retry, and
the Redis backend used on several machines has none configured either). A reminder whose mail
server was down for a minute would then wait for the next day's run, or for ever for a one-off
task such as the e-mail telling someone of a new role.

``retrying_task`` is ``django_tasks.task`` plus this: a run that fails with a *transient* error
enqueues the same call again, ``DANVAN_TASK_RETRY_DELAY`` seconds later (doubling each time, at
most an hour), up to ``attempts`` runs in all; the failed run stays in the results with its
traceback, and the call carries ``retry_attempt`` so that the last failure is known to be the
last. Transient means: the database's connection or lock (``OperationalError``,
``InterfaceError``), a socket (``OSError``), the mail server (``smtplib.SMTPException``), or a run
that finished but could not do everything (``TaskIncomplete``). Anything else is a bug or bad
data and fails at once: a retry would fail the same way.

A retry is safe only because every task is idempotent: each effect is keyed (a reminder row
unique per record and kind, a notification unique per user and key, figures recomputed), so a
retry after a half-done run does the rest and nothing twice. Keep it so for any new task.

Enqueue tasks from services with ``transaction.on_commit`` (``enqueue_on_commit``), never inside
the transaction: a Redis queue or the immediate backend would run a task whose transaction later
rolls back, about rows that do not exist.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import smtplib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, transaction
from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)

ATTEMPTS = 5
MAX_DELAY = 3600.0
ATTEMPT_ARG = "retry_attempt"


class TaskIncomplete(Exception):  # noqa: N818 - reads as a state, like the others of its kind
    """The run did what it could but some items failed (a mail refused): run again for the rest."""


TRANSIENT: tuple[type[BaseException], ...] = (
    OperationalError, InterfaceError, OSError, smtplib.SMTPException, TaskIncomplete,
)


def retry_delay(attempt: int) -> float:
    """Seconds to wait before run ``attempt + 1``: the base delay, doubled after each failure."""
    base = float(getattr(settings, "DANVAN_TASK_RETRY_DELAY", 60))
    return min(base * 2 ** max(attempt - 1, 0), MAX_DELAY)


def _reset_broken_connections() -> None:
    """A lost database connection must not also lose the retry: drop it so that the enqueue reconnects."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def _enqueue_again(the_task: Any, args: tuple[Any, ...], kwargs: dict[str, Any], attempt: int) -> None:
    delay = retry_delay(attempt - 1)
    again = the_task
    if delay and the_task.get_backend().supports_defer:
        again = the_task.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
    again.enqueue(*args, **{ATTEMPT_ARG: attempt}, **kwargs)


def retrying_task(*, attempts: int = ATTEMPTS, retry_on: tuple[type[BaseException], ...] = TRANSIENT,
                  **task_options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``@retrying_task()`` in place of ``@task()``; the function must be idempotent (see the module)."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")

    def decorate(func: Callable[..., Any]) -> Any:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT_ARG, 1))
            try:
                return func(*args, **kwargs)
            except retry_on as exc:
                if attempt >= attempts:
                    log.error("task %s failed for good after %d attempts: %r", func.__qualname__, attempt, exc)
                    raise
                log.warning("task %s failed (attempt %d of %d), retrying: %r", func.__qualname__, attempt,
                            attempts, exc)
                _reset_broken_connections()
                try:
                    _enqueue_again(the_task, args, kwargs, attempt + 1)
                except Exception:  # the queue is down too: keep the first error, which says why
                    log.exception("task %s: the retry could not be enqueued", func.__qualname__)
                raise

        the_task = task(**task_options)(run)
        return the_task

    return decorate


def enqueue_on_commit(the_task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue once the current transaction commits (at once outside one); a rollback enqueues nothing."""
    transaction.on_commit(lambda: the_task.enqueue(*args, **kwargs))
