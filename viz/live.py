"""Drawing off the step's critical path: one worker thread per session renders the latest snapshot only.

A Step shows its headline and charts at once; the network (matplotlib, ~0.2 s) follows as soon as the worker is
free.
While playing, snapshots that arrive during a render are skipped, never queued, so the charts always catch up to
the newest quarter instead of falling behind (no frozen frames, no backlog).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable


class LatestOnly:
    """Runs ``render(job)`` in one daemon thread for the newest submitted job; ``publish(result)`` after each."""

    def __init__(self, render: Callable[[Any], Any], publish: Callable[[Any], None], context=None):
        self.render, self.publish, self.context = render, publish, context
        self.cond = threading.Condition()
        self.job: Any = None
        self.closed = False
        self.thread = threading.Thread(target=self._loop, name="sovai-charts", daemon=True)
        self.thread.start()

    def submit(self, job) -> None:
        with self.cond:
            self.job = job
            self.cond.notify()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify()

    def _loop(self) -> None:
        while True:
            with self.cond:
                while self.job is None and not self.closed:
                    self.cond.wait()
                if self.closed:
                    return
                job, self.job = self.job, None
            try:
                result = self.render(job)
            except RuntimeError as e:       # the interpreter (or the chart process pool) is shutting down
                logging.getLogger(__name__).debug("chart worker stops: %s", e)
                return
            except Exception:               # a chart failed: logged; the next job tries again
                logging.getLogger(__name__).exception("rendering the charts failed")
                result = None
            if result is not None and not self._publish(result):
                return

    def _publish(self, result) -> bool:
        """Hand the result to the page; False (and the worker stops) once its session has gone."""
        try:
            if self.context is not None:
                with self.context:
                    self.publish(result)
            else:
                self.publish(result)
            return True
        except Exception as e:  # the session's widgets are closed: nothing left to draw for
            logging.getLogger(__name__).debug("chart worker stops, session gone: %r", e)
            self.close()
            return False
