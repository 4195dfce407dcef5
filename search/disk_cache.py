"""Search structures that take seconds to build, kept between processes in a private disk cache.

They never change for a given packaged data and code, so each is pickled once per machine to a
private directory (``SEARCH_CACHE_DIR``, default ``~/.cache/placement-search``;
``SEARCH_CACHE_DIR=off`` disables it) under a key hashed from the data files and the modules
that build it. A file is read only if this user owns it and nobody else can write it (the
directory too); any problem reading or writing it just means building. Processes (workers
starting together, or threads) that miss the cache at the same time build once: the first
holds a lock file beside the cache file while it builds, the others wait for it and read what
it saved. The taxonomy's search structures (`search.taxonomy_cache`) and the occupation
suggestions' model (`search.suggest`) use it.

A served worker that misses the cache has the structure built in a child process
(``child=``): a build leaves tens of megabytes of garbage scattered among the objects a
process keeps, so a worker that built them itself held 50–130 MB more for its whole life than
one that read them (bench/RESULTS.md, worker memory). Where the child cannot run or save,
the worker builds it itself as before; so does every process with ``SEARCH_CACHE_BUILD_HERE=1``
(the child, and the tests, so that coverage sees the build).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import logging
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from importlib import metadata, resources
from typing import TypeVar

__all__ = ["build_in_child", "cache_path", "cached_build", "load", "save"]

T = TypeVar("T")

log = logging.getLogger("marketplace.search")

# Set (to 1) where a miss is built in this process, never by a child: in the child itself,
# and in the tests, whose coverage tracer sees only its own process.
BUILD_HERE = "SEARCH_CACHE_BUILD_HERE"
# Seconds a worker waits for its child's build (a few on an idle machine).
CHILD_TIMEOUT = 600

# (package, file) pairs: the packaged data a structure is built from and the code that does it.
Inputs = Sequence[tuple[str, str]]


def cache_path(kind: str, inputs: Inputs) -> str | None:
    """The cache file of the structure `kind` built from `inputs`, or None when the cache is
    off or an input cannot be read."""
    where = os.environ.get("SEARCH_CACHE_DIR")
    if where is not None and where.strip().lower() in ("", "0", "off", "no", "false"):
        return None
    if not where:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        where = os.path.join(base, "placement-search")
    h = hashlib.sha256()
    try:
        for package, name in inputs:
            h.update(f"{package}/{name}".encode())
            h.update(resources.files(package).joinpath(name).read_bytes())
    except OSError:
        return None
    try:
        stemmer = metadata.version("PyStemmer")
    except metadata.PackageNotFoundError:
        stemmer = "?"
    h.update(f"{sys.version}|{pickle.HIGHEST_PROTOCOL}|{stemmer}".encode())
    return os.path.join(where, f"{kind}-{h.hexdigest()[:32]}.pickle")


def _private(path: str) -> bool:
    st = os.stat(path)
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _private_dir(where: str) -> bool:
    """The cache directory, made if missing (only this user may enter it): whether it is
    private, i.e. safe to keep files and locks in."""
    os.makedirs(where, mode=0o700, exist_ok=True)
    return _private(where)


def load(path: str, valid: Callable[[object], bool]) -> object | None:
    """What the file holds if it is private and `valid` accepts it; None otherwise."""
    try:
        if not (_private(os.path.dirname(path)) and _private(path)):
            return None
        with open(path, "rb") as f:
            obj = pickle.load(f)  # noqa: S301 - our own file, in a directory only we can write
    except Exception:  # missing, stale or damaged: build instead
        return None
    return obj if valid(obj) else None


def save(path: str, obj: object) -> None:
    """Write `obj` atomically, and remove the files of older keys of the same kind."""
    where = os.path.dirname(path)
    kind = os.path.basename(path).rsplit("-", 1)[0] + "-"
    try:
        if not _private_dir(where):
            return
        fd, tmp = tempfile.mkstemp(dir=where, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one
        except BaseException:
            os.unlink(tmp)
            raise
        live = {os.path.basename(path), os.path.basename(_lock_path(path))}
        for name in os.listdir(where):  # older keys are dead, and so are their locks
            if name.startswith((kind, _LOCK_PREFIX + kind)) and name not in live:
                os.unlink(os.path.join(where, name))
    except Exception:  # a cache that cannot be written only costs the next process time
        return


_LOCK_PREFIX = ".lock-"


def _lock_path(path: str) -> str:
    # Beside the cache file, under a name no kind's files start with.
    return os.path.join(os.path.dirname(path), _LOCK_PREFIX + os.path.basename(path))


@contextlib.contextmanager
def _build_lock(path: str) -> Iterator[None]:
    """Held while the structure of `path` is built: whoever else misses the cache meanwhile
    waits, then finds the file. Without a private directory to lock in, nobody waits (each
    builds, as without the lock); the kernel releases the lock of a process that dies."""
    where = os.path.dirname(path)
    try:
        if not _private_dir(where):
            raise PermissionError(where)
        fd = os.open(_lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def build_in_child(target: str) -> bool:
    """Run `target` ("package.module:function", which builds and saves a structure through
    `cached_build`) in a fresh interpreter, and wait for it; whether it succeeded."""
    module, _, function = target.partition(":")
    code = f"import {module} as m; m.{function}()"
    env = {
        **os.environ,
        BUILD_HERE: "1",
        # The modules this process imported, found where it found them (each place once:
        # a caller of piccolo's CLI adds its folder again on every call).
        "PYTHONPATH": os.pathsep.join(dict.fromkeys(p for p in sys.path if p)),
    }
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed target
            [sys.executable, "-c", code],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as e:
        log.warning("search cache: the child build of %s did not run: %s", target, e)
        return False
    if done.returncode != 0:
        log.warning(
            "search cache: the child build of %s failed (%s): %s",
            target,
            done.returncode,
            done.stderr.decode(errors="replace")[-2000:],
        )
        return False
    return True


def cached_build(
    kind: str,
    inputs: Inputs,
    build: Callable[[], T],
    valid: Callable[[object], bool],
    child: str | None = None,
) -> T:
    """The structure from the disk cache, or built (and saved for the next process).

    With `child` ("module:function" that makes this same call), a miss has a child process
    build and save it, and this one reads the saved copy; failing that, it builds as without.
    """
    path = cache_path(kind, inputs)
    if path is None:
        return build()
    loaded = load(path, valid)
    here = os.environ.get(BUILD_HERE) == "1"
    if loaded is None and child is not None and not here and build_in_child(child):
        loaded = load(path, valid)
    if loaded is None:
        with _build_lock(path):
            loaded = load(path, valid)  # saved by another process while this one waited
            if loaded is None:
                built = build()
                save(path, built)
                # Read back what was saved and let the built copy go: its objects lie among
                # the build's garbage, and a worker that built the structures itself kept
                # ~50 MB more than one that read them (RESULTS.md, worker memory).
                loaded = load(path, valid)
                if loaded is None:
                    return built  # not saved (no private cache directory)
                del built
                gc.collect()
    return loaded  # type: ignore[return-value]  # `valid` checked its type
