"""`load_real_corpus(samples)` built once and shared by every test process that needs it.

Building the real evaluation corpus (about 2,500 notices parsed and normalised from the shared
samples) takes about 7 s of CPU, and each pytest-xdist worker that ran an evaluation test built
its own. The first process to ask builds it with `load_real_corpus` and pickles it to a file
whose name is a hash of everything the build reads: every byte of the sample files (paths
included), every source file of the `scanner` package, the pinned dependencies
(`requirements.lock`) and the Python version. The other processes, and later runs with the same
inputs, read that file; any change to the samples, the code or the dependencies names another
file, so a stale build is never read. A lock makes concurrent workers wait for one build rather
than each making its own; a build for other inputs is removed a day after it was made. The
directory is the user's own (mode 0700): a pickle is only read from where nobody else writes.

`tests/evaluation/test_real_corpus.py::test_the_shared_corpus_is_a_fresh_build` compares the
shared build with a fresh `load_real_corpus` in the same process.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

from scanner.evaluation.real_corpus import FOLDERS, RealCorpus, load_real_corpus

ROOT = Path(__file__).resolve().parents[1]


def cache_dir() -> Path:
    """The user's own cache directory for test builds (created 0700; refused otherwise)."""
    path = Path(tempfile.gettempdir()) / f"lotwise-test-cache-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise RuntimeError(f"{path} is not this user's own directory (mode 0700)")
    return path


def corpus_key(samples: Path) -> str:
    """A hash of every input of `load_real_corpus(samples)`."""
    digest = hashlib.sha256(sys.version.encode())
    digest.update((ROOT / "requirements.lock").read_bytes())
    for source in sorted((ROOT / "scanner").rglob("*.py")):
        digest.update(source.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    for folder in FOLDERS:
        base = samples / folder
        if not base.is_dir():
            continue
        for directory, _, names in sorted(os.walk(base, followlinks=True)):
            for name in sorted(names):
                path = Path(directory) / name
                digest.update(path.relative_to(samples).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def cached_real_corpus(samples: Path) -> RealCorpus:
    """`load_real_corpus(samples)`, from the shared build when there is one for these inputs."""
    where = cache_dir() / f"real-corpus-{corpus_key(samples)}.pickle"
    with where.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build; the other workers wait and read it
        if where.exists():
            corpus = pickle.loads(where.read_bytes())
            if isinstance(corpus, RealCorpus):
                return corpus
        corpus = load_real_corpus(samples)
        for old in where.parent.glob("real-corpus-*.pickle"):  # builds for other inputs
            if time.time() - old.stat().st_mtime > 86400:
                old.unlink(missing_ok=True)
        partial = where.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(pickle.dumps(corpus, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(where)
        return corpus
