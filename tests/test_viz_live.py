"""The chart worker draws the newest snapshot only: a burst of submissions never queues up."""

from __future__ import annotations

import threading
import time

from viz.live import LatestOnly


def test_latest_only_skips_what_a_newer_job_replaced():
    drawn, release, published = [], threading.Event(), threading.Event()

    def render(job):
        drawn.append(job)
        release.wait(10)   # the first job blocks until the burst below has been submitted
        return job

    results = []
    worker = LatestOnly(render, lambda r: (results.append(r), published.set()))
    worker.submit(0)
    deadline = time.monotonic() + 10
    while not drawn and time.monotonic() < deadline:
        time.sleep(0.01)
    for job in range(1, 50):
        worker.submit(job)
    release.set()
    deadline = time.monotonic() + 10
    while results[-1:] != [49] and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.close()
    assert drawn == [0, 49] and results == [0, 49]
