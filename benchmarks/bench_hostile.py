"""Hostile inputs of about 10 MB (issue 19): peak memory and time of one `lotwise ingest` each.

    .venv/bin/python benchmarks/bench_hostile.py [--keep DIR]

Each case is generated (never stored), ingested by a real `lotwise ingest` process into a fresh
SQLite file, and measured from outside: wall time, and the process's peak resident memory from
`wait4`'s rusage. The goal is under 300 MB and under 10 s for any input under 10 MB. It prints
one row per case with the exit code and the error line; it asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MB = 1 << 20


def gzip_bomb(head: bytes, filler: bytes, members: int, tail: bytes) -> bytes:
    """A multi-member gzip: `head`, then `members` copies of 64 MiB of `filler`, then `tail`.
    Each copy compresses to about 64 KB, so the file stays small while it expands hugely."""
    member = gzip.compress(filler * (64 * MB // len(filler)), 9)
    return gzip.compress(head) + member * members + gzip.compress(tail)


CASES: dict[str, Callable[[], bytes]] = {
    "deep nesting 100k (200 KB)": lambda: b"[" * 100_000 + b"]" * 100_000,
    "deep nesting 5M (10 MB)": lambda: b"[" * (5 * MB) + b"]" * (5 * MB),
    "one 8 MB string of letters": lambda: b'{"releases": [{"ocid": "' + b"a" * 8 * MB + b'"}]}',
    "one 8 MB string of digits": lambda: b'{"releases": [{"ocid": "' + b"7" * 8 * MB + b'"}]}',
    "an 8 MB number": lambda: b'{"releases": [' + b"7" * 8 * MB + b"]}",
    "gzip bomb of whitespace (10 MB -> 10 GB)": lambda: gzip_bomb(b"[", b" ", 150, b"]"),
    "gzip of one 10 GB string (10 MB)": lambda: gzip_bomb(b'["', b"a", 150, b'"]'),
}


def run(path: Path, database: Path) -> tuple[int, float, float, str]:
    env = {**os.environ, "LOTWISE_DATABASE_URL": f"sqlite:///{database}", "COLUMNS": "200"}
    command = [sys.executable, "-m", "scanner.cli.main", "ingest", str(path)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    assert proc.stderr is not None
    error = proc.stderr.read().decode(errors="replace").strip().splitlines()
    proc.stdout and proc.stdout.read()
    code = os.waitstatus_to_exitcode(status)
    return code, elapsed, usage.ru_maxrss / 1024, (error[-1] if error else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, help="write the inputs here (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'case':44} {'input':>9} {'exit':>4} {'time s':>7} {'peak MB':>8}  error line")
        for number, (name, make) in enumerate(CASES.items()):
            path = folder / f"case{number}.json"
            path.write_bytes(make())
            code, elapsed, peak, error = run(path, folder / f"db{number}.sqlite")
            size = f"{path.stat().st_size / MB:.1f} MB"
            shown = error.replace(str(path), "FILE")[:110]
            print(f"{name:44} {size:>9} {code:>4} {elapsed:>7.2f} {peak:>8.0f}  {shown}")


if __name__ == "__main__":
    main()
