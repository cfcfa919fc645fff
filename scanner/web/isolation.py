"""CPU-heavy work of a web request in a process of its own (issue 14, item 6).

A worker thread keeps blocking I/O off the event loop, but not CPU-bound Python: a draft's
parser holds the interpreter lock for hundreds of milliseconds at a time (one regular
expression over 2 MB of text), and every other request, `/healthz` included, waits. So a
draft is checked in a child process, forked from multiprocessing's fork server (a clean,
single-threaded process started once, with the modules the work needs already imported, so a
child costs milliseconds), under a hard time limit: a runaway draft is killed, not waited for.
At most `SLOTS` run at once per server process; a request that finds none free within
`QUEUE_WAIT` seconds is told to come back.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

SLOTS = 2
QUEUE_WAIT = 30.0
T = TypeVar("T")
_context = multiprocessing.get_context("forkserver")
_slots = threading.BoundedSemaphore(SLOTS)


class IsolatedWorkError(RuntimeError):
    """The child failed, was killed for its time limit, or no slot was free."""

    def __init__(self, message: str, *, timed_out: bool = False, busy: bool = False) -> None:
        super().__init__(message)
        self.timed_out, self.busy = timed_out, busy


def preload(modules: list[str]) -> None:
    """Modules the fork server imports once, before its first child (call before first use)."""
    _context.set_forkserver_preload(modules)


def warm() -> None:
    """Start the fork server now rather than at the first draft check (`lotwise serve`)."""
    from multiprocessing import forkserver

    forkserver.ensure_running()


def _child(send: Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        send.send(("ok", function(*args)))
    except BaseException as exc:  # reported to the parent, which logs it
        send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def run_isolated(function: Callable[..., T], *args: Any, timeout: float) -> T:
    """`function(*args)` in a child process; its result (which must pickle), or
    IsolatedWorkError. `function` must be importable by name (a module-level function)."""
    if not _slots.acquire(timeout=QUEUE_WAIT):
        raise IsolatedWorkError("every worker is busy", busy=True)
    try:
        receive, send = _context.Pipe(duplex=False)
        child = _context.Process(target=_child, args=(send, function, args), daemon=True)
        child.start()
        send.close()
        try:
            if not receive.poll(timeout):
                raise IsolatedWorkError(f"no result within {timeout:g} s", timed_out=True)
            status, value = receive.recv()
        except EOFError:
            raise IsolatedWorkError(f"the worker died (exit code {child.exitcode})") from None
        finally:
            receive.close()
            if child.is_alive():
                child.kill()
            child.join(5)
        if status != "ok":
            raise IsolatedWorkError(str(value))
        result: T = value
        return result
    finally:
        _slots.release()
