"""`python -m spiders crawl ...` as a process forked from a server that has done the imports.

A crawl needs its own process (Scrapy's reactor cannot restart), but a fresh interpreter spends
about a second of CPU, and many seconds on a loaded machine, importing Scrapy, SQLAlchemy and
the models before the first request. The spider tests fork each crawl instead from a
multiprocessing fork server that imported `spiders.run` once (what `python -m spiders` has
imported when `main()` starts, and nothing more: `spiders.settings` still reads the crawl's
environment in the child). The child gets the crawl's environment, working directory and
arguments, writes its stdout and stderr to files, and ends as `spiders.__main__` ends.

The interpreter start itself is tested where it matters: tests/spiders/test_loader.py (what a
crawl process imports), tests/spiders/test_run.py (SIGINT of a `python -m spiders` process)
and every `lotwise crawl`, scheduler and demo test (their crawls are real child processes).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from scanner.batch_gc import set_batch_threshold

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["crawl_fork", "spiders.run"])


def _child(argv: list[str], env: dict[str, str], cwd: str, out: str, err: str) -> None:
    """The crawl, in the forked child: as `python -m spiders crawl ARGV` would run it."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False, buffering=1)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False, buffering=1)  # noqa: SIM115
    set_batch_threshold()  # as spiders.__main__
    from spiders.run import main

    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code if isinstance(exc.code, int) else 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_crawl(
    argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, timeout: float
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `python -m spiders ARGV`, forked; killed at `timeout`."""
    with tempfile.TemporaryDirectory(prefix="crawl-") as folder:
        out, err = f"{folder}/stdout", f"{folder}/stderr"
        child = _context.Process(target=_child, args=(list(argv), dict(env), str(cwd), out, err))
        child.start()
        child.join(timeout)
        if child.exitcode is None:
            child.kill()
            child.join()
            raise TimeoutError(f"crawl {list(argv)} still running after {timeout:g} s")
        return child.exitcode, Path(out).read_text("utf-8"), Path(err).read_text("utf-8")
