"""Celery beat's scheduler with a heartbeat file, for the beat pod's liveness probe.

Beat has no port to probe. This scheduler touches LIAISON_BEAT_HEARTBEAT_FILE (default
/tmp/liaison-beat-heartbeat) on every tick; beat ticks at least every
CELERY_BEAT_MAX_LOOP_INTERVAL seconds (60), so a file older than a few minutes means the
loop is stuck and Kubernetes restarts the pod: `python -m liaison.platform.beat check`.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from celery.beat import PersistentScheduler

DEFAULT_FILE = "/tmp/liaison-beat-heartbeat"
DEFAULT_MAX_AGE = 300


def heartbeat_file() -> Path:
    return Path(os.environ.get("LIAISON_BEAT_HEARTBEAT_FILE", DEFAULT_FILE))


class HeartbeatScheduler(PersistentScheduler):
    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        try:
            heartbeat_file().touch()
        except OSError:  # a read-only /tmp must not stop the schedule; the probe will say so
            pass
        return interval


def check(max_age: float | None = None) -> int:
    """0 when the heartbeat is fresh, 1 otherwise (exit status of the liveness probe)."""
    max_age = max_age if max_age is not None else float(os.environ.get("LIAISON_BEAT_HEARTBEAT_MAX_AGE", DEFAULT_MAX_AGE))
    try:
        age = time.time() - heartbeat_file().stat().st_mtime
    except OSError:
        return 1
    return 0 if age <= max_age else 1


if __name__ == "__main__":  # pragma: no cover - the probe's entry point
    sys.exit(check() if sys.argv[1:2] == ["check"] else 2)
