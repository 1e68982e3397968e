"""One way to call a service from a screen: in a thread worker, never fatal.

The database is only ever touched off the event loop, so a slow disk, a
locked file or a remote server cannot freeze the keyboard. Whatever the
service raises becomes a message in the user's language (services.faults):
a refusal as phrased, a database fault naming the file and what to do, a bug
as "program error". The worker is started with exit_on_error=False and
catches everything itself, so no failure ends the app, and the result or the
message is delivered on the event loop, where widgets may be touched.
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any, Callable

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker


def call_service(
    node: DOMNode,
    work: Callable[[], Any],
    *,
    done: Callable[[Any], None] | None = None,
    failed: Callable[[str], None] | None = None,
    group: str = "service",
    exclusive: bool = True,
) -> Worker:
    """Run `work()` in a thread; then `done(result)` or `failed(message)` on the event loop.

    Without `failed`, the message is shown as an error notification. A worker
    cancelled meanwhile (exclusive: a newer call replaced it; the screen was
    closed) delivers nothing.
    """
    app = node.app
    loop = asyncio.get_running_loop()  # called on the event loop; results go back to it
    context = contextvars.copy_context()  # Textual's active app and message pump, for the callbacks

    def hand_back(callback: Callable, value: Any) -> None:
        # Never blocks the thread (unlike call_from_thread): a worker finishing while
        # the app shuts down must not wait for a loop that is waiting for it.
        try:
            loop.call_soon_threadsafe(deliver, callback, value, context=context)
        except RuntimeError:  # the loop is closed: the app has gone, nobody to tell
            pass

    def deliver(callback: Callable, value: Any) -> None:
        try:
            callback(value)
        except Exception as exc:  # a widget gone meanwhile, or a bug in the callback: say so, keep going
            from deskapp.services.faults import describe_fault

            app.log.error("service callback failed", exc)
            app.notify(describe_fault(exc), severity="error")

    def job() -> None:
        worker = get_current_worker()
        try:
            result = work()
        except Exception as exc:
            from deskapp.services.faults import database_where, describe_fault

            desk = getattr(app, "desk", None)
            message = describe_fault(exc, database_where(desk) if desk is not None else "")
            if not worker.is_cancelled:
                hand_back(failed or _notify_error(app), message)
            return
        if done is not None and not worker.is_cancelled:
            hand_back(done, result)

    return node.run_worker(job, thread=True, exclusive=exclusive, group=group, exit_on_error=False)


def _notify_error(app) -> Callable[[str], None]:
    return lambda message: app.notify(message, severity="error", timeout=15)
