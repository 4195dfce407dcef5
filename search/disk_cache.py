"""Search structures that take seconds to build, kept between processes in a private disk cache.

They never change for a given packaged data and code, so each is pickled once per machine to a
private directory (``SEARCH_CACHE_DIR``, default ``~/.cache/placement-search``;
``SEARCH_CACHE_DIR=off`` disables it) under a key hashed from the data files and the modules
that build it. A file is read only if this user owns it and nobody else can write it (the
directory too); any problem reading or writing it just means building. The taxonomy's search
structures (`search.taxonomy_cache`) and the occupation suggestions' model (`search.suggest`)
use it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib import metadata, resources
from typing import TypeVar

__all__ = ["cache_path", "cached_build", "load", "save"]

T = TypeVar("T")

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
        os.makedirs(where, mode=0o700, exist_ok=True)
        if not _private(where):
            return
        fd, tmp = tempfile.mkstemp(dir=where, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one
        except BaseException:
            os.unlink(tmp)
            raise
        for name in os.listdir(where):  # older keys are dead
            if name.startswith(kind) and os.path.join(where, name) != path:
                os.unlink(os.path.join(where, name))
    except Exception:  # a cache that cannot be written only costs the next process time
        return


def cached_build(
    kind: str, inputs: Inputs, build: Callable[[], T], valid: Callable[[object], bool]
) -> T:
    """The structure from the disk cache, or built (and saved for the next process)."""
    path = cache_path(kind, inputs)
    if path is not None:
        loaded = load(path, valid)
        if loaded is not None:
            return loaded  # type: ignore[return-value]  # `valid` checked its type
    built = build()
    if path is not None:
        save(path, built)
    return built
