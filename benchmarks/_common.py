"""Shared helpers for the benchmark scripts (not a test module)."""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.platform.settings")
    import django

    django.setup()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def summary_ms(seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"p50 {statistics.median(ms):8.1f} ms   p95 {percentile(ms, 95):8.1f} ms   (n={len(ms)})"


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        kb = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    load = ""
    try:
        load = open("/proc/loadavg").read().split()[0]
    except OSError:
        pass
    return (f"{os.cpu_count()} CPU ({cpu}), {mem} RAM, Python {platform.python_version()}, PostgreSQL {pg}, "
            f"load average {load} at start")


def git_revision() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def header(title: str) -> None:
    print(f"== {title}")
    print(f"   machine: {machine()}")
    print(f"   revision: {git_revision()}   command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")


def ratio(ours: float, naive: float, *, higher_is_better: bool) -> str:
    if ours <= 0 or naive <= 0:
        return "n/a"
    r = ours / naive if higher_is_better else naive / ours
    return f"{r:.1f}×"
