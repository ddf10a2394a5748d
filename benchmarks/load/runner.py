"""``python -m benchmarks.load.runner SPEC OUT``: run the locust users headless, as a library, and record.

A child of the bench process (locust's gevent patches the standard library, which the bench's own
Django connection must not meet). It starts the users of ``locustfile`` all at once against the
spec's host, lets them warm up, then measures for the spec's duration: every request's time and
whether it answered what was expected (``events.request``), the exceptions the users raised, and
the resident memory of gunicorn's master and workers every few seconds (``psutil``). ``OUT`` gets
it all as JSON; the bench process computes the figures (``benchmarks.load.metrics``).
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import psutil  # noqa: E402


def server_rss_mb(pid: int) -> float:
    """RSS of the gunicorn master and all its workers, in MB (shared pages counted in each process)."""
    master = psutil.Process(pid)
    total = 0
    for p in [master, *master.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 2**20


def main(spec_path: str, out_path: str) -> int:
    os.environ["LOAD_SPEC"] = spec_path
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    from locust import events
    from locust.env import Environment

    from benchmarks.load import locustfile
    from benchmarks.load.metrics import sample_interval

    duration, warmup = float(spec["seconds"]), float(spec["warmup_s"])
    users = int(spec["officials_users"]) + int(spec["citizens_users"])
    records: list[tuple[str, float, bool]] = []
    failures: dict[str, int] = {}
    measuring = {"on": False}

    def on_request(request_type: str, name: str, response_time: float, exception: Any, **_kw: Any) -> None:
        if not measuring["on"]:
            return
        records.append((name.split(":", 1)[0], response_time, exception is None))
        if exception is not None:
            key = f"{request_type} {name}: {str(exception)[:160]}"
            failures[key] = failures.get(key, 0) + 1

    events.request.add_listener(on_request)
    env = Environment(user_classes=[locustfile.Official, locustfile.Citizen], host=spec["host"], events=events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(warmup)
    env.stats.reset_all()
    runner.exceptions.clear()
    measuring["on"] = True
    start = time.monotonic()
    memory: list[tuple[float, float]] = [(0.0, server_rss_mb(spec["server_pid"]))]
    step = sample_interval(duration)
    tick = 1
    while (now := time.monotonic() - start) < duration:
        gevent.sleep(min(step * tick, duration) - now)
        t = time.monotonic() - start
        memory.append((round(t, 2), server_rss_mb(spec["server_pid"])))
        tick += 1
    measuring["on"] = False
    elapsed = time.monotonic() - start
    runner.quit()
    exceptions = [{"count": e["count"], "msg": e["msg"], "where": e["traceback"][-600:]}
                  for e in runner.exceptions.values()]
    by_name = {f"{s.method} {s.name}": {"requests": s.num_requests, "failures": s.num_failures,
                                         "median_ms": s.median_response_time,
                                         "p95_ms": s.get_response_time_percentile(0.95)}
               for s in env.stats.entries.values()}
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"elapsed_s": elapsed, "records": records, "failures": failures, "exceptions": exceptions,
                   "memory": memory, "by_name": by_name, "users": users}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
